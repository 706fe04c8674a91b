#!/usr/bin/env bash
# Obtains a musl C toolchain for <arch> by package name, without root and without installing anything: Debian 12's
# musl 1.2.3 (`musl`, `musl-dev`; `:arm64` for aarch64) fetched with `apt-get download` + `dpkg-deb -x` into a private
# root under ${XDG_CACHE_HOME:-$HOME/.cache}/catzilla/ (apt-private.sh), driven by a gcc that targets the same
# architecture: the host's `cc` for x86_64, Debian's aarch64 cross gcc (cross-toolchain.sh) for aarch64.
# Debian's musl-gcc.specs names /usr/include/<arch>-linux-musl and /usr/lib/<arch>-linux-musl absolutely; it is
# rewritten into the private root, and the directory of the shared libc.so (<root>/lib/<arch>-linux-musl, which is
# also musl's dynamic loader) is searched first, so that -lc links libc.so, never libc.a (a static libc inside a
# dlopen()ed library crashes). Prints a directory with <arch>-linux-musl-gcc, -ar, -ranlib, -nm, -readelf and a
# `musl-root` link to the private root (whose lib/ld-musl-<arch>.so.1 runs musl programs).
# Usage: musl-toolchain.sh <arch>     (x86_64 | aarch64)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=apt-private.sh
source "$here/apt-private.sh"

arch="${1:?usage: musl-toolchain.sh <arch>}"
command -v apt-get >/dev/null || { echo "catzilla: apt-get not found: cannot fetch Debian's musl packages" >&2; exit 1; }
triplet="$arch-linux-musl"
build_arch="$(uname -m)"
case "$arch" in
	"$build_arch")
		# The host's own gcc and binutils.
		gcc_driver="$(command -v "${CC:-cc}")" || { echo "catzilla: no C compiler (cc) for the $arch musl build" >&2; exit 1; }
		gcc_flags=()
		binutils_prefix=""
		packages=(musl=1.2.3-1 musl-dev=1.2.3-1)
		root="$(catzilla_deb_root "musl-$arch" "${packages[@]}")"
		;;
	aarch64)
		cross_bin="$(bash "$here/cross-toolchain.sh" aarch64)"
		gcc_driver="$cross_bin/aarch64-linux-gnu-gcc"
		# Debian's gcc calls libgcc's out-of-line atomics, whose initialiser needs glibc's __getauxval, which musl 1.2.3
		# lacks (every link fails, configure then finds no atomics at all): inline ARMv8.0 atomics instead.
		gcc_flags=(-mno-outline-atomics)
		binutils_prefix="$cross_bin/aarch64-linux-gnu-"
		packages=(musl:arm64=1.2.3-1 musl-dev:arm64=1.2.3-1)
		root="$(CATZILLA_APT_FOREIGN=arm64 catzilla_deb_root "musl-$arch" "${packages[@]}")"
		;;
	*)
		echo "catzilla: no musl toolchain recipe for '$arch' on a $build_arch machine" >&2
		exit 1
		;;
esac
libc_so="$root/lib/$triplet/libc.so"
[[ -f "$libc_so" && -f "$root/usr/lib/$triplet/crti.o" && -d "$root/usr/include/$triplet" ]] \
	|| { echo "catzilla: the musl packages in $root lack libc.so, crti.o or the headers" >&2; exit 1; }

bin="$root/catzilla-bin"
mkdir -p "$bin"
# The specs of musl-dev, pointed into the private root; libc.so's directory first on the library path.
specs="$bin/musl-gcc.specs"
sed -e "s#/usr/include/$triplet#$root/usr/include/$triplet#g" \
	-e "s#/usr/lib/$triplet/#$root/usr/lib/$triplet/#g" \
	-e "s#^-L/usr/lib/$triplet #-L$root/lib/$triplet -L$root/usr/lib/$triplet #" \
	"$root/usr/lib/$triplet/musl-gcc.specs" >"$specs.tmp"
grep -q -- "-L$root/lib/$triplet " "$specs.tmp" || { echo "catzilla: unexpected musl-gcc.specs in $root" >&2; exit 1; }
mv -f "$specs.tmp" "$specs"
write_tool() { # <name> <command...>
	local wrapper="$bin/$triplet-$1"
	shift
	printf '#!/bin/sh\nexec %s "$@"\n' "$*" >"$wrapper.tmp"
	chmod +x "$wrapper.tmp"
	mv -f "$wrapper.tmp" "$wrapper"
}
write_tool gcc "\"$gcc_driver\"" "${gcc_flags[@]}" -specs "\"$specs\""
for tool in ar ranlib nm readelf strip; do
	if [[ -n "$binutils_prefix" ]]; then
		write_tool "$tool" "\"$binutils_prefix$tool\""
	else
		write_tool "$tool" "$(command -v "$tool")"
	fi
done
ln -sfn "$root" "$bin/musl-root"

# Check it compiles and links a shared object against musl's libc.so (not libc.a), with nothing of glibc.
probe="$(mktemp -d)"
trap 'rm -rf "$probe"' EXIT
# (An atomic too: on aarch64 that is where libgcc's glibc-only helpers came in.)
printf '#include <stdlib.h>\n#include <pthread.h>\nstatic int n;\nint catzilla_probe(void) { void *p = malloc(1); free(p); return p != 0 && pthread_self() != 0 && __atomic_fetch_add(&n, 1, __ATOMIC_SEQ_CST) >= 0; }\n' >"$probe/p.c"
if ! "$bin/$triplet-gcc" -shared -fPIC -Wl,--no-undefined -o "$probe/p.so" "$probe/p.c" 2>"$probe/err"; then
	cat "$probe/err" >&2
	echo "catzilla: the private musl toolchain $bin/$triplet-gcc does not work (error above)" >&2
	exit 1
fi
needed="$("$bin/$triplet-readelf" -dW "$probe/p.so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | paste -sd,)"
[[ "$needed" == libc.so ]] || { echo "catzilla: a musl probe library needs '$needed', not just libc.so" >&2; exit 1; }
echo "catzilla: musl $arch toolchain ready ($(cat "$root/.packages" | paste -sd' ')) in $root" >&2
printf '%s\n' "$bin"
