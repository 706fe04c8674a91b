#!/usr/bin/env bash
# Builds the pure-Java mimalloc port for Netty 4.2 (github.com/neoionet/netty-allocator, Apache-2.0), a competitor in
# AllocationPatternBenchmark, from its source, and prints the path of the jar. Nothing of it is committed here: it is
# not on Maven Central (io.github.neoionet:mimalloc:1.1.2.Final, as its README names it, does not resolve from Central),
# so it is built at benchmark time into ~/.cache/catzilla/netty-mimalloc/<tag>/ and put on the classpath:
#
#   java -cp benchmarks/target/benchmarks.jar:$(benchmarks/competitors/netty-mimalloc.sh) org.openjdk.jmh.Main \
#       AllocationPatternBenchmark -p allocator=mimalloc,...
#
# Source: NETTY_MIMALLOC_GIT (a git repository or bare mirror of it; default: cloned from GitHub into the cache),
# at NETTY_MIMALLOC_TAG (default 1.1.2.Final, its latest release). Compiled with this JDK's javac against the Netty
# classes in benchmarks/target/benchmarks.jar (so against the Netty version the benchmark runs with).
set -euo pipefail

tag=${NETTY_MIMALLOC_TAG:-1.1.2.Final}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bench_jar=${BENCHMARKS_JAR:-$here/../target/benchmarks.jar}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/catzilla/netty-mimalloc
out=$cache/$tag/netty-mimalloc.jar

if [[ -f $out ]]; then
	echo "$out"
	exit 0
fi
[[ -f $bench_jar ]] || { echo "netty-mimalloc: $bench_jar missing: build the benchmarks first (mvn -pl benchmarks -am -DskipTests package)" >&2; exit 1; }

git_dir=${NETTY_MIMALLOC_GIT:-}
if [[ -z $git_dir ]]; then
	git_dir=$cache/repo.git
	if [[ ! -d $git_dir ]]; then
		git clone --quiet --bare https://github.com/neoionet/netty-allocator.git "$git_dir" >&2 \
			|| { echo "netty-mimalloc: cannot clone github.com/neoionet/netty-allocator; set NETTY_MIMALLOC_GIT to a copy" >&2; exit 1; }
	fi
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git --git-dir="$git_dir" archive "$tag" mimalloc/src/main/java | tar -x -C "$work"
find "$work/mimalloc/src/main/java" -name '*.java' >"$work/sources"
mkdir -p "$work/classes" "$(dirname "$out")"
javac -nowarn -encoding UTF-8 --release 17 -cp "$bench_jar" -d "$work/classes" @"$work/sources" >&2
commit=$(git --git-dir="$git_dir" rev-parse "$tag^{commit}")
printf 'netty-allocator %s (%s), built from source by benchmarks/competitors/netty-mimalloc.sh\n' "$tag" "$commit" \
	>"$work/classes/NETTY-MIMALLOC-SOURCE.txt"
jar --create --file "$out.tmp" -C "$work/classes" .
mv "$out.tmp" "$out"
echo "$out"
