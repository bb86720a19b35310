#!/usr/bin/env bash
# Hallpass side by side with the original SuperTokens session library (npm
# supertokens-node-mysql-ref-jwt 5.0.4: node, HS256 access tokens, MySQL protocol, lazy refresh),
# both on the same MariaDB database: create, verify and refresh in process and over HTTP (wrk,
# 32 connections), in interleaved rounds (original, Hallpass, original, Hallpass, ...), medians
# and ratios per operation. See dev.hallpass.benchmarks.OriginalComparison for what each run does.
#
# Usage: benchmarks/run-original.sh [--no-build] [--module-only] [OPTIONS...]
#   --no-build        use the existing hallpass-benchmarks/target/benchmarks.jar
#   --module-only     build hallpass-benchmarks only, against the Hallpass snapshots in ~/.m2
#   OPTIONS           passed on (defaults in brackets):
#     --rounds N [3]  --seconds S [5] (in-process run)  --wrk-seconds S [10]  --warmup S [3]
#     --processes 1,2 [1]  node processes (in process: N node processes against N Hallpass
#                     threads; over HTTP: N express workers behind the cluster module; the Java
#                     server is multi-threaded either way)
#     --hallpass-signing RS256|HS256 [RS256]  (the Hallpass side's access-token signing; every
#                     run also measures the bare RSA-2048 signing rate in the Hallpass worker's JVM)
#     --connections N [32]  --no-in-process  --no-http
# Example, the full comparison of benchmarks/RESULTS.md:
#   benchmarks/run-original.sh --processes 1,2
#
# Needs: Java 17+, Node.js 20+ and npm (the pinned packages of benchmarks/original/package-lock.json
# are installed with npm ci into hallpass-benchmarks/target/original-node, once), wrk
# (scripts/services.sh wrk), MariaDB: HP_ORIG_JDBC_URL (default
# jdbc:mariadb://127.0.0.1:3306/hp_orig?user=root; the database is created if missing). Both
# session tables in it (refresh_token, hallpass_sessions) are emptied at the start.
# Results: benchmarks/results/<UTC time>-original/ (or $HALLPASS_BENCH_OUT): raw.csv, summary.md,
# machine.txt, wrk/ (each wrk run's output), logs/.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
jar="$root/hallpass-benchmarks/target/benchmarks.jar"
build=1 module_only=0 pass=()
for a in "$@"; do
  case "$a" in
    --no-build) build=0 ;;
    --module-only) module_only=1 ;;
    *) pass+=("$a") ;;
  esac
done

if [ "$build" = 1 ]; then
  echo "== building hallpass-benchmarks"
  if [ "$module_only" = 1 ]; then
    (cd "$root" && ./mvnw -q -P benchmarks -pl hallpass-benchmarks package -DskipTests)
  else
    (cd "$root" && ./mvnw -q -P benchmarks -pl hallpass-benchmarks -am package -DskipTests)
  fi
fi
[ -f "$jar" ] || { echo "missing $jar (run without --no-build)" >&2; exit 1; }

url="${HP_ORIG_JDBC_URL:-jdbc:mariadb://127.0.0.1:3306/hp_orig?user=root}"
db=$(echo "$url" | sed -n 's|^jdbc:[a-z]*://[^/]*/\([A-Za-z0-9_]*\).*|\1|p')
if [ -z "${HP_ORIG_JDBC_URL:-}" ] && command -v mariadb >/dev/null; then
  mariadb -h 127.0.0.1 -u root -e "CREATE DATABASE IF NOT EXISTS $db" \
    || echo "could not create database $db (create it yourself)" >&2
fi

out="${HALLPASS_BENCH_OUT:-$root/benchmarks/results/$(date -u +%Y-%m-%dT%H%MZ)-original}"
mkdir -p "$out"
echo "== results in $out"
HP_ORIG_JDBC_URL="$url" java -cp "$jar" dev.hallpass.benchmarks.OriginalComparison \
  --out "$out" --original "$root/benchmarks/original" \
  --node-work "$root/hallpass-benchmarks/target/original-node" "${pass[@]}"
echo "== results in $out"
