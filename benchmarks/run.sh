#!/usr/bin/env bash
# Builds hallpass-benchmarks (and hallpass-server) and runs the whole comparison: one JMH run
# (so that ratios between its figures hold), then the HTTP comparisons under wrk, first the
# servlet stack (HttpBenchServer), then the standalone hallpass-server; writes everything to one
# results folder and prints the Markdown summary that benchmarks/RESULTS.md quotes.
#
# Usage: benchmarks/run.sh [--quick] [--no-build] [--module-only] [--no-http] [--no-server-http]
#                          [JMH_REGEX] [-- MORE_JMH_OPTIONS...]
#   --quick           1 x 1 s warm-up, 2 x 1 s measurement, 5 s wrk runs: checks the pipeline only
#   --no-build        use the existing benchmarks.jar and hallpass-server.jar
#   --module-only     build only hallpass-benchmarks and hallpass-server against the Hallpass
#                     snapshots in ~/.m2 (default: with the modules they need: ./mvnw -am)
#   --no-http         skip both HTTP comparisons
#   --no-server-http  skip the standalone server's HTTP comparison (and its build)
#   JMH_REGEX         which benchmarks (default: all)
#   after --          passed to JMH as they are, e.g. -p db=postgresql
# Example, the key ratios only:
#   benchmarks/run.sh 'bareJcaVerify|rs256Sign|GetSession(Cold|Warm|WarmFreshString)$|SpringSession|refreshSession' -- -p db=postgresql
#
# Needs: Java 17+ (Maven comes through ./mvnw; the module is in the build only with -P benchmarks,
# which this script passes), wrk (apt-get install -y wrk) for the HTTP part, and the servers on
# loopback: PostgreSQL 127.0.0.1:5432 (user postgres, trust), MariaDB 127.0.0.1:3306 (root, no
# password), Redis 127.0.0.1:6379. The benchmarks create and use database hallpass_bench on
# PostgreSQL and MariaDB and Redis database 5 only. Override with HALLPASS_BENCH_POSTGRES_URL,
# HALLPASS_BENCH_MARIADB_URL (JDBC URLs of an existing database) and HALLPASS_BENCH_REDIS
# (host:port). A benchmark whose server is unreachable fails alone; the rest still run.
# The standalone server is hallpass-server/target/hallpass-server.jar (or $HALLPASS_SERVER_JAR,
# then not built here), run with --in-memory-store; wrk sends the requests that carry a body (the
# POSTs and the GET /hello control) with benchmarks/server-verify.lua.
# Results: benchmarks/results/<UTC time>/ (or $HALLPASS_BENCH_OUT).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cmdline=$(printf '%q ' "$@")
jar="$root/hallpass-benchmarks/target/benchmarks.jar"
server_jar="${HALLPASS_SERVER_JAR:-$root/hallpass-server/target/hallpass-server.jar}"
quick=0 build=1 module_only=0 http=1 server_http=1 regex="" jmh_extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --no-build) build=0 ;;
    --module-only) module_only=1 ;;
    --no-http) http=0 ;;
    --no-server-http) server_http=0 ;;
    --) shift; jmh_extra=("$@"); break ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) regex="$1" ;;
  esac
  shift
done

if [ "$quick" = 1 ]; then
  jmh_timing=(-f 1 -wi 1 -w 1s -i 2 -r 1s)
  wrk_seconds=5 server_warmup=5s
else
  jmh_timing=(-f 1 -wi 3 -w 2s -i 5 -r 2s)
  # The standalone server's JSON path needs longer than the servlet stack before C2 has
  # compiled it (its first seconds run at a fifth of the final rate).
  wrk_seconds=15 server_warmup=10s
fi

if [ "$build" = 1 ]; then
  modules=hallpass-benchmarks
  if [ "$http" = 1 ] && [ "$server_http" = 1 ] && [ -z "${HALLPASS_SERVER_JAR:-}" ]; then
    modules=hallpass-benchmarks,hallpass-server
  fi
  echo "== building $modules"
  if [ "$module_only" = 1 ]; then
    (cd "$root" && ./mvnw -q -P benchmarks -pl "$modules" package -DskipTests)
  else
    (cd "$root" && ./mvnw -q -P benchmarks -pl "$modules" -am package -DskipTests)
  fi
fi
[ -f "$jar" ] || { echo "missing $jar (run without --no-build)" >&2; exit 1; }

out="${HALLPASS_BENCH_OUT:-$root/benchmarks/results/$(date -u +%Y-%m-%dT%H%MZ)}"
mkdir -p "$out"
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "command: benchmarks/run.sh $cmdline"
  echo "jmh options: ${jmh_timing[*]} -prof gc ${jmh_extra[*]}"
  echo "cpu: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "memory: $(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
  echo "java: $(java -version 2>&1 | head -n 1)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out/machine.txt"

echo "== JMH (results in $out/jmh.json)"
# A failing benchmark (say, its server is down) is reported and the others still run.
java -jar "$jar" ${regex:+"$regex"} "${jmh_timing[@]}" -prof gc "${jmh_extra[@]}" \
  -rf json -rff "$out/jmh.json" 2>&1 | tee "$out/jmh.log"

lua="$root/benchmarks/server-verify.lua"
rates="$out/http-rates.txt"
: > "$rates"
tmp=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"' EXIT

# await_port LOG SED_SCRIPT: the port a server we started prints once it listens.
await_port() {
  local port=""
  for _ in $(seq 1 150); do
    port=$(sed -n "$2" "$1")
    [ -n "$port" ] && { echo "$port"; return; }
    sleep 0.2
  done
  echo "the HTTP server did not start:" >&2; cat "$1" >&2; exit 1
}

# wrk_run NAME SECONDS OUTPUT: one wrk run of the named kind (one client thread, 32 connections).
wrk_run() {
  local w=(wrk -t1 -c32 -d"$2" --latency)
  case "$1" in
    public) "${w[@]}" "$servlet/public" > "$3" ;;
    public-with-token) "${w[@]}" -H "$auth" "$servlet/public" > "$3" ;;
    protected) "${w[@]}" -H "$auth" "$servlet/protected" > "$3" ;;
    server-hello) "${w[@]}" "$server/hello" > "$3" ;;
    server-hello-with-body)
      "${w[@]}" -s "$lua" "$server/hello" -- "$tmp/verify-body.json" GET > "$3" ;;
    server-noop)
      "${w[@]}" -s "$lua" "$server/recipe/session/remove" -- "$tmp/noop-body.json" > "$3" ;;
    server-verify)
      "${w[@]}" -s "$lua" "$server/recipe/session/verify" -- "$tmp/verify-body.json" > "$3" ;;
  esac
  if grep -q '^ *Non-2xx' "$3"; then
    echo "wrk $1 got error answers:" >&2; cat "$3" >&2; exit 1
  fi
  if grep -q '^ *Socket errors' "$3"; then # timeouts under load: kept, but said
    echo "wrk $1: $(grep '^ *Socket errors' "$3" | sed 's/^ *//')" >&2
  fi
}

# measure WARMUP RUN...: warms each run up (JIT) once, then 2 rounds of all runs in turn, so the
# shared machine's noise hits them alike; appends each run's mean rate to $rates.
measure() {
  local warmup=$1 r round line rate
  shift
  declare -A sum=()
  for r in "$@"; do wrk_run "$r" "$warmup" /dev/null; sum[$r]=0; done
  for round in 1 2; do
    line="round $round:"
    for r in "$@"; do
      wrk_run "$r" "${wrk_seconds}s" "$out/wrk-$r-$round.txt"
      rate=$(sed -n 's/^Requests\/sec: *\([0-9.]*\)$/\1/p' "$out/wrk-$r-$round.txt")
      line="$line $r $rate req/s;"
      sum[$r]=$(awk -v a="${sum[$r]}" -v b="$rate" 'BEGIN {print a + b}')
    done
    echo "$line"
  done
  for r in "$@"; do awk -v n="$r" -v s="${sum[$r]}" 'BEGIN {print n, s / 2}' >> "$rates"; done
}

stop() { # PID: stops a server we started and waits for it
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

if [ "$http" = 0 ]; then
  echo "== HTTP comparisons skipped (--no-http)"
elif ! command -v wrk >/dev/null; then
  echo "== HTTP comparisons skipped: wrk is not installed (apt-get install -y wrk)"
else
  # 1. The servlet stack (HttpBenchServer: Jetty + HallpassFilter, in-memory store). Three runs:
  # the unauthenticated endpoint bare, the same endpoint carrying the token it ignores (the
  # control: what carrying the 877-character token costs client and server), the protected
  # endpoint.
  echo "== HTTP: servlet stack under wrk ($wrk_seconds s per run)"
  java -Xms256m -Xmx256m -cp "$jar" dev.hallpass.benchmarks.HttpBenchServer "$tmp/token" \
    > "$out/http-server.log" 2>&1 &
  servlet_pid=$!
  pids+=("$servlet_pid")
  servlet="http://127.0.0.1:$(await_port "$out/http-server.log" 's/^listening on \([0-9]*\)$/\1/p')"
  auth="Authorization: Bearer $(cat "$tmp/token")"
  measure 5s public public-with-token protected
  stop "$servlet_pid"

  # 2. The standalone server (hallpass-server, in-memory store, same heap), as a SuperTokens
  # backend SDK calls it. Four runs: GET /hello bare; GET /hello carrying the verify request's
  # headers and body, which it ignores; a POST of a same-size JSON body that is parsed and
  # answered but verifies nothing (remove of an empty handle list); POST /recipe/session/verify.
  if [ "$server_http" = 0 ]; then
    echo "== HTTP: standalone server skipped (--no-server-http)"
  elif [ ! -f "$server_jar" ]; then
    echo "== HTTP: standalone server skipped: $server_jar is missing" \
      "(build it: ./mvnw -q -pl hallpass-server -am package -DskipTests)"
  else
    echo "== HTTP: standalone server under wrk ($wrk_seconds s per run)"
    java -Xms256m -Xmx256m -jar "$server_jar" --port 0 --in-memory-store \
      > "$out/hallpass-server.log" 2>&1 &
    server_pid=$!
    pids+=("$server_pid")
    server="http://127.0.0.1:$(await_port "$out/hallpass-server.log" \
      's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\) .*/\1/p')"
    # Creates the session, writes both bodies, checks each request's answer once (wrk counts
    # only HTTP statuses; an UNAUTHORISED verification is HTTP 200); again after the runs.
    java -cp "$jar" dev.hallpass.benchmarks.StandaloneServerSetup create "$server" "$tmp"
    measure "$server_warmup" server-hello server-hello-with-body server-noop server-verify
    java -cp "$jar" dev.hallpass.benchmarks.StandaloneServerSetup check "$server" "$tmp"
    stop "$server_pid"
  fi
fi

echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/machine.txt"
rates_arg=()
[ -s "$rates" ] && rates_arg=("$rates")
java -cp "$jar" dev.hallpass.benchmarks.ResultsSummary "$out/jmh.json" "${rates_arg[@]}" \
  | tee "$out/summary.md"
echo "== results in $out"
