#!/usr/bin/env bash
# Measures the Hallpass server's start-up (process start to the first answer of GET /hello) and
# its idle resident memory (VmRSS, 10 s after start-up), on the embedded H2 store.
# Not a test: prints numbers for BENCHMARKS.md. Needs curl and a built jar:
#   cd /work/main && mvn -q -pl hallpass-server package -DskipTests
#   hallpass-server/bench/measure-startup.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
jar=target/hallpass-server.jar
port=${PORT:-3611}
data=$(mktemp -d)
trap 'rm -rf "$data"; rm -f "$jar.jsa"' EXIT

# one <label> <command...>: starts, waits for /hello, samples RSS, stops with SIGTERM
one() {
  local label=$1; shift
  local start end pid rss status
  start=$(date +%s%N)
  "$@" --data-dir "$data/h2" --port "$port" --log-level warn >"$data/log" 2>&1 &
  pid=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$port/hello"; do
    kill -0 "$pid" 2>/dev/null || { cat "$data/log"; exit 1; }
    sleep 0.01
  done
  end=$(date +%s%N)
  sleep 10
  rss=$(awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$pid/status")
  kill -TERM "$pid"
  status=0; wait "$pid" || status=$?
  printf '%-34s first /hello %5d ms   idle RSS %4d MB   exit %d\n' \
    "$label" $(( (end - start) / 1000000 )) "$rss" "$status"
}

echo "java: $(java -version 2>&1 | head -1); $(nproc) cores"
one "java -jar, new database (keygen)" java -jar "$jar"
for i in $(seq "$runs"); do one "java -jar, existing database" java -jar "$jar"; done
HALLPASS_CDS=on one "bin/hallpass-server, writes CDS" bin/hallpass-server
for i in $(seq "$runs"); do one "bin/hallpass-server (CDS)" bin/hallpass-server; done
