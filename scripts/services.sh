#!/usr/bin/env bash
# Installs (on Debian-like machines, as root, from Debian's packages) and starts what Hallpass's
# tests use, then checks that each one answers:
#
#   postgres       PostgreSQL on 127.0.0.1:5432: user postgres without a password (trust for
#                  local TCP), database test
#   mariadb        MariaDB on 127.0.0.1:3306: user root with an empty password over TCP,
#                  database test
#   redis          Redis on 127.0.0.1:6379
#   redis-cluster  a Redis Cluster of three masters (no replicas) on 127.0.0.1:7000-7002
#   chromium       Chromium and ChromeDriver (packages chromium, chromium-driver), for the demo's
#                  browser test
#   wrk            the HTTP load generator of the benchmark smoke test
#   node           Node.js (20 or later) and npm: the demo's build bundles an npm package, its
#                  browser test runs playwright-core; the server's tests run supertokens-node
#
# Usage: scripts/services.sh [SERVICE...]      no argument: all of them
#
# Idempotent: a service that already answers is left as it is (never restarted); only what is
# missing is installed, started or created (the test database, the root login, the trust rule).
# Says what it did, one line per step, and exits 1 if a requested service does not answer.
# Tests can use servers elsewhere instead: see "Testing" in README.md.
set -uo pipefail

all=(postgres mariadb redis redis-cluster chromium wrk node)
wanted=("$@")
[ ${#wanted[@]} -eq 0 ] && wanted=("${all[@]}")

say() { echo "services: $*"; }
is_root() { [ "$(id -u)" = 0 ]; }
has() { command -v "$1" >/dev/null 2>&1; }
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }
wait_port() { # PORT [SECONDS]
  local i
  for ((i = 0; i < ${2:-30} * 4; i++)); do port_open "$1" && return 0; sleep 0.25; done
  return 1
}
systemd_running() { [ -d /run/systemd/system ]; }

apt_updated=0
apt_install() { # PACKAGE...: installs from Debian's packages, or says why it cannot
  if ! has apt-get; then
    say "cannot install $* here (no apt-get): install it yourself"; return 1
  fi
  if ! is_root; then
    say "cannot install $* (needs root: run this script with sudo, or install it yourself)"; return 1
  fi
  if [ "$apt_updated" = 0 ]; then
    say "apt-get update"
    apt-get update -qq >/dev/null 2>&1 || say "apt-get update failed; trying the package lists there are"
    apt_updated=1
  fi
  say "installing $* (apt-get)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1 \
    || { say "apt-get install $* failed"; return 1; }
}

# --- PostgreSQL -------------------------------------------------------------------------------
pg_ok() { PGCONNECT_TIMEOUT=5 psql -w -h 127.0.0.1 -p 5432 -U postgres -d "${1:-postgres}" -tAc 'select 1' >/dev/null 2>&1; }

pg_cluster_5432() { # "VERSION NAME" of the local Debian cluster on port 5432, if any
  has pg_lsclusters && pg_lsclusters -h 2>/dev/null | awk '$3 == 5432 && !found {print $1, $2; found = 1}'
}

start_postgres() {
  if port_open 5432; then
    say "postgres: already running on 127.0.0.1:5432"
    has psql || apt_install postgresql-client || return 1
  else
    has pg_ctlcluster || apt_install postgresql || return 1
    local cluster; cluster=$(pg_cluster_5432)
    if [ -z "$cluster" ]; then
      if [ -n "$(pg_lsclusters -h 2>/dev/null)" ]; then
        say "postgres: the local clusters use other ports than 5432:"; pg_lsclusters; return 1
      fi
      local v; v=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
      say "postgres: creating cluster $v/main on port 5432"
      pg_createcluster "$v" main --port 5432 >/dev/null || return 1
      cluster="$v main"
    fi
    if ! port_open 5432; then
      say "postgres: starting cluster $cluster"
      if systemd_running; then
        systemctl start "postgresql@${cluster/ /-}" >/dev/null 2>&1
      else
        # shellcheck disable=SC2086
        pg_ctlcluster --skip-systemctl-redirect $cluster start >/dev/null 2>&1
      fi
      wait_port 5432 || { say "postgres: not answering on 127.0.0.1:5432 (see /var/log/postgresql)"; return 1; }
    fi
  fi
  if ! pg_ok; then
    # Trust for local TCP connections, on a local Debian cluster only.
    local cluster hba; cluster=$(pg_cluster_5432)
    hba=/etc/postgresql/${cluster/ //}/pg_hba.conf
    if [ -z "$cluster" ] || [ ! -w "$hba" ]; then
      say "postgres: cannot log in as postgres without a password on 127.0.0.1:5432, and it is" \
        "not a local cluster this script can configure (set HALLPASS_TEST_POSTGRES_URL instead)"
      return 1
    fi
    say "postgres: adding trust for 127.0.0.1 and ::1 to $hba, reloading"
    sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
    # shellcheck disable=SC2086
    pg_ctlcluster --skip-systemctl-redirect $cluster reload >/dev/null 2>&1
    sleep 1
  fi
  pg_ok || { say "postgres: cannot log in as postgres on 127.0.0.1:5432"; return 1; }
  if [ "$(psql -w -h 127.0.0.1 -U postgres -d postgres -tAc "select 1 from pg_database where datname = 'test'")" != 1 ]; then
    say "postgres: creating database test"
    psql -w -h 127.0.0.1 -U postgres -d postgres -qc 'create database test' >/dev/null || return 1
  fi
  pg_ok test || { say "postgres: cannot connect to database test"; return 1; }
  say "postgres: ready (jdbc:postgresql://127.0.0.1:5432/test?user=postgres)"
}

# --- MariaDB ----------------------------------------------------------------------------------
maria() { "$(command -v mariadb || command -v mysql)" --connect-timeout=5 "$@"; }
maria_tcp_ok() { maria --protocol=TCP -h 127.0.0.1 -P 3306 -uroot --password= -e 'select 1' >/dev/null 2>&1; }

start_mariadb() {
  if port_open 3306; then
    say "mariadb: already running on 127.0.0.1:3306"
    has mariadb || has mysql || apt_install mariadb-client || return 1
  else
    has mariadbd || apt_install mariadb-server || return 1
    if ! port_open 3306; then # the package may have started it
      say "mariadb: starting"
      if systemd_running; then
        systemctl start mariadb >/dev/null 2>&1
      else
        mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null
        start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql >/dev/null 2>&1
      fi
      wait_port 3306 || { say "mariadb: not answering on 127.0.0.1:3306"; return 1; }
    fi
  fi
  if ! maria_tcp_ok; then
    # root over TCP with an empty password; root over the local socket keeps working.
    if ! is_root || ! maria -uroot -e 'select 1' >/dev/null 2>&1; then
      say "mariadb: cannot log in as root with an empty password over TCP, and cannot fix it" \
        "through the local socket (set HALLPASS_TEST_MARIADB_URL instead)"
      return 1
    fi
    say "mariadb: allowing root with an empty password over TCP"
    maria -uroot -e "ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('');
      CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';
      GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION; FLUSH PRIVILEGES;" >/dev/null 2>&1
    maria_tcp_ok || { say "mariadb: still cannot log in as root over TCP"; return 1; }
  fi
  if ! maria --protocol=TCP -h 127.0.0.1 -uroot --password= -e 'use test' >/dev/null 2>&1; then
    say "mariadb: creating database test"
    maria --protocol=TCP -h 127.0.0.1 -uroot --password= -e 'create database test' || return 1
  fi
  say "mariadb: ready (jdbc:mariadb://127.0.0.1:3306/test?user=root)"
}

# --- Redis ------------------------------------------------------------------------------------
redis_ping() { [ "$(timeout 5 redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = PONG ]; }

start_redis() {
  has redis-cli || apt_install redis-tools || return 1
  if port_open 6379; then
    say "redis: already running on 127.0.0.1:6379"
  else
    has redis-server || apt_install redis-server || return 1
    if ! port_open 6379; then # the package may have started it
      say "redis: starting"
      if systemd_running; then
        systemctl start redis-server >/dev/null 2>&1
      else
        mkdir -p /var/lib/redis /var/log/redis
        redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
          --dir /var/lib/redis --logfile /var/log/redis/ci.log >/dev/null 2>&1
      fi
      wait_port 6379 || { say "redis: not answering on 127.0.0.1:6379"; return 1; }
    fi
  fi
  redis_ping 6379 || { say "redis: 127.0.0.1:6379 does not answer PING"; return 1; }
  say "redis: ready (127.0.0.1:6379)"
}

# --- Redis Cluster ----------------------------------------------------------------------------
# The nodes' ports; HALLPASS_REDIS_CLUSTER_PORTS="7100 7101 7102" makes a second cluster (e.g. to
# try this script without touching the one in use).
read -r -a cluster_ports <<<"${HALLPASS_REDIS_CLUSTER_PORTS:-7000 7001 7002}"
cluster_ok() { # every node says cluster_state:ok
  local p
  for p in "${cluster_ports[@]}"; do
    [[ "$(timeout 5 redis-cli -p "$p" cluster info 2>/dev/null)" == *cluster_state:ok* ]] || return 1
  done
}
wait_cluster_ok() { # SECONDS
  local i
  for ((i = 0; i < $1 * 4; i++)); do cluster_ok && return 0; sleep 0.25; done
  return 1
}

start_redis_cluster() {
  has redis-server || apt_install redis-server || return 1
  has redis-cli || apt_install redis-tools || return 1
  local p dir started=0 range="127.0.0.1:${cluster_ports[0]}-${cluster_ports[-1]}"
  for p in "${cluster_ports[@]}"; do
    if port_open "$p"; then continue; fi
    # Each node keeps its cluster configuration (nodes.conf) but no data, so nodes restarted
    # after a reboot form the same cluster again.
    dir=/var/lib/redis-cluster/$p
    mkdir -p "$dir"
    say "redis-cluster: starting node 127.0.0.1:$p"
    redis-server --daemonize yes --bind 127.0.0.1 --port "$p" --cluster-enabled yes \
      --cluster-config-file "$dir/nodes.conf" --save "" --appendonly no --dir "$dir" \
      --logfile "$dir/redis.log" >/dev/null 2>&1
    wait_port "$p" || { say "redis-cluster: node $p is not answering (see $dir/redis.log)"; return 1; }
    started=1
  done
  [ "$started" = 0 ] && say "redis-cluster: nodes already running on $range"
  for p in "${cluster_ports[@]}"; do
    redis_ping "$p" || { say "redis-cluster: 127.0.0.1:$p does not answer PING"; return 1; }
  done
  if ! cluster_ok; then
    local known
    known=$(for p in "${cluster_ports[@]}"; do redis-cli -p "$p" cluster info | sed -n 's/^cluster_known_nodes:\([0-9]*\).*/\1/p'; done | sort -u)
    if [ "$known" = 1 ]; then
      # New nodes. A concurrent run of this script may create the cluster first; then this
      # create fails, and the wait below sees the other one's cluster.
      say "redis-cluster: creating the cluster (${#cluster_ports[@]} masters, no replicas)"
      local nodes=()
      for p in "${cluster_ports[@]}"; do nodes+=("127.0.0.1:$p"); done
      redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes >/dev/null 2>&1
    else
      # Nodes that know each other: rejoining after a restart, or being joined by a concurrent
      # run of this script. Both become ok within seconds.
      say "redis-cluster: waiting for the nodes to agree (known nodes: $(echo $known))"
    fi
    if ! wait_cluster_ok 30; then
      say "redis-cluster: nodes on $range are not a healthy cluster (known nodes:" \
        "$(echo $known)); not touching them"
      return 1
    fi
  fi
  cluster_ok || { say "redis-cluster: cluster_state is not ok on every node of $range"; return 1; }
  say "redis-cluster: ready ($range)"
}

# --- Chromium, wrk, Node.js -------------------------------------------------------------------
start_chromium() {
  local missing=()
  has chromium || missing+=(chromium)
  has chromedriver || missing+=(chromium-driver)
  if [ ${#missing[@]} -gt 0 ]; then
    apt_install "${missing[@]}" || return 1
  else
    say "chromium: already installed"
  fi
  chromedriver --version >/dev/null 2>&1 || { say "chromium: chromedriver does not run"; return 1; }
  # Prove the browser starts headless (the flags keep it off the network).
  local tmp out; tmp=$(mktemp -d)
  out=$(timeout 60 chromium --headless --no-sandbox --disable-gpu --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$tmp" --dump-dom 'data:text/html,<p>hallpass-ok</p>' 2>/dev/null)
  rm -rf "$tmp"
  [[ "$out" == *hallpass-ok* ]] || { say "chromium: headless Chromium did not render a page"; return 1; }
  say "chromium: ready ($(chromium --version 2>/dev/null); $(command -v chromedriver))"
}

start_wrk() {
  if has wrk; then say "wrk: already installed"; else apt_install wrk || return 1; fi
  local v; v=$(wrk -v 2>&1) # prints its version, then the usage, and exits 1
  [[ "$v" == wrk\ * ]] || { say "wrk: does not run"; return 1; }
  say "wrk: ready (${v%% \[*})"
}

node_major() { local m=${1#v}; m=${m%%.*}; [[ "$m" =~ ^[0-9]+$ ]] && echo "$m" || echo 0; }

start_node() {
  local missing=()
  has node || missing+=(nodejs)
  has npm || missing+=(npm)
  if [ ${#missing[@]} -gt 0 ]; then
    apt_install "${missing[@]}" || return 1
  else
    say "node: already installed"
  fi
  local v; v=$(node --version 2>/dev/null) || { say "node: does not run"; return 1; }
  npm --version >/dev/null 2>&1 || { say "node: npm does not run"; return 1; }
  # The demo's browser test runs playwright-core, which refuses Node.js older than 20; Debian 12
  # packages 18. Then Node.js 20 comes from the npm registry (package node, into /usr/local/bin,
  # ahead of /usr/bin on the PATH).
  if [ "$(node_major "$v")" -lt 20 ]; then
    if ! is_root; then
      say "node: Node.js $v is older than 20, which the demo's browser test needs (install 20 or later)"
      return 1
    fi
    say "node: Node.js $v is older than 20: installing Node.js 20 from the npm registry (npm install -g node@20)"
    npm install -g --no-audit --no-fund --loglevel=error node@20 >/dev/null 2>&1 \
      || { say "node: npm install -g node@20 failed"; return 1; }
    hash -r
    v=$(node --version 2>/dev/null)
    [ "$(node_major "$v")" -ge 20 ] \
      || { say "node: still Node.js $v first on the PATH ($(command -v node))"; return 1; }
  fi
  say "node: ready (node $v at $(command -v node), npm $(npm --version))"
}

# ---------------------------------------------------------------------------------------------
ready=() failed=()
for s in "${wanted[@]}"; do
  case "$s" in
    postgres | postgresql) s=postgres ;;
    mariadb | mysql) s=mariadb ;;
    chromium | chromedriver | chromium-driver) s=chromium ;;
    node | nodejs | npm) s=node ;;
    redis | redis-cluster | wrk) ;;
    *) say "unknown service '$s' (known: ${all[*]})"; failed+=("$s"); continue ;;
  esac
  if "start_${s//-/_}"; then ready+=("$s"); else failed+=("$s"); fi
done
say "ready: ${ready[*]:-none}${failed[*]:+; FAILED: ${failed[*]}}"
[ ${#failed[@]} -eq 0 ]
