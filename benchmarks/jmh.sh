#!/usr/bin/env bash
# Builds the benchmark jar and runs the allocator benchmark (never during other builds: it needs a quiet machine).
# Extra arguments go to JMH, e.g.  benchmarks/jmh.sh -p size=64,1024
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -pl benchmarks -am -DskipTests package
uptime
exec java -jar benchmarks/target/benchmarks.jar AllocatorBenchmark -f 3 -wi 5 -w 1s -i 5 -r 1s "$@"
