#!/usr/bin/env bash
# Test support: a real Prometheus for GrafanaDashboardTests, which scrapes the sample app and evaluates every query of
# docs/grafana/catzilla-dashboard.json. Fetches this machine's Debian `prometheus` package (Debian 12: 2.42) by name
# through the private APT configuration of catzilla-allocator-jni/src/main/native/apt-private.sh (no root; the
# system's dpkg and APT are not touched) and extracts it under ${XDG_CACHE_HOME:-$HOME/.cache}/catzilla/.
# Writes <out dir>/prometheus.properties (binary, version, package) or, when something is missing, <out dir>/error.txt
# with the reason, which the test reports as its failure (it never skips).
# Run by Maven before the tests (phase process-test-classes); does nothing with -DskipTests.
# Usage: prometheus.sh <out dir>
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../../../../catzilla-allocator-jni/src/main/native/apt-private.sh
source "$here/../../../../catzilla-allocator-jni/src/main/native/apt-private.sh"

out="${1:?usage: prometheus.sh <out dir>}"
if [[ "${CATZILLA_SKIP_TESTS:-false}" == true ]]; then
	echo "catzilla: tests skipped, Prometheus for tests not obtained" >&2
	exit 0
fi
mkdir -p "$out"
rm -f "$out/prometheus.properties" "$out/error.txt"
fail() {
	echo "$*" >"$out/error.txt"
	echo "catzilla: WARNING: Prometheus for the dashboard test unavailable: $*" >&2
	echo "catzilla: WARNING: GrafanaDashboardTests will fail with this reason." >&2
	exit 0
}
[[ "$(uname -s)" == Linux ]] || fail "Prometheus is fetched from Debian's packages: this is $(uname -s), not Linux"
command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null \
	|| fail "apt-get/dpkg-deb not found: Prometheus is fetched from Debian's package 'prometheus' by name"

echo "catzilla: Debian's prometheus for the dashboard test (private APT configuration, private cache)" >&2
root="$(catzilla_deb_root prometheus prometheus 2>"$out/fetch.log")" || {
	cat "$out/fetch.log" >&2
	fail "fetching Debian's package 'prometheus' failed: $(tail -1 "$out/fetch.log")"
}
cat "$out/fetch.log" >&2
binary="$root/usr/bin/prometheus"
[[ -x "$binary" ]] || fail "no usr/bin/prometheus in the extracted package ($root)"
if ! version="$("$binary" --version 2>&1)"; then
	fail "$binary does not run: $version"
fi
version="$(head -1 <<<"$version")"
echo "catzilla: $version ($binary)" >&2
{
	echo "binary=$binary"
	echo "version=$version"
	echo "package=$(cat "$root/.packages")"
} >"$out/prometheus.properties"
