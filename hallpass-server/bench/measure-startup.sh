#!/usr/bin/env bash
# Measures the Hallpass server's start-up as whole processes: from process start to the first
# answer of GET /hello (polled every 10 ms with curl), the process's CPU time at that moment, its
# resident memory (VmRSS) when idle, IDLE seconds later (default 10), and its peak resident
# memory (VmHWM) by then. Not a test: prints numbers for BENCHMARKS.md.
#
# From the repository root, after building (needs curl):
#   ./mvnw -q -pl hallpass-server -am package -DskipTests
#   hallpass-server/bench/measure-startup.sh [-n runs] [-s h2,memory] [-b baseline-dir]
#
#   -n runs      runs of each kind (default 7); the summary gives the median and the range
#   -s stores    h2 (the embedded database, existing: its first, unmeasured run creates it and
#                its signing keys), memory (--in-memory-store: signing keys made at each start),
#                or both, comma-separated (default h2)
#   -b dir       also measure another build, interleaved with this one: the hallpass-server
#                directory of another checkout, built (its target/hallpass-server.jar and
#                bin/hallpass-server), e.g. of the commit before a change:
#                  git worktree add /tmp/hallpass-before HEAD~1
#                  (cd /tmp/hallpass-before && mvn -q -pl hallpass-server -am package -DskipTests)
#                  hallpass-server/bench/measure-startup.sh -b /tmp/hallpass-before/hallpass-server
#
# Each build runs two ways: `java -jar` (the JVM's defaults) and bin/hallpass-server (the launcher:
# its JVM options and class-data-sharing archive, which an unmeasured first run writes). The jars
# are copied to a temporary directory, so the archives made here are deleted afterwards. One round
# runs every kind once, in an order that rotates from round to round, so that a busy moment of a
# shared machine does not fall on one kind only.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=7
stores=h2
baseline=
while getopts n:s:b: opt; do
  case $opt in
    n) runs=$OPTARG ;;
    s) stores=$OPTARG ;;
    b) baseline=$(cd "$OPTARG" && pwd) ;;
    *) sed -n '2,16p' "$0" >&2; exit 2 ;;
  esac
done
port=${PORT:-3611}
idle=${IDLE:-10}
tick_ms=$(( 1000 / $(getconf CLK_TCK) ))
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# build <name> <server-dir>: copies the jar and the launcher into $work/<name>
build() {
  mkdir -p "$work/$1/bin" "$work/$1/target"
  cp "$2/target/hallpass-server.jar" "$work/$1/target/"
  cp "$2/bin/hallpass-server" "$work/$1/bin/"
}
build current "$PWD"
builds=(current)
if [ -n "$baseline" ]; then
  build baseline "$baseline"
  builds=(baseline current)
fi

# one <label> <store> <build> <way> [idle]: starts, waits for /hello, samples, stops (SIGTERM)
one() {
  local label=$1 store=$2 dir=$work/$3 way=$4 idle=${5:-$idle}
  local start end pid rss hwm cpu status store_args
  if [ "$store" = memory ]; then
    store_args=(--in-memory-store)
  else
    store_args=(--data-dir "$work/h2-$3-$way")
  fi
  local cmd=(java -jar "$dir/target/hallpass-server.jar")
  [ "$way" = launcher ] && cmd=("$dir/bin/hallpass-server")
  start=$(date +%s%N)
  "${cmd[@]}" "${store_args[@]}" --port "$port" --log-level warn >"$work/log" 2>&1 &
  pid=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$port/hello"; do
    kill -0 "$pid" 2>/dev/null || { cat "$work/log" >&2; exit 1; }
    sleep 0.01
  done
  end=$(date +%s%N)
  cpu=$(awk -v t="$tick_ms" '{ print ($14 + $15) * t }' "/proc/$pid/stat")
  sleep "$idle"
  rss=$(awk '/VmRSS/ { print int($2 / 1024) }' "/proc/$pid/status")
  hwm=$(awk '/VmHWM/ { print int($2 / 1024) }' "/proc/$pid/status")
  kill -TERM "$pid"
  status=0; wait "$pid" || status=$?
  [ -s "$work/log" ] && { echo "unexpected output of $label:" >&2; cat "$work/log" >&2; }
  printf '%-36s %6d %6d %6d %6d %4d\n' "$label" $(( (end - start) / 1000000 )) "$cpu" "$rss" \
    "$hwm" "$status"
}

kinds=()
for b in "${builds[@]}"; do
  for s in ${stores//,/ }; do
    for w in jar launcher; do
      kinds+=("$b $s $w")
    done
  done
done

echo "java: $(java -version 2>&1 | head -1); $(nproc) cores; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
# Unmeasured first runs: create each H2 database and its signing keys, write each CDS archive.
for k in "${kinds[@]}"; do
  set -- $k
  one "(first run) $1, $2, $3" "$2" "$1" "$3" 1 >/dev/null
done

printf '%-36s %6s %6s %6s %6s %4s\n' "build, store, way" "ms" "cpu ms" "RSS" "peak" "exit"
for r in $(seq "$runs"); do
  for i in "${!kinds[@]}"; do
    set -- ${kinds[$(( (i + r) % ${#kinds[@]} ))]}
    one "$1, $2, $3" "$2" "$1" "$3"
  done
done | tee "$work/runs"

echo
echo "median (min-max) of $runs runs; ms: process start to the first /hello; cpu ms: the process's"
echo "CPU time then; RSS: resident MB ${idle} s after start-up; peak: the most resident MB by then"
printf '%-36s %-18s %-18s %-14s %-14s\n' "build, store, way" "first /hello ms" "cpu ms" "idle RSS MB" \
  "peak RSS MB"
awk -v kinds="$(IFS=';'; echo "${kinds[*]}")" '
  { key = $1 " " $2 " " $3; n[key]++; for (c = 4; c <= 7; c++) v[key, c, n[key]] = $c }
  # median (min-max) of column c
  function stat(key, c,   m, i, j, t, a) {
    m = n[key]; for (i = 1; i <= m; i++) a[i] = v[key, c, i]
    for (i = 2; i <= m; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    med = (m % 2) ? a[(m + 1) / 2] : int((a[m / 2] + a[m / 2 + 1]) / 2)
    return sprintf("%d (%d-%d)", med, a[1], a[m])
  }
  END {
    # grouped by store and way, the baseline above the current build
    m = split(kinds, ks, ";")
    for (w = 1; w <= m; w++) for (i = 1; i <= m; i++) {
      split(ks[i], f, " "); split(ks[w], g, " ")
      if (f[2] != g[2] || f[3] != g[3] || done[ks[i]]++) continue
      key = f[1] ", " f[2] ", " f[3]
      printf "%-36s %-18s %-18s %-14s %-14s\n", key, stat(key, 4), stat(key, 5), stat(key, 6), stat(key, 7)
    }
  }' "$work/runs"
