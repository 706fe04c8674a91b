#!/usr/bin/env bash
# Builds META-INF/native/libcatzilla_jemalloc_<platform>.so (+ .sha256), one per row of the platform table
# (platforms.tsv), into the classes directory.
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

# build_library <platform> <cc>: jemalloc + the JNI library for one row of the platform table with compiler <cc>.
# What differs by C library: glibc builds force-include glibc-floor.h and link libpthread.so.0 explicitly (the glibc
# floor, docs/native.md); musl builds link musl's libc.so alone (libm and libpthread are part of it; the compiler
# driver of musl-toolchain.sh puts libc.so's directory first, so libc.a is never linked into the library).
build_library() {
	local platform="$1" cc="$2" libc name jemalloc objects=() c o tmp floor=() libs=() start=$SECONDS
	libc="$(catzilla_platform_field "$platform" libc)"
	name="$(printf 'libcatzilla_jemalloc_%s.so' "${platform//-/_}")"
	case "$libc" in
		glibc)
			floor=(-include "$here/glibc-floor.h")
			libs=(-Wl,--no-as-needed -l:libpthread.so.0 -Wl,--as-needed -lm)
			;;
		musl) libs=(-lc) ;;
		*) echo "catzilla: $platform: no build recipe for C library '$libc'" >&2; return 1 ;;
	esac
	jemalloc="$(bash "$here/jemalloc.sh" "$platform")"
	mkdir -p "$work/obj-$platform"
	for c in "$csrc"/*.c; do
		o="$work/obj-$platform/$(basename "$c" .c).o"
		"$cc" -std=gnu11 -Wall -Wextra -Werror -O2 -fvisibility=hidden -fPIC "${repro_cflags[@]}" \
			"${floor[@]}" \
			-I"$jni_include" -I"$jni_include/$os" -I"$headers" -I"$jemalloc/include" -I"$csrc" \
			-c "$c" -o "$o"
		objects+=("$o")
	done
	tmp="$work/$name.tmp"
	# -z nodelete: dlclose (class-loader unloading) must never unmap code that jemalloc's background threads run.
	"$cc" -shared -o "$tmp" "${objects[@]}" "$jemalloc/lib/libjemalloc_pic.a" \
		-Wl,--exclude-libs,ALL -Wl,--version-script="$here/catzilla.map" \
		-Wl,-z,noexecstack -Wl,-z,relro,-z,now -Wl,-z,nodelete -Wl,--no-undefined -Wl,--strip-debug \
		"${repro_ldflags[@]}" "${libs[@]}"
	mv -f "$tmp" "$classes/META-INF/native/$name"
	(cd "$classes/META-INF/native" && sha256sum "$name" | cut -d' ' -f1 >"$name.sha256")
	echo "catzilla: built $classes/META-INF/native/$name ($((SECONDS - start)) s with jemalloc)" >&2
}

# Why a platform is missing from this jar, for the tests (which fail on it unless told otherwise) and for humans.
rm -f "$work/missing-"*.txt
build_library "$os-$arch" "${CC:-cc}"

# On x86_64 the same build cross-compiles every other row of the platform table (docs/native.md, "linux-aarch64",
# "musl"): another architecture with Debian's cross gcc, musl with Debian's musl packages.
# CATZILLA_CROSS=none (Maven: -Dcatzilla.native.cross=none) builds the host architecture only (glibc and musl).
cross_build() { # <platform>
	local platform="$1" target libc triplet why="" cross_bin toolchain
	target="$(catzilla_platform_field "$platform" arch)"
	libc="$(catzilla_platform_field "$platform" libc)"
	triplet="$(catzilla_platform_field "$platform" triplet)"
	rm -f "$classes/META-INF/native/$(printf 'libcatzilla_jemalloc_%s.so' "${platform//-/_}")"*
	if [[ "${CATZILLA_CROSS:-all}" == none && "$target" != "$arch" ]]; then
		echo "catzilla: $platform not built: CATZILLA_CROSS=none" >&2
		echo "CATZILLA_CROSS=none (-Dcatzilla.native.cross=none)" >"$work/missing-$platform.txt"
		return 0
	fi
	case "$libc" in
		glibc) toolchain=cross-toolchain.sh ;;
		musl) toolchain=musl-toolchain.sh ;;
		*) why="no toolchain recipe for C library '$libc'" ;;
	esac
	if [[ -n "$why" ]]; then
		:
	elif ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
		why="apt-get/dpkg-deb not found: the $platform compiler is fetched from Debian's packages by name"
	else
		echo "catzilla: cross-building $platform ($triplet, $toolchain: Debian's packages in the private cache)" >&2
		if cross_bin="$(bash "$here/$toolchain" "$target")"; then
			# A subshell keeps the cross environment there; a failing cross build (not a missing tool) fails the build.
			(
				export CATZILLA_CROSS_BIN="$cross_bin" PATH="$cross_bin:$PATH"
				build_library "$platform" "$triplet-gcc"
			)
		else
			why="the $platform compiler could not be obtained (output above)"
		fi
	fi
	if [[ -n "$why" ]]; then
		echo "catzilla: WARNING: this jar carries no $platform library: $why." >&2
		echo "catzilla: WARNING: tests of $platform will fail; -Dcatzilla.test.aarch64=false turns the aarch64 ones off." >&2
		printf '%s\n' "$why" >"$work/missing-$platform.txt"
	fi
}
if [[ "$arch" == x86_64 ]]; then
	for platform in $(catzilla_platforms); do
		[[ "$platform" == "$os-$arch" ]] || cross_build "$platform"
	done
fi
