#!/usr/bin/env bash
# Builds hallpass-benchmarks and runs the whole comparison: one JMH run (so that ratios between
# its figures hold) and the HTTP comparison under wrk; writes everything to one results folder
# and prints the Markdown summary that benchmarks/RESULTS.md quotes.
#
# Usage: benchmarks/run.sh [--quick] [--no-build] [--module-only] [--no-http] [JMH_REGEX]
#                           [-- MORE_JMH_OPTIONS...]
#   --quick        1 x 1 s warm-up, 2 x 1 s measurement, 5 s wrk runs: checks the pipeline only
#   --no-build     use the existing hallpass-benchmarks/target/benchmarks.jar
#   --module-only  build only hallpass-benchmarks against the Hallpass snapshots in ~/.m2
#                  (default: build it and the modules it needs: mvn -pl hallpass-benchmarks -am)
#   --no-http      skip the HTTP comparison
#   JMH_REGEX      which benchmarks (default: all)
#   after --       passed to JMH as they are, e.g. -p db=postgresql
# Example, the key ratios only:
#   benchmarks/run.sh 'bareJcaVerify|rs256Sign|GetSession(Cold|Warm|WarmFreshString)$|SpringSession|refreshSession' -- -p db=postgresql
#
# Needs: Java 17+, Maven, wrk (apt-get install -y wrk) for the HTTP part, and the servers on
# loopback: PostgreSQL 127.0.0.1:5432 (user postgres, trust), MariaDB 127.0.0.1:3306 (root, no
# password), Redis 127.0.0.1:6379. The benchmarks create and use database hallpass_bench on
# PostgreSQL and MariaDB and Redis database 5 only. Override with HALLPASS_BENCH_POSTGRES_URL,
# HALLPASS_BENCH_MARIADB_URL (JDBC URLs of an existing database) and HALLPASS_BENCH_REDIS
# (host:port). A benchmark whose server is unreachable fails alone; the rest still run.
# Results: benchmarks/results/<UTC time>/ (or $HALLPASS_BENCH_OUT).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cmdline=$(printf '%q ' "$@")
jar="$root/hallpass-benchmarks/target/benchmarks.jar"
quick=0 build=1 module_only=0 http=1 regex="" jmh_extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --no-build) build=0 ;;
    --module-only) module_only=1 ;;
    --no-http) http=0 ;;
    --) shift; jmh_extra=("$@"); break ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) regex="$1" ;;
  esac
  shift
done

if [ "$quick" = 1 ]; then
  jmh_timing=(-f 1 -wi 1 -w 1s -i 2 -r 1s)
  wrk_seconds=5
else
  jmh_timing=(-f 1 -wi 3 -w 2s -i 5 -r 2s)
  wrk_seconds=15
fi

if [ "$build" = 1 ]; then
  echo "== building benchmarks.jar"
  if [ "$module_only" = 1 ]; then
    (cd "$root" && mvn -q -pl hallpass-benchmarks package -DskipTests)
  else
    (cd "$root" && mvn -q -pl hallpass-benchmarks -am package -DskipTests)
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

public_rps="" public_token_rps="" protected_rps=""
if [ "$http" = 0 ]; then
  echo "== HTTP comparison skipped (--no-http)"
elif ! command -v wrk >/dev/null; then
  echo "== HTTP comparison skipped: wrk is not installed (apt-get install -y wrk)"
else
  echo "== HTTP comparison under wrk ($wrk_seconds s per run)"
  token_file=$(mktemp)
  java -Xms256m -Xmx256m -cp "$jar" dev.hallpass.benchmarks.HttpBenchServer "$token_file" \
    > "$out/http-server.log" 2>&1 &
  server_pid=$!
  trap 'kill "$server_pid" 2>/dev/null || true; rm -f "$token_file"' EXIT
  port=""
  for _ in $(seq 1 100); do
    port=$(sed -n 's/^listening on \([0-9]*\)$/\1/p' "$out/http-server.log")
    [ -n "$port" ] && break
    sleep 0.2
  done
  [ -n "$port" ] || { echo "the HTTP server did not start:" >&2; cat "$out/http-server.log" >&2; exit 1; }
  auth="Authorization: Bearer $(cat "$token_file")"
  base="http://127.0.0.1:$port"
  # Three runs per round: the unauthenticated endpoint bare, the same endpoint carrying the
  # token it ignores (the control: what carrying ~850 bytes of token costs client and server),
  # and the protected endpoint. Warm each up (JIT) first; alternate the measured runs so that
  # the shared machine's noise hits all three alike.
  runs=(public public-with-token protected)
  wrk_run() { # NAME SECONDS OUTPUT
    case "$1" in
      public) wrk -t1 -c32 -d"$2" --latency "$base/public" > "$3" ;;
      public-with-token) wrk -t1 -c32 -d"$2" --latency -H "$auth" "$base/public" > "$3" ;;
      protected) wrk -t1 -c32 -d"$2" --latency -H "$auth" "$base/protected" > "$3" ;;
    esac
    if grep -q '^ *Non-2xx' "$3"; then
      echo "wrk $1 got error answers:" >&2; cat "$3" >&2; exit 1
    fi
  }
  for r in "${runs[@]}"; do wrk_run "$r" 5s /dev/null; done
  rps() { sed -n 's/^Requests\/sec: *\([0-9.]*\)$/\1/p' "$1"; }
  declare -A sum=([public]=0 [public-with-token]=0 [protected]=0)
  for round in 1 2; do
    line="round $round:"
    for r in "${runs[@]}"; do
      wrk_run "$r" "${wrk_seconds}s" "$out/wrk-$r-$round.txt"
      line="$line $r $(rps "$out/wrk-$r-$round.txt") req/s;"
      sum[$r]=$(awk -v a="${sum[$r]}" -v b="$(rps "$out/wrk-$r-$round.txt")" 'BEGIN {print a + b}')
    done
    echo "$line"
  done
  public_rps=$(awk -v s="${sum[public]}" 'BEGIN {print s / 2}')
  public_token_rps=$(awk -v s="${sum[public-with-token]}" 'BEGIN {print s / 2}')
  protected_rps=$(awk -v s="${sum[protected]}" 'BEGIN {print s / 2}')
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  rm -f "$token_file"
  trap - EXIT
fi

echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/machine.txt"
java -cp "$jar" dev.hallpass.benchmarks.ResultsSummary "$out/jmh.json" \
  ${public_rps:+"$public_rps" "$public_token_rps" "$protected_rps"} | tee "$out/summary.md"
echo "== results in $out"
