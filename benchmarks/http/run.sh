#!/usr/bin/env bash
# HTTP + memory benchmark of the Catzilla sample app, one command.
#
#   benchmarks/http/run.sh            full run (~15 min on 2 cores): throughput, latency, RSS around a burst
#   benchmarks/http/run.sh smoke      the same with tiny durations (~2 min), results under benchmarks/results/raw/
#   benchmarks/http/run.sh soak       bounded soak (default 10 min): zero socket errors, RSS plateau
#
# Allocators compared, each in its own sample-app JVM on 127.0.0.1 with the same heap:
#   jemalloc  --catzilla.allocator=jemalloc
#   adaptive  --catzilla.allocator=malloc                                    (Netty 4.2's default, the reference)
#   pooled    --catzilla.allocator=malloc -Dio.netty.allocator.type=pooled
# Every knob is an environment variable (see "Settings" below). Needs java, curl, awk; installs wrk and gnuplot with
# apt-get if they are missing (and says so). Only ever talks to 127.0.0.1. Kills the servers it started on exit.
set -euo pipefail

MODE="${1:-bench}"
case "$MODE" in
  bench|smoke|soak) ;;
  -h|--help|help) sed -n '2,13p' "$0"; exit 0 ;;
  *) echo "usage: $0 [bench|smoke|soak]" >&2; exit 2 ;;
esac

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"

# ---------------------------------------------------------------- Settings (env vars; smoke has smaller defaults)
if [[ "$MODE" == smoke ]]; then
  : "${ROUNDS:=1}" "${WARMUP_SECONDS:=2}" "${DURATION_SECONDS:=4}" "${PRE_IDLE_SECONDS:=2}"
  : "${BURST_SECONDS:=4}" "${IDLE_SECONDS:=16}" "${RESULTS_DIR:=$ROOT/benchmarks/results/raw/smoke}"
fi
: "${ROUNDS:=5}"                    # rounds of the two throughput workloads; allocators alternate within a round
: "${WARMUP_SECONDS:=10}"           # per allocator and workload, before the measured rounds
: "${DURATION_SECONDS:=30}"         # per allocator, workload and round
: "${CONNECTIONS:=32}"              # wrk connections for the throughput workloads
: "${WRK_THREADS:=2}"
: "${ECHO_BYTES:=16384}"            # POST /echo body
: "${GET_BYTES:=65536}"             # GET /bytes/{n}
: "${PRE_IDLE_SECONDS:=5}"          # quiet time before a burst; the baseline RSS is the mean over it
: "${BURST_SECONDS:=10}"
# The burst: many concurrent large bodies. GET /bytes/<8 MiB> by default: the server produces the body faster than
# the socket drains it, so every connection holds MiBs of Netty buffers (128 x 8 MiB pushed RSS up ~400 MiB on the
# dev machine). A streamed echo holds only ~100 KiB per connection (backpressure on both sides), so BURST_KIND=echo
# needs thousands of connections to move RSS at all.
: "${BURST_KIND:=get}"              # get | echo
: "${BURST_CONNECTIONS:=128}"
: "${BURST_BYTES:=8388608}"         # size of each burst body (8 MiB)
: "${IDLE_SECONDS:=20}"             # idle after the burst; RSS "after" is read 15 s after the burst ended
: "${AFTER_SECONDS:=15}"
: "${SAMPLE_INTERVAL:=0.5}"         # RSS sampling period (s), from /proc/<pid>/status VmRSS
: "${SOAK_SECONDS:=600}"
: "${SOAK_ALLOCATORS:=jemalloc}"    # space-separated subset of: jemalloc adaptive pooled
: "${SOAK_CONNECTIONS:=32}"
: "${SOAK_MAX_GROWTH_PCT:=5}"       # plateau: mean RSS of the last third <= middle third + max(5 %, 16 MiB)
: "${SOAK_MAX_GROWTH_MIB:=16}"
: "${ALLOCATORS:=jemalloc adaptive pooled}"
: "${JAVA:=java}"
: "${JAVA_OPTS:=-Xms512m -Xmx512m -XX:MaxDirectMemorySize=2g}"   # the same for every allocator
: "${BASE_PORT:=18080}"
: "${JAR:=$ROOT/sample-app/target/sample-app.jar}"
: "${BUILD:=auto}"                  # auto: build if the jar is missing or older than a source; always; never
: "${RESULTS_DIR:=$ROOT/benchmarks/results}"
: "${STARTUP_TIMEOUT:=90}"

HOST=127.0.0.1
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RAW="$ROOT/benchmarks/results/raw/$MODE-$STAMP"
mkdir -p "$RAW" "$RESULTS_DIR"
LOG="$RAW/run.log"

say() { echo "[$(date -u +%H:%M:%S)] $*" | tee -a "$LOG" >&2; }
WARNINGS="$RAW/warnings.txt"   # repeated at the top of the results file
: >"$WARNINGS"
warn() { say "WARNING: $*"; echo "$*" >>"$WARNINGS"; }
die() { say "ERROR: $*"; exit 1; }
now() { echo "${EPOCHREALTIME/,/.}"; }

(( IDLE_SECONDS > AFTER_SECONDS )) || die "IDLE_SECONDS ($IDLE_SECONDS) must be more than AFTER_SECONDS ($AFTER_SECONDS)"
case "$BURST_KIND" in get|echo) ;; *) die "BURST_KIND must be get or echo, not '$BURST_KIND'" ;; esac
for a in $ALLOCATORS $SOAK_ALLOCATORS; do
  case "$a" in jemalloc|adaptive|pooled) ;; *) die "unknown allocator '$a' (jemalloc adaptive pooled)";; esac
done
[[ " $ALLOCATORS " == *" adaptive "* ]] || [[ "$MODE" == soak ]] \
  || die "ALLOCATORS must include adaptive: the targets are ratios against Netty's default"

# ---------------------------------------------------------------- Tools
need_pkg() { # command package
  command -v "$1" >/dev/null 2>&1 && return 0
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    say "$1 is missing: installing Debian package $2 with apt-get"
    apt-get install -y -q "$2" >>"$LOG" 2>&1 || { apt-get update -q >>"$LOG" 2>&1 && apt-get install -y -q "$2" >>"$LOG" 2>&1; } \
      || die "apt-get install $2 failed (see $LOG)"
  else
    die "$1 is missing: install it first, e.g. 'sudo apt-get install $2'"
  fi
}
need_pkg wrk wrk
need_pkg gnuplot gnuplot-nox
need_pkg curl curl
command -v "$JAVA" >/dev/null || die "no '$JAVA' on PATH (JDK 17+ needed)"

# ---------------------------------------------------------------- The jar
stale_jar() { # true when the jar is missing or any module source / pom is newer than it
  [[ -f "$JAR" ]] || return 0
  [[ -n "$(find "$ROOT/pom.xml" "$ROOT"/catzilla-* "$ROOT/sample-app" -name target -prune -o -type f -newer "$JAR" -print -quit)" ]]
}
case "$BUILD" in
  always) build=1 ;;
  auto) if stale_jar; then build=1; else build=0; fi ;;
  never) build=0 ;;
  *) die "BUILD must be auto, always or never, not '$BUILD'" ;;
esac
if (( build )); then
  say "building the sample jar: mvn -q -DskipTests -pl sample-app -am package"
  (cd "$ROOT" && mvn -q -DskipTests -pl sample-app -am package) >>"$LOG" 2>&1 || die "build failed (see $LOG)"
fi
[[ -f "$JAR" ]] || die "no jar at $JAR (BUILD=$BUILD)"

# ---------------------------------------------------------------- Servers, RSS samplers, cleanup
declare -A PID PORT SAMPLER
EVENTS="$RAW/events.tsv"   # epoch_s allocator event
: >"$EVENTS"
event() { echo "$(now) $1 $2" >>"$EVENTS"; }

cleanup() {
  local p
  for a in "${!SAMPLER[@]}"; do kill "${SAMPLER[$a]}" 2>/dev/null || true; done
  for a in "${!PID[@]}"; do
    p="${PID[$a]}"
    if kill -0 "$p" 2>/dev/null; then
      kill "$p" 2>/dev/null || true
      for _ in $(seq 1 40); do kill -0 "$p" 2>/dev/null || break; sleep 0.25; done
      kill -9 "$p" 2>/dev/null || true
    fi
  done
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT TERM

allocator_args() { # allocator -> JVM args / app args
  case "$1" in
    jemalloc) echo "JVM: APP:--catzilla.allocator=jemalloc" ;;
    adaptive) echo "JVM: APP:--catzilla.allocator=malloc" ;;
    pooled)   echo "JVM:-Dio.netty.allocator.type=pooled APP:--catzilla.allocator=malloc" ;;
  esac
}

sample_rss() { # allocator pid file   (bounded: stops when the process is gone or after 4 h)
  local a="$1" p="$2" f="$3" rss i=0 max
  max=$(awk -v s="$SAMPLE_INTERVAL" 'BEGIN { printf "%d", 14400 / s }')
  while (( i < max )) && [[ -r /proc/$p/status ]]; do
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null) || break
    [[ -n "$rss" ]] && echo "$(now) $rss" >>"$f"
    sleep "$SAMPLE_INTERVAL"
    i=$((i + 1))
  done
}

start_server() { # allocator index
  local a="$1" port=$((BASE_PORT + $2)) spec jvm app
  if curl -s -m 2 -o /dev/null "http://$HOST:$port/"; then
    die "something already listens on $HOST:$port; stop it or set BASE_PORT"
  fi
  spec=$(allocator_args "$a"); jvm=${spec%% APP:*}; jvm=${jvm#JVM:}; app=${spec##*APP:}
  # shellcheck disable=SC2086
  "$JAVA" $JAVA_OPTS $jvm -jar "$JAR" --server.address=$HOST --server.port="$port" $app \
    --sample.echo.max-size=$((BURST_BYTES > ECHO_BYTES ? BURST_BYTES : ECHO_BYTES)) \
    --sample.bytes.max-size=$((BURST_BYTES > GET_BYTES ? BURST_BYTES : GET_BYTES)) \
    >"$RAW/server-$a.log" 2>&1 &
  PID[$a]=$!
  PORT[$a]=$port
  : >"$RAW/rss-$a.tsv"
  sample_rss "$a" "${PID[$a]}" "$RAW/rss-$a.tsv" &
  SAMPLER[$a]=$!
  say "started $a: pid ${PID[$a]}, port $port, $JAVA_OPTS $jvm $app"
}

wait_ready() { # allocator
  local a="$1" deadline=$((SECONDS + STARTUP_TIMEOUT))
  while (( SECONDS < deadline )); do
    kill -0 "${PID[$a]}" 2>/dev/null || { tail -40 "$RAW/server-$a.log" >&2; die "$a server exited during startup (log: $RAW/server-$a.log)"; }
    if curl -fsS -m 2 "http://$HOST:${PORT[$a]}/actuator/health" >/dev/null 2>&1; then
      curl -sS -m 5 "http://$HOST:${PORT[$a]}/actuator/catzilla" >"$RAW/catzilla-$a.json" 2>/dev/null || true
      say "$a ready; /actuator/catzilla: $(head -c 300 "$RAW/catzilla-$a.json" 2>/dev/null | tr -d '\n')"
      return 0
    fi
    sleep 0.5
  done
  die "$a server not ready after ${STARTUP_TIMEOUT}s (log: $RAW/server-$a.log)"
}

json_field() { # file field -> first string value of "field" in a JSON file
  { tr -d '\n' <"$1"; } 2>/dev/null | grep -o "\"$2\" *: *\"[^\"]*\"" | head -1 | sed 's/.*: *"//; s/"$//' || true
}

SERVING="$RAW/serving.txt"   # allocator -> the allocator class /actuator/catzilla reports
: >"$SERVING"
check_allocator() { # allocator: say loudly when the endpoint reports something else than asked for
  local a="$1" f="$RAW/catzilla-$a.json" active class want
  active=$(json_field "$f" active); class=$(json_field "$f" allocatorClass)
  case "$a" in jemalloc) want=JemallocByteBufAllocator ;; adaptive) want=AdaptiveByteBufAllocator ;; pooled) want=PooledByteBufAllocator ;; esac
  echo "$a ${class:-unknown}" >>"$SERVING"
  if [[ -z "$active" ]]; then
    warn "$a: /actuator/catzilla did not answer with an active allocator; cannot confirm which allocator serves"
  elif [[ "$class" != *"$want" ]]; then
    warn "$a: /actuator/catzilla reports '$active' ($class), expected $want"
  else
    say "$a: /actuator/catzilla reports active allocator '$active' ($class)"
  fi
}

# ---------------------------------------------------------------- wrk
RESULTS_TSV="$RAW/wrk.tsv"   # round allocator workload rps p50_us p99_us requests socket_errors non2xx
[[ -f "$RESULTS_TSV" ]] || echo -e "round\tallocator\tworkload\trps\tp50_us\tp99_us\trequests\tsocket_errors\tnon2xx" >"$RESULTS_TSV"

run_wrk() { # round allocator workload seconds connections timeout lua-args...
  local round="$1" a="$2" w="$3" d="$4" c="$5" to="$6"; shift 6
  local out="$RAW/wrk-$a-$w-$round.txt" line
  timeout $((d + 120)) wrk -t"$WRK_THREADS" -c"$c" -d"${d}s" --timeout "$to" --latency \
    -s "$HERE/workload.lua" "http://$HOST:${PORT[$a]}" -- "$@" >"$out" 2>&1 || warn "wrk exited non-zero for $a $w (see ${out#"$ROOT"/})"
  line=$(grep '^CATZILLA_RESULT' "$out" | tail -1) || true
  [[ -n "$line" ]] || die "no result from wrk for $a $w (see $out)"
  kill -0 "${PID[$a]}" 2>/dev/null || die "$a server died during $w (log: $RAW/server-$a.log)"
  echo "$line" | awk -v r="$round" -v a="$a" -v w="$w" '{
      for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", r, a, w, v["rps"], v["p50_us"], v["p99_us"], v["requests"],
        v["connect"] + v["read"] + v["write"] + v["timeout"], v["non2xx"] }' >>"$RESULTS_TSV"
  say "$(tail -1 "$RESULTS_TSV" | awk -F'\t' '{ printf "round %s %-8s %-9s %9.0f req/s  p50 %.2f ms  p99 %.2f ms  socket errors %s  non-2xx %s", $1, $2, $3, $4, $5/1000, $6/1000, $8, $9 }')"
}

rotate() { # n words... -> words rotated left by n
  local n="$1"; shift
  local -a w=("$@"); local k=${#w[@]} i
  for ((i = 0; i < k; i++)); do printf '%s ' "${w[$(((i + n) % k))]}"; done
}

# ---------------------------------------------------------------- Analysis helpers
warnings_md() {
  [[ -s "$WARNINGS" ]] || return 0
  echo
  echo "> **Warnings from this run:**"
  sed 's/^/> - /' "$WARNINGS"
}

mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }

# rss_stats allocator -> "startup baseline peak after end" in KiB (from the samples and the events)
rss_stats() {
  local a="$1"
  awk -v a="$a" -v after="$AFTER_SECONDS" '
    FNR == NR { if ($2 == a) ev[$3] = $1; next }
    { t[++n] = $1; r[n] = $2 }
    END {
      startup = ""; base_sum = 0; base_n = 0; peak = 0; aft = ""; last = ""
      for (i = 1; i <= n; i++) {
        if (startup == "" && ("ready" in ev) && t[i] >= ev["ready"]) startup = r[i]
        if (("pre_idle" in ev) && t[i] >= ev["pre_idle"] && t[i] <= ev["burst_start"]) { base_sum += r[i]; base_n++ }
        if (r[i] > peak) peak = r[i]
        if (aft == "" && ("burst_end" in ev) && t[i] >= ev["burst_end"] + after) aft = r[i]
        if (("idle_end" in ev) && t[i] <= ev["idle_end"]) last = r[i]
      }
      printf "%s %s %s %s %s\n", (startup == "" ? "NA" : startup), (base_n ? int(base_sum / base_n) : "NA"), peak,
        (aft == "" ? "NA" : aft), (last == "" ? "NA" : last)
    }' "$EVENTS" "$RAW/rss-$a.tsv"
}

# plot data: seconds since the servers were started, seconds since this allocator's burst ended, MiB
plot_data() {
  local a="$1" t0="$2"
  awk -v a="$a" -v t0="$t0" 'FNR == NR { if ($2 == a && $3 == "burst_end") b = $1; next }
    { printf "%.2f %s %.1f\n", $1 - t0, (b == "" ? "NaN" : sprintf("%.2f", $1 - b)), $2 / 1024 }' \
    "$EVENTS" "$RAW/rss-$a.tsv" >"$RAW/plot-$a.dat"
}

# ================================================================= soak
if [[ "$MODE" == soak ]]; then
  say "soak: $SOAK_SECONDS s of mixed POST /echo $ECHO_BYTES B + GET /bytes/$GET_BYTES, $SOAK_CONNECTIONS connections, allocators: $SOAK_ALLOCATORS"
  T0=$(now)
  i=0
  for a in $SOAK_ALLOCATORS; do start_server "$a" "$i"; i=$((i + 1)); done
  for a in $SOAK_ALLOCATORS; do wait_ready "$a"; check_allocator "$a"; event "$a" ready; done
  REPORT="$RESULTS_DIR/soak.md"
  {
    echo "# Soak: $SOAK_SECONDS s, mixed POST /echo ($ECHO_BYTES B) and GET /bytes/$GET_BYTES, $SOAK_CONNECTIONS connections"
    echo
    echo "Run $STAMP on $(nproc) cores, $(uname -sr), $("$JAVA" -version 2>&1 | head -1), JAVA_OPTS \`$JAVA_OPTS\`."
    echo "Plateau check: mean RSS over the last third <= mean over the middle third + max(${SOAK_MAX_GROWTH_PCT} %, ${SOAK_MAX_GROWTH_MIB} MiB)."
    echo "Serving allocator per server, as /actuator/catzilla reported it: $(awk '{ printf "%s%s = `%s`", (NR > 1 ? ", " : ""), $1, $2 }' "$SERVING")."
    echo
    echo "| allocator | requests/s | p50 ms | p99 ms | socket errors | non-2xx | RSS middle third MiB | RSS last third MiB | growth MiB | verdict |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  } >"$REPORT.tmp"
  overall=PASS
  for a in $SOAK_ALLOCATORS; do
    event "$a" soak_start
    run_wrk soak "$a" mix "$SOAK_SECONDS" "$SOAK_CONNECTIONS" 10s mix "$ECHO_BYTES" "$GET_BYTES"
    event "$a" soak_end
    read -r rps p50 p99 errs non2xx < <(awk -F'\t' -v a="$a" '$2 == a && $3 == "mix" { print $4, $5, $6, $8, $9 }' "$RESULTS_TSV" | tail -1)
    read -r mid last < <(awk -v a="$a" 'FNR == NR { if ($2 == a) ev[$3] = $1; next }
        { s = ev["soak_start"]; e = ev["soak_end"]; third = (e - s) / 3
          if ($1 >= s + third && $1 < s + 2 * third) { m += $2; mn++ }
          if ($1 >= s + 2 * third && $1 <= e) { l += $2; ln++ } }
        END { printf "%d %d\n", (mn ? m / mn : 0), (ln ? l / ln : 0) }' "$EVENTS" "$RAW/rss-$a.tsv")
    verdict=$(awk -v m="$mid" -v l="$last" -v p="$SOAK_MAX_GROWTH_PCT" -v g="$SOAK_MAX_GROWTH_MIB" -v e="$errs" -v x="$non2xx" 'BEGIN {
        allow = m * p / 100; if (allow < g * 1024) allow = g * 1024
        v = "PASS"; why = ""
        if (m == 0 || l == 0) { v = "FAIL"; why = why " no RSS samples;" }
        if (l > m + allow) { v = "FAIL"; why = why " RSS still growing;" }
        if (e > 0) { v = "FAIL"; why = why " socket errors;" }
        if (x > 0) { v = "FAIL"; why = why " non-2xx;" }
        print v why }')
    [[ "$verdict" == PASS* ]] || overall=FAIL
    printf '| %s | %.0f | %.2f | %.2f | %s | %s | %s | %s | %+d | %s |\n' "$a" "$rps" "$(awk -v x="$p50" 'BEGIN{print x/1000}')" \
      "$(awk -v x="$p99" 'BEGIN{print x/1000}')" "$errs" "$non2xx" "$(mib "$mid")" "$(mib "$last")" \
      "$(( (last - mid) / 1024 ))" "$verdict" >>"$REPORT.tmp"
    say "soak $a: $verdict (RSS middle third $(mib "$mid") MiB, last third $(mib "$last") MiB, socket errors $errs, non-2xx $non2xx)"
  done
  for a in $SOAK_ALLOCATORS; do plot_data "$a" "$T0"; done
  PLOT="$RESULTS_DIR/soak-rss.png"
  {
    echo "set terminal pngcairo size 1000,500 font ',10'"
    echo "set output '$PLOT'"
    echo "set title 'Catzilla sample app: RSS during the soak ($STAMP)'"
    echo "set xlabel 'seconds since the server was started'; set ylabel 'RSS (MiB)'; set grid; set key left top"
    printf 'plot '
    sep=""
    for a in $SOAK_ALLOCATORS; do printf "%s'%s' using 1:3 with lines lw 2 title '%s'" "$sep" "$RAW/plot-$a.dat" "$a"; sep=", "; done
    echo
  } >"$RAW/soak.gp"
  gnuplot "$RAW/soak.gp" 2>>"$LOG" || say "WARNING: gnuplot failed (see $LOG)"
  { head -1 "$REPORT.tmp"; warnings_md; tail -n +2 "$REPORT.tmp"; echo; echo "Overall: **$overall**. Raw data: \`${RAW#"$ROOT"/}\`. Plot: \`$(basename "$PLOT")\`."; } >"$REPORT"
  rm -f "$REPORT.tmp"
  say "soak overall: $overall"
  say "wrote $REPORT and $PLOT (raw data in $RAW)"
  cat "$REPORT"
  [[ "$overall" == PASS ]]
  exit $?
fi

# ================================================================= bench / smoke
read -r -a ALLOC <<<"$ALLOCATORS"
say "$MODE: allocators ${ALLOC[*]}; rounds $ROUNDS x ${DURATION_SECONDS}s per workload (warm-up ${WARMUP_SECONDS}s), $CONNECTIONS connections; burst $BURST_KIND ${BURST_CONNECTIONS} x $BURST_BYTES B for ${BURST_SECONDS}s, idle ${IDLE_SECONDS}s; raw data in $RAW"
T0=$(now)
i=0
for a in "${ALLOC[@]}"; do start_server "$a" "$i"; i=$((i + 1)); done
for a in "${ALLOC[@]}"; do wait_ready "$a"; check_allocator "$a"; event "$a" ready; done

if (( WARMUP_SECONDS > 0 )); then
  for a in "${ALLOC[@]}"; do
    run_wrk warmup "$a" echo16k "$WARMUP_SECONDS" "$CONNECTIONS" 5s echo "$ECHO_BYTES"
    run_wrk warmup "$a" get64k "$WARMUP_SECONDS" "$CONNECTIONS" 5s get "$GET_BYTES"
  done
fi
for ((r = 1; r <= ROUNDS; r++)); do
  # rotate the order each round so no allocator always goes first
  read -r -a order <<<"$(rotate $((r - 1)) "${ALLOC[@]}")"
  for w in echo16k get64k; do
    for a in "${order[@]}"; do
      if [[ $w == echo16k ]]; then run_wrk "$r" "$a" "$w" "$DURATION_SECONDS" "$CONNECTIONS" 5s echo "$ECHO_BYTES"
      else run_wrk "$r" "$a" "$w" "$DURATION_SECONDS" "$CONNECTIONS" 5s get "$GET_BYTES"; fi
    done
  done
done

# Burst of large echoes, one allocator at a time, each followed by idle time (the others idle too).
for a in "${ALLOC[@]}"; do
  event "$a" pre_idle; sleep "$PRE_IDLE_SECONDS"
  event "$a" burst_start
  run_wrk burst "$a" burst "$BURST_SECONDS" "$BURST_CONNECTIONS" 60s "$BURST_KIND" "$BURST_BYTES"
  event "$a" burst_end
  say "$a: burst done, idling ${IDLE_SECONDS}s"
  sleep "$IDLE_SECONDS"
  event "$a" idle_end
done
for a in "${ALLOC[@]}"; do
  curl -sS -m 5 "http://$HOST:${PORT[$a]}/actuator/catzilla" >"$RAW/catzilla-$a-end.json" 2>/dev/null || true
done
cleanup

# ---------------------------------------------------------------- Results
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "NA"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { # allocator workload column(4=rps,5=p50,6=p99) -> median over the measured rounds
  awk -F'\t' -v a="$1" -v w="$2" -v c="$3" '$2 == a && $3 == w && $1 ~ /^[0-9]+$/ { print $c }' "$RESULTS_TSV" | median
}
sum_col() { awk -F'\t' -v a="$1" -v c="$2" 'NR > 1 && $2 == a && $1 != "warmup" { s += $c } END { print s + 0 }' "$RESULTS_TSV"; }
ratio() { awk -v x="$1" -v y="$2" 'BEGIN { if (x == "NA" || y == "NA" || y == 0) print "NA"; else printf "%.2f", x / y }'; }
ms() { awk -v x="$1" 'BEGIN { if (x == "NA") print "NA"; else printf "%.2f", x / 1000 }'; }
pf() { [[ "$1" == 1 ]] && echo PASS || echo FAIL; }

declare -A RSS
for a in "${ALLOC[@]}"; do RSS[$a]="$(rss_stats "$a")"; plot_data "$a" "$T0"; done

REPORT="$RESULTS_DIR/http.md"
PLOT="$RESULTS_DIR/http-rss.png"
{
  echo "# HTTP + memory benchmark ($MODE run $STAMP)"
  echo
  echo "Machine: $(nproc) cores, $(uname -sr), $("$JAVA" -version 2>&1 | head -1). Each allocator in its own sample-app JVM"
  echo "(\`$JAVA_OPTS\`) on 127.0.0.1, driven by wrk ($WRK_THREADS threads). Throughput: $ROUNDS round(s) of ${DURATION_SECONDS} s per"
  echo "workload and allocator, allocators alternating (order rotated each round), $CONNECTIONS connections, after ${WARMUP_SECONDS} s warm-up;"
  echo "numbers are medians over the rounds. Burst: $BURST_CONNECTIONS connections, $BURST_KIND of $BURST_BYTES-byte bodies for ${BURST_SECONDS} s,"
  echo "then ${IDLE_SECONDS} s idle. RSS from /proc/<pid>/status every ${SAMPLE_INTERVAL} s: *baseline* = mean over the ${PRE_IDLE_SECONDS} s before"
  echo "the burst, *peak* = highest sample of the run, *after* = first sample ${AFTER_SECONDS} s after the burst ended."
  echo
  echo "Serving allocator per server, as /actuator/catzilla reported it: $(awk '{ printf "%s%s = `%s`", (NR > 1 ? ", " : ""), $1, $2 }' "$SERVING")."
  echo
  echo "| allocator | workload | requests/s | p50 ms | p99 ms |"
  echo "|---|---|---:|---:|---:|"
  for w in echo16k get64k; do
    for a in "${ALLOC[@]}"; do
      printf '| %s | %s | %.0f | %s | %s |\n' "$a" "$w" "$(col "$a" "$w" 4)" "$(ms "$(col "$a" "$w" 5)")" "$(ms "$(col "$a" "$w" 6)")"
    done
  done
  echo
  echo "| allocator | socket errors | non-2xx | burst requests/s | RSS at start MiB | baseline MiB | peak MiB | after +${AFTER_SECONDS} s MiB | end of idle MiB |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  for a in "${ALLOC[@]}"; do
    read -r st ba pk af en <<<"${RSS[$a]}"
    printf '| %s | %s | %s | %.0f | %s | %s | %s | %s | %s |\n' "$a" "$(sum_col "$a" 8)" "$(sum_col "$a" 9)" \
      "$(awk -F'\t' -v a="$a" '$1 == "burst" && $2 == a { print $4 }' "$RESULTS_TSV")" \
      "$(mib "$st")" "$(mib "$ba")" "$(mib "$pk")" "$(mib "$af")" "$(mib "$en")"
  done
} >"$REPORT.tmp"

if [[ " ${ALLOC[*]} " == *" jemalloc "* ]]; then
  read -r _ jb jp ja _ <<<"${RSS[jemalloc]}"
  read -r _ _ ap _ _ <<<"${RSS[adaptive]}"
  t1=$(ratio "$(col jemalloc echo16k 4)" "$(col adaptive echo16k 4)")
  t2=$(ratio "$(col jemalloc get64k 4)" "$(col adaptive get64k 4)")
  l1=$(ratio "$(col jemalloc echo16k 6)" "$(col adaptive echo16k 6)")
  l2=$(ratio "$(col jemalloc get64k 6)" "$(col adaptive get64k 6)")
  pr=$(ratio "$jp" "$ap")
  ok() { awk -v x="$1" -v op="$2" -v y="$3" 'BEGIN { if (x == "NA") print 0; else if (op == ">=") print (x >= y); else print (x <= y) }'; }
  after_ok=$(awk -v a="$ja" -v b="$jb" 'BEGIN { if (a == "NA" || b == "NA") print 0; else print (a <= b + 65536) }')
  {
    echo
    echo "Targets (jemalloc vs Netty's default adaptive, same run):"
    echo
    echo "| target | measured | verdict |"
    echo "|---|---|---|"
    echo "| throughput >= 1.0x, 16 KiB POST /echo | ${t1}x | $(pf "$(ok "$t1" '>=' 1.0)") |"
    echo "| throughput >= 1.0x, 64 KiB GET /bytes | ${t2}x | $(pf "$(ok "$t2" '>=' 1.0)") |"
    echo "| p99 no worse (<= 1.0x), 16 KiB POST /echo | ${l1}x | $(pf "$(ok "$l1" '<=' 1.0)") |"
    echo "| p99 no worse (<= 1.0x), 64 KiB GET /bytes | ${l2}x | $(pf "$(ok "$l2" '<=' 1.0)") |"
    echo "| peak RSS <= 0.7x | ${pr}x ($(mib "$jp") vs $(mib "$ap") MiB) | $(pf "$(ok "$pr" '<=' 0.7)") |"
    echo "| RSS ${AFTER_SECONDS} s after the burst <= baseline + 64 MiB | $(mib "$ja") MiB vs $(mib "$jb") + 64 MiB | $(pf "$after_ok") |"
  } >>"$REPORT.tmp"
else
  echo -e "\n(jemalloc not in ALLOCATORS: no targets computed.)" >>"$REPORT.tmp"
fi

{
  echo "set terminal pngcairo size 1100,800 font ',10'"
  echo "set output '$PLOT'"
  echo "set multiplot layout 2,1 title 'Catzilla sample app: RSS per allocator ($MODE run $STAMP)'"
  echo "set grid; set key left top; set ylabel 'RSS (MiB)'"
  echo "set xlabel 'seconds since the servers were started (start-up, throughput rounds, then one burst per allocator)'"
  printf 'plot '; sep=""
  for a in "${ALLOC[@]}"; do printf "%s'%s' using 1:3 with lines lw 2 title '%s'" "$sep" "$RAW/plot-$a.dat" "$a"; sep=", "; done; echo
  echo "set xlabel 'seconds since the end of this allocator''s burst (${BURST_SECONDS} s of ${BURST_CONNECTIONS} connections x ${BURST_BYTES} B ${BURST_KIND}; dashed: +${AFTER_SECONDS} s)'"
  echo "set xrange [-$((PRE_IDLE_SECONDS + BURST_SECONDS + 2)):$IDLE_SECONDS]"
  echo "set arrow from 0, graph 0 to 0, graph 1 nohead dt 3"
  echo "set arrow from $AFTER_SECONDS, graph 0 to $AFTER_SECONDS, graph 1 nohead dt 2"
  printf 'plot '; sep=""
  for a in "${ALLOC[@]}"; do printf "%s'%s' using 2:3 with lines lw 2 title '%s'" "$sep" "$RAW/plot-$a.dat" "$a"; sep=", "; done; echo
  echo "unset multiplot"
} >"$RAW/http.gp"
gnuplot "$RAW/http.gp" 2>>"$LOG" || say "WARNING: gnuplot failed (see $LOG)"

{ head -1 "$REPORT.tmp"; warnings_md; tail -n +2 "$REPORT.tmp"; echo; echo "Raw data: \`${RAW#"$ROOT"/}\` (wrk.tsv, rss-*.tsv, events.tsv, server logs). Plot: \`$(basename "$PLOT")\`."; } >"$REPORT"
rm -f "$REPORT.tmp"
say "wrote $REPORT and $PLOT (raw data in $RAW)"
cat "$REPORT"
