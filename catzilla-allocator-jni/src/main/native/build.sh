#!/usr/bin/env bash
# Builds META-INF/native/libcatzilla_jemalloc_<os>_<arch>.so (+ .sha256) into the classes directory.
# Run by Maven (exec-maven-plugin, phase process-classes, Linux profile); can be run by hand the same way:
#   build.sh <classes dir> <javac -h header dir> <work dir> <java home>
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=platforms.sh
source "$here/platforms.sh"
csrc="$(cd "$here/../c" && pwd)"
classes="${1:?usage: build.sh <classes dir> <header dir> <work dir> <java home>}"
headers="${2:?header dir}"
work="${3:?work dir}"
java_home="${4:?java home}"

os="$(uname -s | tr '[:upper:]' '[:lower:]')"
arch="$(catzilla_normalise_arch "$(uname -m)")"
if ! catzilla_platforms | grep -qxF "$os-$arch"; then
	echo "catzilla: WARNING: no native build for $os-$arch (supported: $(catzilla_platforms | paste -sd, | sed 's/,/, /g'))." >&2
	echo "catzilla: WARNING: the jar will not contain a native library; Jemalloc.isAvailable() will be false." >&2
	exit 0
fi
header="$headers/dev_catzilla_allocator_JemallocNative.h"
[[ -f "$header" ]] || { echo "catzilla: $header missing (javac -h did not run?)" >&2; exit 1; }
jni_include="$java_home/include"
[[ -f "$jni_include/jni.h" ]] || { echo "catzilla: no jni.h under $jni_include (needs a JDK)" >&2; exit 1; }
mkdir -p "$classes/META-INF/native" "$work"

# --- Reproducible builds (docs/release.md): the same sources give a byte-identical library wherever they are
# checked out. No build path may enter the binary (__FILE__, debug info), and the build ID is a hash of the content.
repro_cflags=(-ffile-prefix-map="$csrc"=catzilla/c -ffile-prefix-map="$headers"=catzilla/include
	-ffile-prefix-map="$work"=catzilla/work)
repro_ldflags=(-Wl,--build-id=sha1)
# --- end of reproducible-build flags

# build_library <arch> <cc>: jemalloc + the JNI library for linux-<arch> with compiler <cc>.
build_library() {
	local target="$1" cc="$2" name jemalloc objects=() c o tmp
	name="libcatzilla_jemalloc_${os}_${target}.so"
	jemalloc="$(bash "$here/jemalloc.sh" "$target")"
	mkdir -p "$work/obj-$target"
	for c in "$csrc"/*.c; do
		o="$work/obj-$target/$(basename "$c" .c).o"
		"$cc" -std=gnu11 -Wall -Wextra -Werror -O2 -fvisibility=hidden -fPIC "${repro_cflags[@]}" \
			-include "$here/glibc-floor.h" \
			-I"$jni_include" -I"$jni_include/$os" -I"$headers" -I"$jemalloc/include" -I"$csrc" \
			-c "$c" -o "$o"
		objects+=("$o")
	done
	tmp="$work/$name.tmp"
	# -z nodelete: dlclose (class-loader unloading) must never unmap code that jemalloc's background threads run.
	"$cc" -shared -o "$tmp" "${objects[@]}" "$jemalloc/lib/libjemalloc_pic.a" \
		-Wl,--exclude-libs,ALL -Wl,--version-script="$here/catzilla.map" \
		-Wl,-z,noexecstack -Wl,-z,relro,-z,now -Wl,-z,nodelete -Wl,--no-undefined -Wl,--strip-debug \
		"${repro_ldflags[@]}" -Wl,--no-as-needed -l:libpthread.so.0 -Wl,--as-needed -lm
	mv -f "$tmp" "$classes/META-INF/native/$name"
	(cd "$classes/META-INF/native" && sha256sum "$name" | cut -d' ' -f1 >"$name.sha256")
	echo "catzilla: built $classes/META-INF/native/$name" >&2
}

# Why a platform is missing from this jar, for the tests (which fail on it unless told otherwise) and for humans.
rm -f "$work/missing-"*.txt
build_library "$arch" "${CC:-cc}"

# On x86_64 the same build cross-compiles every other platform of the table (docs/native.md, "linux-aarch64").
# CATZILLA_CROSS=none (Maven: -Dcatzilla.native.cross=none) builds the host library only.
cross_build() { # <platform>
	local platform="$1" target="${1#*-}" triplet why="" cross_bin
	triplet="$(catzilla_platform_field "$platform" triplet)"
	rm -f "$classes/META-INF/native/$(printf 'libcatzilla_jemalloc_%s.so' "${platform/-/_}")"*
	if [[ "${CATZILLA_CROSS:-all}" == none ]]; then
		echo "catzilla: $platform not built: CATZILLA_CROSS=none" >&2
		echo "CATZILLA_CROSS=none (-Dcatzilla.native.cross=none)" >"$work/missing-$platform.txt"
		return 0
	fi
	if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
		why="apt-get/dpkg-deb not found: the $target cross compiler is fetched from Debian's packages by name"
	else
		echo "catzilla: cross-building $platform (Debian's gcc-$triplet, fetched into the private cache)" >&2
		if cross_bin="$(bash "$here/cross-toolchain.sh" "$target")"; then
			# A subshell keeps the cross environment there; a failing cross build (not a missing tool) fails the build.
			(
				export CATZILLA_CROSS_BIN="$cross_bin" PATH="$cross_bin:$PATH"
				build_library "$target" "$triplet-gcc"
			)
		else
			why="the $target cross compiler could not be obtained (output above)"
		fi
	fi
	if [[ -n "$why" ]]; then
		echo "catzilla: WARNING: this jar carries no $platform library: $why." >&2
		echo "catzilla: WARNING: tests of $platform will fail; -Dcatzilla.test.aarch64=false turns them off." >&2
		printf '%s\n' "$why" >"$work/missing-$platform.txt"
	fi
}
if [[ "$arch" == x86_64 ]]; then
	for platform in $(catzilla_platforms); do
		[[ "$platform" == "$os-$arch" ]] || cross_build "$platform"
	done
fi
