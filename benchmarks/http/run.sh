#!/usr/bin/env bash
# The HTTP memory benchmark, one command: starts the sample app once per set-up on 127.0.0.1 and lets
# dev.catzilla.benchmarks.http.HttpBench (benchmarks module) drive, sample, and write the tables and plots.
#
#   benchmarks/http/run.sh                  all five scenarios, about 70 minutes on 2 cores
#   benchmarks/http/run.sh smoke            tiny durations, to check the set-up: about 8 minutes on a busy 2-core
#                                           machine, mostly JVM start-ups; writes under results/raw/ only
#   benchmarks/http/run.sh long             as default, but proxy and mixed run 10 minutes per set-up (about 2 h 45 min, estimated)
#   benchmarks/http/run.sh default proxy    only the named scenarios (live, burst, proxy, large, mixed; burst-aggregate:
#                                           the burst's aggregated bodies alone, run only when named)
#   ROUNDS=5 benchmarks/http/run.sh default large   more alternated rounds than Plan.java's default
# Scenarios: live, burst, proxy (see benchmarks/README.md), large (8-64 MiB bodies joined in memory, a few at a
# time), mixed (size mix changing every minute, 16 event loops: 2 minutes per set-up, 10 in the long mode).
# Per set-up and phase the tables give req/s, latency, the server's CPU time per request and per MiB, GC pause
# time and minor faults per request; most streams are paced at a fixed offered rate (Plan.java).
#
# Set-ups, the same heap for each (HEAP below): ours (catzilla.allocator=jemalloc), adaptive (Netty 4.2's default),
# pooled, jemalloc-preload (unpooled + LD_PRELOAD of Debian's libjemalloc2, fetched into ~/.cache/catzilla without
# root), arena-max-2 (adaptive + MALLOC_ARENA_MAX=2), trim-native (adaptive + -XX:TrimNativeHeapInterval).
# Not in the default list: ours-unprofiled (ours with the sampled profile off), to measure the profile's cost:
#   SETUPS="ours ours-unprofiled" ROUNDS=5 benchmarks/http/run.sh default live
# and ours-dense (ours sampling every DENSE_INTERVAL bytes, default 64KB: 64 times the default rate), whose extra
# CPU over ours-unprofiled, divided by 64, is the default rate's cost where that is too small to see directly:
#   SETUPS="ours ours-unprofiled ours-dense" ROUNDS=5 benchmarks/http/run.sh default live
# and ours-trim (ours with trim-native's flag: Catzilla for the buffers, the flag for the JVM's own malloc),
# and ours-notrim (ours without its one trim of the JVM's C heap after a burst, catzilla.jemalloc.trim-native-heap).
# Bash only starts and stops processes; the load, the numbers, the targets and the plots are Java, with unit tests.
# Needs java (17+), mvn, curl. Talks to 127.0.0.1 only; stops every process it started on exit.
set -euo pipefail

MODE="${1:-default}"
case "$MODE" in
  smoke|default|long) shift || true ;;
  -h|--help|help) sed -n '2,26p' "$0"; exit 0 ;;
  *) echo "usage: $0 [smoke|default|long] [live] [burst] [proxy] [large] [mixed]" >&2; exit 2 ;;
esac
SCENARIOS="${*:-live burst proxy large mixed}"

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
: "${JAVA:=java}"
: "${HEAP:=-Xms512m -Xmx512m -XX:+AlwaysPreTouch -XX:MaxDirectMemorySize=3g}"
: "${TRIM_INTERVAL_MS:=5000}"        # -XX:TrimNativeHeapInterval of the trim-native set-up
: "${DENSE_INTERVAL:=64KB}"          # catzilla.profile.sample-interval of the ours-dense set-up
: "${SETUPS:=ours adaptive pooled jemalloc-preload arena-max-2 trim-native}"
: "${BASE_PORT:=18180}"
: "${UPSTREAM_PORT:=18199}"
: "${BUILD:=always}"                 # always: build the jars from this work tree first (a reused jar may be
                                    # older than the commit the results name); never: use the jars there are
: "${STARTUP_TIMEOUT:=180}"
: "${ROUNDS:=}"                      # empty: the rounds of Plan.java

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RAW="$ROOT/benchmarks/results/raw/$MODE-$STAMP"
if [[ "$MODE" == smoke ]]; then RESULTS="$RAW"; else RESULTS="$ROOT/benchmarks/results"; fi
mkdir -p "$RAW" "$RESULTS"
SAMPLE_JAR="$ROOT/sample-app/target/sample-app.jar"
BENCH_JAR="$ROOT/benchmarks/target/benchmarks.jar"

say() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

declare -A PID=()
stop() { # name...: stop those servers, waiting for each (bounded)
  local name p
  for name in "$@"; do
    p="${PID[$name]:-}"; [[ -n "$p" ]] || continue
    kill "$p" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$p" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$p" 2>/dev/null || true
    unset "PID[$name]"
  done
}
trap 'stop "${!PID[@]}"' EXIT
trap 'say "interrupted"; exit 130' INT TERM

# ---------------------------------------------------------------- jars and Debian's libjemalloc2
command -v "$JAVA" >/dev/null || die "no '$JAVA' on PATH (JDK 17+ needed)"
command -v curl >/dev/null || die "curl is needed"
[[ "$BUILD" == always || "$BUILD" == never ]] || die "BUILD is always or never, not '$BUILD'"
if [[ "$BUILD" == always ]]; then
  say "building the sample and the benchmark jars (mvn -q -DskipTests -pl sample-app,benchmarks -am package; log: $RAW/build.log)"
  (cd "$ROOT" && mvn -q -DskipTests -pl sample-app,benchmarks -am package) >"$RAW/build.log" 2>&1 || die "build failed (see $RAW/build.log)"
fi
[[ -f "$SAMPLE_JAR" && -f "$BENCH_JAR" ]] || die "missing $SAMPLE_JAR or $BENCH_JAR (BUILD=$BUILD)"
PRELOAD=""
if [[ " $SETUPS " == *" jemalloc-preload "* ]]; then
  say "fetching Debian's libjemalloc2 for the jemalloc-preload set-up (cached under ~/.cache/catzilla)"
  bash "$ROOT/catzilla-allocator-jni/src/main/native/system-jemalloc.sh" "$RAW/system-jemalloc" 2>>"$RAW/build.log"
  PRELOAD="$RAW/system-jemalloc/libjemalloc.so.2"
  [[ -f "$PRELOAD" ]] || die "could not obtain libjemalloc.so.2: $(cat "$RAW/system-jemalloc/error.txt" 2>/dev/null)"
fi

# ---------------------------------------------------------------- set-ups: environment, JVM flags, app flags
setup() { # name -> ENV, JVM, APP
  ENV=""; JVM=""; APP="--catzilla.allocator=malloc"
  case "$1" in
    ours)             APP="--catzilla.allocator=jemalloc" ;;
    ours-unprofiled)  APP="--catzilla.allocator=jemalloc --catzilla.profile.sample-interval=0" ;;
    ours-dense)       APP="--catzilla.allocator=jemalloc --catzilla.profile.sample-interval=$DENSE_INTERVAL" ;;
    adaptive)         ;;
    pooled)           JVM="-Dio.netty.allocator.type=pooled" ;;
    jemalloc-preload) ENV="LD_PRELOAD=$PRELOAD"; JVM="-Dio.netty.allocator.type=unpooled" ;;
    arena-max-2)      ENV="MALLOC_ARENA_MAX=2" ;;
    trim-native)      JVM="-XX:TrimNativeHeapInterval=$TRIM_INTERVAL_MS" ;;
    ours-trim)        JVM="-XX:TrimNativeHeapInterval=$TRIM_INTERVAL_MS"; APP="--catzilla.allocator=jemalloc" ;;
    ours-notrim)      APP="--catzilla.allocator=jemalloc --catzilla.jemalloc.trim-native-heap=false" ;;
    *) die "unknown set-up '$1' (ours ours-unprofiled ours-dense ours-trim ours-notrim adaptive pooled jemalloc-preload arena-max-2 trim-native)" ;;
  esac
}
describe_setups() {
  local name sep=""
  printf 'Set-ups (each its own sample-app JVM, `%s`): ' "$HEAP"
  for name in $SETUPS; do
    setup "$name"
    printf '%s**%s** `%s%s%s`' "$sep" "$name" "${ENV:+$ENV }" "${JVM:+$JVM }" "$APP"
    sep="; "
  done
  echo "."
}

start_servers() { # scenario
  local scenario="$1" i=0 name port extra_jvm="" extra_app=""
  case "$scenario" in
    proxy)
      extra_jvm="-Dreactor.netty.ioWorkerCount=16 -Dreactor.netty.pool.maxConnections=1024"
      extra_app="--sample.proxy.upstream=http://127.0.0.1:$UPSTREAM_PORT" ;;
    large) extra_app="--sample.aggregate.max-size=80MB" ;;
    mixed) extra_jvm="-Dreactor.netty.ioWorkerCount=16"; extra_app="--sample.aggregate.max-size=32MB" ;;
  esac
  for name in $SETUPS; do
    port=$((BASE_PORT + i)); i=$((i + 1))
    curl -s -m 2 -o /dev/null "http://127.0.0.1:$port/" && die "something already listens on 127.0.0.1:$port (set BASE_PORT)"
    setup "$name"
    # shellcheck disable=SC2086
    env $ENV "$JAVA" $HEAP $JVM $extra_jvm -jar "$SAMPLE_JAR" --server.address=127.0.0.1 --server.port="$port" \
      $APP $extra_app >"$RAW/$scenario-server-$name.log" 2>&1 &
    PID[$name]=$!
    SPEC[$name]="$name=$port:${PID[$name]}"
  done
  for name in $SETUPS; do
    local deadline=$((SECONDS + STARTUP_TIMEOUT)) port="${SPEC[$name]#*=}"; port="${port%%:*}"
    until curl -fsS -m 2 -o /dev/null "http://127.0.0.1:$port/actuator/health" 2>/dev/null; do
      kill -0 "${PID[$name]}" 2>/dev/null || { tail -30 "$RAW/$scenario-server-$name.log" >&2; die "$name exited during start-up"; }
      (( SECONDS < deadline )) || die "$name not ready after ${STARTUP_TIMEOUT}s (log: $RAW/$scenario-server-$name.log)"
      sleep 0.5
    done
  done
  if [[ -n "${PID[jemalloc-preload]:-}" ]] && ! grep -q libjemalloc.so.2 "/proc/${PID[jemalloc-preload]}/maps"; then
    die "jemalloc-preload: libjemalloc.so.2 is not mapped into the server (LD_PRELOAD=$PRELOAD did not take)"
  fi
  say "$scenario: servers ready: ${SPEC[*]}"
}

if [[ " $SCENARIOS " == *" proxy "* ]]; then
  "$JAVA" -Xmx512m -cp "$BENCH_JAR" dev.catzilla.benchmarks.http.SlowUpstream --port "$UPSTREAM_PORT" \
    >"$RAW/upstream.log" 2>&1 &
  PID[upstream]=$!
fi

COMMIT="$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)$(cd "$ROOT" && git diff --quiet HEAD 2>/dev/null || echo '+uncommitted changes')"
ABOUT="Command: \`${ROUNDS:+ROUNDS=$ROUNDS }SETUPS=\"$SETUPS\" benchmarks/http/run.sh $MODE${*:+ $*}\` at commit $COMMIT; $(nproc) cores, $(uname -sr), $("$JAVA" -version 2>&1 | head -1). $(describe_setups)"
say "$MODE run of: $SCENARIOS; results in $RESULTS, raw data and logs in $RAW"
for scenario in $SCENARIOS; do
  declare -A SPEC=()
  start_servers "$scenario"
  args=()
  for name in $SETUPS; do args+=(--setup "${SPEC[$name]}"); done
  "$JAVA" -Xmx1g -cp "$BENCH_JAR" dev.catzilla.benchmarks.http.HttpBench --scenario "$scenario" --mode "$MODE" \
    --results "$RESULTS" --raw "$RAW" --about "$ABOUT" ${ROUNDS:+--rounds "$ROUNDS"} "${args[@]}" >"$RAW/$scenario-report.md" \
    || die "$scenario failed (see above and $RAW)"
  stop $SETUPS
  unset SPEC
  say "$scenario: wrote $RESULTS/$scenario.md and $RESULTS/$scenario-rss.png"
done
say "done: $(for s in $SCENARIOS; do printf '%s ' "$RESULTS/$s.md"; done)"
