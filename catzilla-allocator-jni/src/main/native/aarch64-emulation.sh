#!/usr/bin/env bash
# Test support: obtains what the tests need to run the linux-aarch64 library on this x86_64 machine, by package name,
# without root and without installing anything: QEMU's user-mode emulator (qemu-user-static) and an arm64 sysroot
# with Debian's arm64 Java 17 runtime and the arm64 libraries it loads (`apt-get download` + `dpkg-deb -x` into
# ${XDG_CACHE_HOME:-$HOME/.cache}/catzilla/; arm64 package lists through a private APT configuration that knows
# arm64, the system's dpkg is not touched). Writes <out dir>/emulation.properties (qemu, sysroot, java) or, when
# something is missing, <out dir>/error.txt with the reason, which the emulation tests report as their failure.
# Run by Maven before the tests (phase process-test-classes, Linux profile); does nothing with -DskipTests.
# Usage: aarch64-emulation.sh <out dir>
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=apt-private.sh
source "$here/apt-private.sh"

out="${1:?usage: aarch64-emulation.sh <out dir>}"
if [[ "${CATZILLA_SKIP_TESTS:-false}" == true || "${CATZILLA_TEST_AARCH64:-true}" == false ]]; then
	echo "catzilla: tests (or -Dcatzilla.test.aarch64) off, aarch64 emulation not obtained" >&2
	exit 0
fi
mkdir -p "$out"
rm -f "$out/emulation.properties" "$out/error.txt"
fail() {
	echo "$*" >"$out/error.txt"
	echo "catzilla: WARNING: aarch64 emulation unavailable: $*" >&2
	echo "catzilla: WARNING: the linux-aarch64 tests will fail; -Dcatzilla.test.aarch64=false turns them off." >&2
	exit 0
}
[[ "$(uname -m)" == x86_64 ]] || fail "the emulation set-up is for x86_64 build machines (this is $(uname -m))"
command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null \
	|| fail "apt-get/dpkg-deb not found: qemu-user-static and the arm64 JVM are fetched from Debian's packages by name"

# Resolved once on Debian 12 (`apt-get install -s openjdk-17-jre-headless:arm64`) and trimmed to what a headless
# `java` loads: the JVM, glibc, zlib, libgcc_s, libstdc++. Not its desktop/cups/alsa dependencies.
packages=(
	qemu-user-static=1:7.2+dfsg-7+deb12u18+b3
	openjdk-17-jre-headless:arm64=17.0.21.1+2-1~deb12u1
	libc6:arm64=2.36-9+deb12u14
	zlib1g:arm64=1:1.2.13.dfsg-1
	libgcc-s1:arm64=12.2.0-14+deb12u1
	libstdc++6:arm64=12.2.0-14+deb12u1
	gcc-12-base:arm64=12.2.0-14+deb12u1
)
echo "catzilla: aarch64 emulation for the tests: qemu-user-static + an arm64 Java 17 sysroot (private cache)" >&2
root="$(CATZILLA_APT_FOREIGN=arm64 catzilla_deb_root aarch64-sysroot "${packages[@]}" 2>"$out/fetch.log")" || {
	cat "$out/fetch.log" >&2
	fail "fetching the arm64 sysroot failed: $(tail -1 "$out/fetch.log")"
}
cat "$out/fetch.log" >&2
qemu="$root/usr/bin/qemu-aarch64-static"
java="$root/usr/lib/jvm/java-17-openjdk-arm64/bin/java"
[[ -x "$qemu" ]] || fail "no $qemu in the extracted qemu-user-static"
[[ -x "$java" ]] || fail "no $java in the extracted openjdk-17-jre-headless:arm64"
start=$(date +%s%N)
if ! version="$("$qemu" -L "$root" "$java" -version 2>&1)"; then
	fail "the arm64 JVM does not start under $qemu: $version"
fi
echo "catzilla: arm64 JVM under qemu: $(head -1 <<<"$version") ($(( ($(date +%s%N) - start) / 1000000 )) ms for java -version)" >&2
{
	echo "qemu=$qemu"
	echo "sysroot=$root"
	echo "java=$java"
} >"$out/emulation.properties"
