#!/usr/bin/env bash
# A bounded load test on loopback that stops by itself: many simulated browsers (default 200),
# each with its own session, against the standalone server (hallpass-server jar, spoken to as a
# backend SDK speaks the core driver interface) and the demo (hallpass-demo jar, spoken to as
# supertokens-website speaks the browser protocol, with cookies), both on PostgreSQL. The mix:
# protected calls, refresh when the short-lived access token expires, two tabs refreshing at
# once, refresh answers lost on purpose and retried later with the old token, session-data
# updates read back, sign-out then a check that the session is gone. It fails (exit 1) on any 5xx,
# false theft verdict, lost session or lost update, and reports throughput and p50/p99 latency
# per operation. Driver: hallpass-loadtest (dev.hallpass.loadtest.LoadMain).
#
# Usage: benchmarks/load.sh [--duration 60s] [--target server|demo|both] [--browsers 200]
#                           [--warmup 10s] [--no-build] [-- MORE_DRIVER_OPTIONS...]
#   --duration D   measured time per target (default 60s; at most 1h)
#   --target T     server, demo or both (default both)
#   --browsers N   simulated browsers per target (default 200)
#   --warmup D     unmeasured time per target first, for the JIT (default 10s; failures count)
#   --no-build     use the jars already built
#   after --       passed to the driver, e.g. --think-time 100ms --threads 64
#                  --access-token-validity 4s (java -jar hallpass-loadtest.jar --help lists all)
#
# Needs Java 17+, Node.js/npm (the demo's build) and PostgreSQL on loopback: the driver uses
# $HALLPASS_TEST_POSTGRES_URL (default jdbc:postgresql://127.0.0.1:5432/test?user=postgres) and
# only its schema hallpass_load, which it drops and re-creates before each target.
# Results: benchmarks/results/<UTC time>-load/ (or $HALLPASS_LOAD_OUT): the reports
# (report-server.md, report-demo.md), the driver's output (load.log), the targets' logs and
# machine.txt.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cmdline=$(printf '%q ' "$@")
duration=60s target=both browsers=200 warmup=10s build=1 extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift ;;
    --target) target=$2; shift ;;
    --browsers) browsers=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --no-build) build=0 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "unknown option $1 (see the head of $0)" >&2; exit 2 ;;
  esac
  shift
done

jar="$root/hallpass-loadtest/target/hallpass-loadtest.jar"
if [ "$build" = 1 ]; then
  echo "== building hallpass-server, hallpass-demo and hallpass-loadtest"
  (cd "$root" && ./mvnw -q -P benchmarks -pl hallpass-loadtest -am package -DskipTests)
fi
[ -f "$jar" ] || { echo "missing $jar (run without --no-build)" >&2; exit 1; }

out="${HALLPASS_LOAD_OUT:-$root/benchmarks/results/$(date -u +%Y-%m-%dT%H%MZ)-load}"
mkdir -p "$out"
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "command: benchmarks/load.sh $cmdline"
  echo "cpu: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "memory: $(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
  echo "java: $(java -version 2>&1 | head -n 1)"
  echo "postgresql: $(psql --version 2>/dev/null || echo unknown)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out/machine.txt"

status=0
# The driver starts and stops the targets itself (child processes, SIGTERM at the end) and is
# bounded: duration + warm-up per target, plus at most a minute of draining and final checks.
(cd "$root" && java -Xmx512m -jar "$jar" \
  --target "$target" --duration "$duration" --warmup "$warmup" --browsers "$browsers" \
  --server-jar "$root/hallpass-server/target/hallpass-server.jar" \
  --demo-jar "$root/hallpass-demo/target/hallpass-demo.jar" \
  --out "$out" "${extra[@]}") 2>&1 | tee "$out/load.log" || status=$?
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/machine.txt"
echo "== results in $out"
exit "$status"
