#!/usr/bin/env bash
# Obtains Debian's aarch64 cross compiler (gcc 12, binutils, glibc 2.36 headers and libraries) by package name, without
# root and without installing anything: `apt-get download` + `dpkg-deb -x` into a private root under
# ${XDG_CACHE_HOME:-$HOME/.cache}/catzilla/. Prints the path of the compiler driver (aarch64-linux-gnu-gcc-12).
# The package list was resolved once (Debian 12, `apt-get install -s gcc-aarch64-linux-gnu` with only what an amd64
# machine with gcc lacks) and trimmed to what compiling and linking a C shared library needs (no sanitizer, OpenMP or
# C++ runtimes). Versions are pinned; see catzilla_deb_root for what happens when Debian moves on.
# Usage: cross-toolchain.sh aarch64
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=apt-private.sh
source "$here/apt-private.sh"

arch="${1:?usage: cross-toolchain.sh <arch>}"
[[ "$arch" == aarch64 ]] || { echo "catzilla: no cross toolchain recipe for '$arch'" >&2; exit 1; }
command -v apt-get >/dev/null || { echo "catzilla: apt-get not found: cannot fetch Debian's aarch64 cross compiler" >&2; exit 1; }

packages=(
	binutils-aarch64-linux-gnu=2.40-2
	gcc-12-aarch64-linux-gnu-base=12.2.0-14cross1
	cpp-12-aarch64-linux-gnu=12.2.0-14cross1
	gcc-12-aarch64-linux-gnu=12.2.0-14cross1
	gcc-12-cross-base=12.2.0-14cross1
	libgcc-12-dev-arm64-cross=12.2.0-14cross1
	libgcc-s1-arm64-cross=12.2.0-14cross1
	libc6-arm64-cross=2.36-8cross1
	libc6-dev-arm64-cross=2.36-8cross1
	linux-libc-dev-arm64-cross=6.1.4-1cross1
)
root="$(catzilla_deb_root cross-aarch64 "${packages[@]}")"
[[ -x "$root/usr/bin/aarch64-linux-gnu-gcc-12" ]] || { echo "catzilla: no aarch64-linux-gnu-gcc-12 in $root" >&2; exit 1; }
bin="$root/catzilla-bin"
mkdir -p "$bin"
for tool in gcc:gcc-12 cpp:cpp-12 ar:ar ranlib:ranlib nm:nm ld:ld as:as strip:strip objdump:objdump readelf:readelf; do
	wrapper="$bin/aarch64-linux-gnu-${tool%%:*}"
	printf '#!/bin/sh\nLD_LIBRARY_PATH="%s${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "%s" "$@"\n' \
		"$root/usr/lib/x86_64-linux-gnu" "$root/usr/bin/aarch64-linux-gnu-${tool#*:}" >"$wrapper.tmp"
	chmod +x "$wrapper.tmp"
	mv -f "$wrapper.tmp" "$wrapper"
done
gcc="$bin/aarch64-linux-gnu-gcc"

# glibc's linker scripts (libc.so, libm.so ...) name their members by absolute path (/usr/aarch64-linux-gnu/lib/...);
# the private copy lives elsewhere, so point them into it. Idempotent.
for script in "$root"/usr/aarch64-linux-gnu/lib/*.so; do
	if [[ -f "$script" && ! -L "$script" ]] && head -c 256 "$script" | grep -q 'GNU ld script'; then
		sed -i -E "s#([ (])/usr/aarch64-linux-gnu/#\\1$root/usr/aarch64-linux-gnu/#g" "$script"
	fi
done

# The driver finds cc1, as and ld relative to itself; check it actually compiles and links a shared object.
probe="$(mktemp -d)"
trap 'rm -rf "$probe"' EXIT
printf '#include <stdlib.h>\nint catzilla_probe(void) { void *p = malloc(1); free(p); return p != 0; }\n' >"$probe/p.c"
if ! "$gcc" -shared -fPIC -o "$probe/p.so" "$probe/p.c" 2>"$probe/err"; then
	cat "$probe/err" >&2
	echo "catzilla: the private aarch64 cross compiler $gcc does not work (error above)" >&2
	exit 1
fi
echo "catzilla: aarch64 cross compiler ready: $("$gcc" --version | head -1) in $root" >&2
printf '%s\n' "$bin"
