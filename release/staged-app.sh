#!/usr/bin/env bash
# A user's application (release/staged-app) resolves catzilla-spring-boot-starter from the staged repository, starts
# and serves a request with jemalloc (its one test). Run by the starter's build in -Prelease after the staged-repository
# check. Its local repository is new and private (<work>/m2), so the staged SNAPSHOTs never reach ~/.m2; every other
# artifact comes from ~/.m2 read as a file: repository (no network).
# Usage: staged-app.sh <altDeploymentRepository> <version> <work dir>
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
alt="${1:?usage: staged-app.sh <altDeploymentRepository> <version> <work dir>}"
version="${2:?version}"
work="${3:?work dir}"
if [[ ! "$alt" =~ ^[^:]+::(default::)?(file:.*)$ ]]; then
	echo "catzilla: staged-app test skipped: -DaltDeploymentRepository is not a file: URL ($alt); see docs/release.md"
	exit 0
fi
staging="${BASH_REMATCH[2]}"
m2="${CATZILLA_USER_M2:-$HOME/.m2/repository}"
rm -rf "$work"
mkdir -p "$work"
cp -r "$here/staged-app" "$work/app"
cat >"$work/settings.xml" <<SETTINGS
<settings>
  <localRepository>$work/m2</localRepository>
  <mirrors>
    <mirror>
      <id>user-m2-read-only</id>
      <mirrorOf>*,!catzilla-staging</mirrorOf>
      <url>file://$m2</url>
    </mirror>
  </mirrors>
</settings>
SETTINGS
echo "catzilla: building an application against the staged starter $version ($staging), log: $work/build.log"
if ! "${CATZILLA_MVN:-mvn}" -B -s "$work/settings.xml" -f "$work/app/pom.xml" test \
	-Dcatzilla.version="$version" -Dcatzilla.staging="$staging" >"$work/build.log" 2>&1; then
	tail -40 "$work/build.log"
	echo "catzilla: FAILED: an application could not use the staged starter (log: $work/build.log)" >&2
	exit 1
fi
jar="$(find "$work/m2/dev/catzilla/catzilla-allocator-jni" -name '*.jar' | head -1)"
grep -q "Tests run: 1, Failures: 0, Errors: 0" "$work/build.log" || { echo "catzilla: the staged-app test did not run" >&2; exit 1; }
echo "catzilla: an application resolved the starter from $staging (allocator: ${jar#"$work/m2/"}), started, and jemalloc served it"
