#!/usr/bin/env bash
# Test support: an older real glibc for the tests that load the glibc libraries on it (docs/native.md, "glibc
# floor"). Fetches Debian 11 (bullseye, glibc 2.31) `libc6`, `libgcc-s1`, `libstdc++6`, `zlib1g` by package name
# through a private APT configuration (CATZILLA_APT_SUITE=bullseye: own lists and cache; no root, the system's dpkg
# and APT are not touched) and extracts them into ${XDG_CACHE_HOME:-$HOME/.cache}/catzilla/. The tests run
# Temurin 25 as `<root>/lib/x86_64-linux-gnu/ld-2.31.so --library-path <root libs> java ...`.
# Writes <out dir>/old-glibc.properties (loader, libraryPath, glibc) or, when something is missing,
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
{
	echo "loader=$loader"
	echo "libraryPath=$library_path"
	echo "glibc=2.31"
	echo "java=$java"
} >"$out/old-glibc.properties"
