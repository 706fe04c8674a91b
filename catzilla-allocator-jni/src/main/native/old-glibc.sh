#!/usr/bin/env bash
# Test support: an older real glibc for the tests that load the glibc libraries on it (docs/native.md, "glibc
# floor"). Fetches Debian 11 (bullseye, glibc 2.31) `libc6`, `libgcc-s1`, `libstdc++6`, `zlib1g` by package name
# through a private APT configuration (CATZILLA_APT_SUITE=bullseye: own lists and cache; no root, the system's dpkg
# and APT are not touched) and extracts them into ${XDG_CACHE_HOME:-$HOME/.cache}/catzilla/. The tests run
# Temurin 25 as `<root>/lib/x86_64-linux-gnu/ld-2.31.so --library-path <root libs> java ...`. For linux-aarch64
# (unless CATZILLA_TEST_AARCH64=false) also an arm64 sysroot of bullseye: its glibc 2.31 and its own OpenJDK 17,
# which the tests run under the qemu of aarch64-emulation.sh (`qemu-aarch64-static -L <sysroot> java`).
# Writes <out dir>/old-glibc.properties (loader, libraryPath, glibc, java, aarch64Sysroot, aarch64Java) or, when something is missing,
# <out dir>/error.txt with the reason, which the tests report as their failure (never skipped silently).
# Run by Maven before the tests (phase process-test-classes, Linux profile); does nothing with -DskipTests.
# Usage: old-glibc.sh <out dir> <java to check it with>
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=apt-private.sh
source "$here/apt-private.sh"

out="${1:?usage: old-glibc.sh <out dir> <java>}"
java="${2:?java}"
if [[ "${CATZILLA_SKIP_TESTS:-false}" == true ]]; then
	echo "catzilla: tests skipped, the older glibc for tests not obtained" >&2
	exit 0
fi
mkdir -p "$out"
rm -f "$out/old-glibc.properties" "$out/error.txt"
fail() {
	echo "$*" >"$out/error.txt"
	echo "catzilla: WARNING: older glibc for the tests unavailable: $*" >&2
	echo "catzilla: WARNING: the tests that load the libraries on glibc 2.31 will fail." >&2
	exit 0
}
[[ "$(uname -m)" == x86_64 ]] || fail "the older-glibc set-up is for x86_64 build machines (this is $(uname -m))"
command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null \
	|| fail "apt-get/dpkg-deb not found: Debian 11's glibc is fetched from Debian's packages by name"
[[ -x "$java" ]] || fail "no Temurin 25 at $java (-Dcatzilla.temurin25.java=...): Debian's own JDK 17 needs a newer glibc"

echo "catzilla: Debian 11 glibc 2.31 for the tests (private APT configuration, private cache)" >&2
root="$(CATZILLA_APT_SUITE=bullseye catzilla_deb_root glibc-bullseye libc6 libgcc-s1 libstdc++6 zlib1g \
	2>"$out/fetch.log")" || {
	cat "$out/fetch.log" >&2
	fail "fetching Debian 11's libc6 failed: $(tail -1 "$out/fetch.log")"
}
cat "$out/fetch.log" >&2
loader="$root/lib/x86_64-linux-gnu/ld-2.31.so"
[[ -x "$loader" ]] || fail "no $loader in the extracted bullseye libc6 (is bullseye still glibc 2.31?)"
library_path="$root/lib/x86_64-linux-gnu:$root/usr/lib/x86_64-linux-gnu"
if ! version="$("$loader" --library-path "$library_path" "$java" -version 2>&1)"; then
	fail "Temurin 25 does not start on glibc 2.31 ($loader): $version"
fi
echo "catzilla: glibc 2.31 loader ready: $(head -1 <<<"$version") runs on $loader" >&2
# bullseye-security serves no arm64 packages through this machine's mirror: versions of bullseye's main suite.
arm64_packages=(
	openjdk-17-jre-headless:arm64=17.0.12+7-2~deb11u1
	libc6:arm64=2.31-13+deb11u11
	zlib1g:arm64=1:1.2.11.dfsg-2+deb11u2
	libgcc-s1:arm64=10.2.1-6
	libstdc++6:arm64=10.2.1-6
)
arm64_root=""
if [[ "${CATZILLA_TEST_AARCH64:-true}" != false ]]; then
	arm64_root="$(CATZILLA_APT_FOREIGN=arm64 CATZILLA_APT_SUITE=bullseye catzilla_deb_root glibc-bullseye-arm64 \
		"${arm64_packages[@]}" 2>"$out/fetch-arm64.log")" || {
		cat "$out/fetch-arm64.log" >&2
		fail "fetching Debian 11's arm64 libc6 + OpenJDK 17 failed: $(tail -1 "$out/fetch-arm64.log")"
	}
	cat "$out/fetch-arm64.log" >&2
	[[ -f "$arm64_root/lib/aarch64-linux-gnu/libc-2.31.so" ]] || fail "no glibc 2.31 in the arm64 sysroot $arm64_root"
	[[ -f "$arm64_root/usr/lib/jvm/java-17-openjdk-arm64/bin/java" ]] || fail "no arm64 java in $arm64_root"
fi
{
	if [[ -n "$arm64_root" ]]; then
		echo "aarch64Sysroot=$arm64_root"
		echo "aarch64Java=$arm64_root/usr/lib/jvm/java-17-openjdk-arm64/bin/java"
	fi
	echo "loader=$loader"
	echo "libraryPath=$library_path"
	echo "glibc=2.31"
	echo "java=$java"
} >"$out/old-glibc.properties"
