#!/usr/bin/env bash
# Two clean builds of one commit must give byte-identical jars, native libraries included (docs/release.md).
# Clones <commit> twice into different directories, builds the published modules in each (the second with an empty
# jemalloc cache, so jemalloc is configured and compiled again elsewhere; the pinned tarball is reused via
# JEMALLOC_SOURCE), and compares the SHA-256 of every jar and library. Not part of `mvn verify` (two builds: minutes).
# Usage: release/reproducible.sh [<commit>=HEAD] [<extra mvn args>...]   e.g. -Dcatzilla.native.cross=none
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
commit="$(git -C "$repo" rev-parse "${1:-HEAD}")"
shift || true
work="$(mktemp -d "${TMPDIR:-/tmp}/catzilla-repro.XXXXXX")"
trap 'rm -rf "$work"' EXIT
here_cache="${XDG_CACHE_HOME:-$HOME/.cache}/catzilla"
tarball="${JEMALLOC_SOURCE:-$here_cache/downloads/$(sed -n 's/^JEMALLOC_TARBALL=//p' "$repo/catzilla-allocator-jni/src/main/native/jemalloc.sh")}"

build() { # <dir> [env...]
	local dir="$1"
	shift
	git clone -q "$repo" "$dir"
	git -C "$dir" checkout -q "$commit"
	(cd "$dir" && env "$@" mvn -q -B -o -pl catzilla-allocator-jni,catzilla-autoconfigure,catzilla-spring-boot-starter \
		package -DskipTests -Dcatzilla.test.aarch64=false "${extra[@]}" >"$dir.log" 2>&1) || {
		tail -30 "$dir.log"
		echo "catzilla: the build in $dir failed" >&2
		exit 1
	}
	(cd "$dir" && sha256sum */target/*.jar catzilla-allocator-jni/target/classes/META-INF/native/*.so) >"$dir.sha256"
}

extra=("$@")
echo "catzilla: building $commit twice ($work/a, $work/second-checkout)" >&2
build "$work/a" "PATH=$PATH"
mkdir -p "$work/cache"
if [[ -f "$tarball" ]]; then
	build "$work/second-checkout" "XDG_CACHE_HOME=$work/cache" "JEMALLOC_SOURCE=$tarball"
else
	build "$work/second-checkout" "XDG_CACHE_HOME=$work/cache"
fi
if diff "$work/a.sha256" "$work/second-checkout.sha256"; then
	cat "$work/a.sha256"
	echo "catzilla: reproducible: both builds of $commit gave the same $(wc -l <"$work/a.sha256") files"
else
	echo "catzilla: NOT reproducible: the builds of $commit differ (above)" >&2
	exit 1
fi
