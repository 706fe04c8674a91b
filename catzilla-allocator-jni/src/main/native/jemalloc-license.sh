#!/usr/bin/env bash
# Copies jemalloc's license (COPYING from the very source tarball the native libraries are built from, checked
# against the pin in jemalloc.sh) to <classes>/META-INF/LICENSE-jemalloc: jemalloc's BSD terms require its notice
# with every binary, and the jar ships jemalloc statically linked. Run by Maven after build.sh (process-classes).
# Usage: jemalloc-license.sh <classes dir>
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=apt-private.sh
source "$here/apt-private.sh"
classes="${1:?usage: jemalloc-license.sh <classes dir>}"

# The pin has one home, jemalloc.sh; read it from there.
pin() { sed -n "s/^$1=\\(.*\\)\$/\\1/p" "$here/jemalloc.sh"; }
version="$(pin JEMALLOC_VERSION)" tarball_name="$(pin JEMALLOC_TARBALL)" sha256="$(pin JEMALLOC_SHA256)"
[[ -n "$version" && -n "$tarball_name" && -n "$sha256" ]] || { echo "catzilla: no jemalloc pin in jemalloc.sh" >&2; exit 1; }

tarball="${JEMALLOC_SOURCE:-$(catzilla_cache_dir)/downloads/$tarball_name}"
if [[ ! -f "$tarball" ]]; then
	# jemalloc.sh found its build cached and did not need the tarball: fetch it the same way it does.
	dl="$(mktemp -d)"
	trap 'rm -rf "$dl"' EXIT
	(cd "$dl" && catzilla_apt_get source --download-only jemalloc) >&2
	mkdir -p "$(dirname "$tarball")"
	mv -f "$dl/$tarball_name" "$tarball"
fi
actual="$(sha256sum "$tarball" | cut -d' ' -f1)"
if [[ "$actual" != "$sha256" ]]; then
	echo "catzilla: REFUSED $tarball: SHA-256 $actual, expected $sha256 (jemalloc $version)" >&2
	exit 1
fi
mkdir -p "$classes/META-INF"
tar -xjOf "$tarball" "jemalloc-$version/COPYING" >"$classes/META-INF/LICENSE-jemalloc.tmp"
[[ -s "$classes/META-INF/LICENSE-jemalloc.tmp" ]] || { echo "catzilla: $tarball has no COPYING" >&2; exit 1; }
mv -f "$classes/META-INF/LICENSE-jemalloc.tmp" "$classes/META-INF/LICENSE-jemalloc"
echo "catzilla: META-INF/LICENSE-jemalloc from $tarball_name (SHA-256 $sha256)" >&2
