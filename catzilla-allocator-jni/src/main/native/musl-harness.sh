#!/usr/bin/env bash
# Test support: compiles the musl C harness (src/test/c/musl_jni_harness.c), which plays the JVM's part for the musl
# libraries (no musl JVM is available to the build), once per musl row of the platform table, with that row's musl
# toolchain (musl-toolchain.sh: Debian's musl in the private cache, no root). Writes <out dir>/musl-harness.properties
# (<platform>.harness, <platform>.root: the musl root whose lib/ld-musl-<arch>.so.1 runs it, <platform>.tested) or,
# when something is missing, <out dir>/error.txt with the reason, which MuslHarnessTest reports as its failure.
# Run by Maven before the tests (phase process-test-classes, Linux profile); does nothing with -DskipTests.
# CATZILLA_TEST_AARCH64=false leaves out the rows tested under qemu.
# Usage: musl-harness.sh <out dir> <javac -h header dir> <java home>
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=platforms.sh
source "$here/platforms.sh"

out="${1:?usage: musl-harness.sh <out dir> <header dir> <java home>}"
headers="${2:?header dir}"
java_home="${3:?java home}"
if [[ "${CATZILLA_SKIP_TESTS:-false}" == true ]]; then
	echo "catzilla: tests skipped, the musl harness not built" >&2
	exit 0
fi
mkdir -p "$out"
rm -f "$out/musl-harness.properties" "$out/error.txt"
fail() {
	echo "$*" >"$out/error.txt"
	echo "catzilla: WARNING: musl harness unavailable: $*" >&2
	echo "catzilla: WARNING: the musl library tests will fail." >&2
	exit 0
}
[[ "$(uname -m)" == x86_64 ]] || fail "the musl harness is built on x86_64 build machines (this is $(uname -m))"
source_file="$(cd "$here/../../test/c" && pwd)/musl_jni_harness.c"
jni="$java_home/include"
[[ -f "$jni/jni.h" ]] || fail "no jni.h under $jni"
properties="$out/musl-harness.properties.tmp"
: >"$properties"
while IFS=$'\t' read -r platform arch libc _; do
	[[ "$libc" == musl ]] || continue
	tested="$(catzilla_platform_field "$platform" tested)"
	if [[ "$tested" == qemu && "${CATZILLA_TEST_AARCH64:-true}" == false ]]; then
		continue
	fi
	triplet="$(catzilla_platform_field "$platform" triplet)"
	bin="$(bash "$here/musl-toolchain.sh" "$arch" 2>"$out/toolchain-$platform.log")" || {
		cat "$out/toolchain-$platform.log" >&2
		fail "the $platform musl toolchain could not be obtained: $(tail -1 "$out/toolchain-$platform.log")"
	}
	mkdir -p "$out/$platform"
	"$bin/$triplet-gcc" -std=gnu11 -Wall -Wextra -Werror -O2 -pthread -I"$jni" -I"$jni/linux" -I"$headers" \
		"$source_file" -o "$out/$platform/musl_jni_harness" 2>"$out/compile-$platform.log" || {
		cat "$out/compile-$platform.log" >&2
		fail "compiling the musl harness for $platform failed: $(head -1 "$out/compile-$platform.log")"
	}
	{
		echo "$platform.harness=$out/$platform/musl_jni_harness"
		echo "$platform.root=$(readlink -f "$bin/musl-root")"
		echo "$platform.loader=$(readlink -f "$bin/musl-root")/lib/ld-musl-$arch.so.1"
		echo "$platform.tested=$tested"
	} >>"$properties"
	echo "catzilla: musl harness for $platform: $out/$platform/musl_jni_harness" >&2
done < <(catzilla_platform_rows)
mv -f "$properties" "$out/musl-harness.properties"
