#!/usr/bin/env bash
# Test support: obtains Debian's libjemalloc.so.2 (package libjemalloc2) by package name, without root and without
# installing it, for the test that runs a JVM with LD_PRELOAD=libjemalloc.so.2 next to our private jemalloc.
# Cached under ${XDG_CACHE_HOME:-$HOME/.cache}/catzilla/libjemalloc2/; the library is copied to <out dir>/libjemalloc.so.2.
# Run by Maven before the tests (phase process-test-classes, Linux profile); does nothing with -DskipTests.
# Usage: system-jemalloc.sh <out dir>
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=apt-private.sh
source "$here/apt-private.sh"

out="${1:?usage: system-jemalloc.sh <out dir>}"
if [[ "${CATZILLA_SKIP_TESTS:-false}" == true ]]; then
	# -DskipTests (e.g. the README's run command): no test needs it, so nothing is downloaded.
	echo "catzilla: tests skipped, libjemalloc.so.2 for tests not obtained" >&2
	exit 0
fi
mkdir -p "$out"
rm -f "$out/libjemalloc.so.2" "$out/error.txt"
if [[ "${2:-}" != --obtain ]]; then
	# Any failure is recorded for the test, which fails on Linux x86_64 with this reason (the build goes on).
	if ! bash "${BASH_SOURCE[0]}" "$out" --obtain 2>"$out/log.txt"; then
		cat "$out/log.txt" >&2
		{ echo "could not obtain libjemalloc.so.2 (Debian package libjemalloc2):"; tail -5 "$out/log.txt"; } >"$out/error.txt"
		echo "catzilla: WARNING: $(head -1 "$out/error.txt")" >&2
	else
		cat "$out/log.txt" >&2
	fi
	exit 0
fi
cache="$(catzilla_cache_dir)/libjemalloc2"
lib="$cache/libjemalloc.so.2"

if [[ ! -f "$lib" ]]; then
	command -v dpkg-deb >/dev/null || { echo "catzilla: dpkg-deb not found" >&2; exit 1; }
	mkdir -p "$(dirname "$cache")"
	tmp="$(mktemp -d "$(dirname "$cache")/.libjemalloc2.XXXXXX")"
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && catzilla_apt_get download libjemalloc2)
	deb="$(ls "$tmp"/libjemalloc2_*.deb)"
	dpkg-deb -x "$deb" "$tmp/root"
	found="$(find "$tmp/root" -name 'libjemalloc.so.2' | head -1)"
	[[ -n "$found" ]] || { echo "catzilla: $deb has no libjemalloc.so.2" >&2; exit 1; }
	mkdir -p "$tmp/out"
	cp -L "$found" "$tmp/out/libjemalloc.so.2"
	basename "$deb" >"$tmp/out/package"
	mv -T "$tmp/out" "$cache" 2>/dev/null || [[ -f "$lib" ]]
	rm -rf "$tmp"
	trap - EXIT
fi
cp "$lib" "$out/libjemalloc.so.2"
echo "catzilla: system jemalloc for tests: $out/libjemalloc.so.2 ($(cat "$cache/package"))" >&2
