#!/usr/bin/env bash
# Local 3-node demo: etcd + 3 patroni-ts nodes (PostgreSQL 15) on loopback, daemons in the background.
#   scripts/demo.sh          install what is missing, start (or reuse) the demo, print `patronictl list`
#   scripts/demo.sh stop     stop everything the demo started and remove its folder
# PATRONI_IMPL=debian runs Debian's /usr/bin/patroni instead of ours (same YAML).
# Ports (override with env): DEMO_ETCD_PORT (23790; peer = +10), DEMO_REST_PORT (8008..+2), DEMO_PG_PORT
# (15432..+2; not 5432, which a distribution's default PostgreSQL cluster may already hold).
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
IMPL="${PATRONI_IMPL:-ts}"
ETCD_PORT="${DEMO_ETCD_PORT:-23790}"
ETCD_PEER_PORT=$((ETCD_PORT + 10))
REST_PORT="${DEMO_REST_PORT:-8008}"
PG_PORT="${DEMO_PG_PORT:-15432}"
SCOPE=demo
NODES=(node1 node2 node3)
PG_BIN=/usr/lib/postgresql/15/bin
FALLBACK_DIR=/tmp/patroni-ts-demo
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"

say() { echo "demo: $*"; }
die() { echo "demo: error: $*" >&2; exit 1; }

# PostgreSQL refuses to run as root: as root, every demo process runs as postgres.
as_owner() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# The demo folder: .demo/ in the repo, unless the daemons' user cannot use the repo path.
existing_demo_dir() {
  local d
  for d in "$REPO/.demo" "$FALLBACK_DIR"; do [ -f "$d/patronictl.yaml" ] && { echo "$d"; return 0; }; done
  return 1
}
choose_demo_dir() {
  if [ "$(id -u)" -ne 0 ] || runuser -u postgres -- test -r "$REPO/package.json" -a -x "$REPO"; then
    echo "$REPO/.demo"
  else
    echo "$FALLBACK_DIR"
  fi
}

# pid from a pid file, if that process is still ours (its command line names the demo folder).
live_pid() {
  local file="$1" pid
  [ -f "$file" ] || return 1
  pid="$(cat "$file")"
  [ -n "$pid" ] && tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF -- "$DEMO_DIR" && echo "$pid"
}

postmaster_pid() {
  local file="$DEMO_DIR/$1/data/postmaster.pid" pid
  [ -f "$file" ] || return 1
  pid="$(head -n1 "$file")"
  [ -n "$pid" ] && tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -q postgres && echo "$pid"
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

install_missing() {
  local pkgs=(postgresql-15 etcd-server etcd-client util-linux) missing=() p
  [ "$IMPL" = debian ] && pkgs+=(patroni)
  command -v node >/dev/null 2>&1 || pkgs+=(nodejs npm)
  for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ "${#missing[@]}" -gt 0 ]; then
    say "installing ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
  [ "$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ] || die "Node.js >= 20 is required (found $(node --version))"
  if [ ! -d "$REPO/node_modules" ] || [ "$REPO/package-lock.json" -nt "$REPO/node_modules/.package-lock.json" ]; then
    (cd "$REPO" && npm ci --no-audit --no-fund)
  fi
  if [ "$IMPL" = ts ] && { [ ! -f "$REPO/dist/patroni.mjs" ] || [ -n "$(find "$REPO/src" -newer "$REPO/dist/patroni.mjs" -name '*.ts' -print -quit)" ]; }; then
    (cd "$REPO" && npm run build)
  fi
}

# Start a background daemon as the owner, detached from this shell (setsid); it writes its own pid
# to pids/NAME.pid (sh execs the daemon) and appends its output to logs/NAME.log.
launch() {
  local name="$1"; shift
  local runner=()
  [ "$(id -u)" -eq 0 ] && runner=(runuser -u postgres --)
  (cd "$DEMO_DIR" && setsid -f "${runner[@]}" sh -c 'echo $$ > "$0"; log="$1"; shift; exec "$@" >> "$log" 2>&1' \
    "$DEMO_DIR/pids/$name.pid" "$DEMO_DIR/logs/$name.log" "$@" </dev/null >/dev/null 2>&1)
}

write_configs() {
  local i name rest pg
  cat > "$DEMO_DIR/patronictl.yaml" <<YAML
# patronictl config for the demo: bin/patronictl -c $DEMO_DIR/patronictl.yaml list
scope: $SCOPE
etcd3:
  hosts: [127.0.0.1:$ETCD_PORT]
YAML
  for i in 0 1 2; do
    name="${NODES[$i]}"; rest=$((REST_PORT + i)); pg=$((PG_PORT + i))
    mkdir -p "$DEMO_DIR/$name"
    cat > "$DEMO_DIR/$name/patroni.yml" <<YAML
scope: $SCOPE
name: $name
restapi:
  listen: 127.0.0.1:$rest
  connect_address: 127.0.0.1:$rest
etcd3:
  hosts: [127.0.0.1:$ETCD_PORT]
bootstrap:
  dcs:
    ttl: 30
    loop_wait: 5
    retry_timeout: 10
    maximum_lag_on_failover: 1048576
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        max_connections: 50
        wal_keep_size: 64MB
  initdb:
  - encoding: UTF8
  - data-checksums
postgresql:
  listen: 127.0.0.1:$pg
  connect_address: 127.0.0.1:$pg
  data_dir: $DEMO_DIR/$name/data
  bin_dir: $PG_BIN
  pgpass: $DEMO_DIR/$name/pgpass
  authentication:
    superuser: {username: postgres, password: postgres}
    replication: {username: replicator, password: rep-pass}
  pg_hba:
  - local all all trust
  - local replication all trust
  - host replication replicator 127.0.0.1/32 md5
  - host all all 127.0.0.1/32 md5
  parameters:
    shared_buffers: 32MB
    unix_socket_directories: $DEMO_DIR/$name
YAML
  done
}

# Before starting anything: every port of a service that is not already ours and running must be free.
check_ports() {
  local busy=() i name
  if ! live_pid "$DEMO_DIR/pids/etcd.pid" >/dev/null; then
    port_busy "$ETCD_PORT" && busy+=("$ETCD_PORT (etcd client, DEMO_ETCD_PORT)")
    port_busy "$ETCD_PEER_PORT" && busy+=("$ETCD_PEER_PORT (etcd peer, DEMO_ETCD_PORT+10)")
  fi
  for i in 0 1 2; do
    name="${NODES[$i]}"
    live_pid "$DEMO_DIR/pids/$name.pid" >/dev/null && continue
    port_busy $((REST_PORT + i)) && busy+=("$((REST_PORT + i)) (REST API of $name, DEMO_REST_PORT)")
    if ! postmaster_pid "$name" >/dev/null; then
      port_busy $((PG_PORT + i)) && busy+=("$((PG_PORT + i)) (PostgreSQL of $name, DEMO_PG_PORT)")
    fi
  done
  if [ "${#busy[@]}" -gt 0 ]; then
    printf 'demo: error: port in use by another program: %s\n' "${busy[@]}" >&2
    die "free those ports or choose others with the variables named above"
  fi
}

daemon_cmd() {
  if [ "$IMPL" = debian ]; then echo /usr/bin/patroni; else echo "$(command -v node) $DAEMON_JS"; fi
}

start() {
  install_missing
  DEMO_DIR="$(existing_demo_dir || choose_demo_dir)"
  # A demo that exists keeps the ports it was created with.
  if [ -f "$DEMO_DIR/ports.env" ]; then
    # shellcheck disable=SC1091
    . "$DEMO_DIR/ports.env"
    ETCD_PEER_PORT=$((ETCD_PORT + 10))
  fi
  check_ports
  mkdir -p "$DEMO_DIR/pids" "$DEMO_DIR/logs"
  printf 'ETCD_PORT=%s\nREST_PORT=%s\nPG_PORT=%s\n' "$ETCD_PORT" "$REST_PORT" "$PG_PORT" > "$DEMO_DIR/ports.env"
  chmod 700 "$DEMO_DIR"
  # The ts daemon is one bundled file; a copy lets the postgres user run it when the repo is off limits.
  DAEMON_JS="$REPO/dist/patroni.mjs"
  if [ "$IMPL" = ts ] && [ "$DEMO_DIR" = "$FALLBACK_DIR" ]; then
    cp "$REPO/dist/patroni.mjs" "$DEMO_DIR/patroni.mjs"; DAEMON_JS="$DEMO_DIR/patroni.mjs"
  fi
  [ -f "$DEMO_DIR/patronictl.yaml" ] || write_configs
  if [ "$(id -u)" -eq 0 ]; then chown -R postgres: "$DEMO_DIR"; fi

  local i name started=0
  if ! live_pid "$DEMO_DIR/pids/etcd.pid" >/dev/null; then
    started=1
    say "starting etcd on 127.0.0.1:$ETCD_PORT"
    local arch_env=()
    [ "$(uname -m)" = aarch64 ] && arch_env=(env ETCD_UNSUPPORTED_ARCH=arm64)
    launch etcd "${arch_env[@]}" etcd --name demo --data-dir "$DEMO_DIR/etcd" \
      --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
      --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
      --initial-cluster "demo=http://127.0.0.1:$ETCD_PEER_PORT"
    for _ in $(seq 1 100); do port_busy "$ETCD_PORT" && break; sleep 0.2; done
    port_busy "$ETCD_PORT" || die "etcd did not start; see $DEMO_DIR/logs/etcd.log"
  fi
  for i in 0 1 2; do
    name="${NODES[$i]}"
    live_pid "$DEMO_DIR/pids/$name.pid" >/dev/null && continue
    started=1
    say "starting $name ($IMPL): REST 127.0.0.1:$((REST_PORT + i)), PostgreSQL 127.0.0.1:$((PG_PORT + i))"
    # shellcheck disable=SC2046
    launch "$name" $(daemon_cmd) "$DEMO_DIR/$name/patroni.yml"
  done
  node "$REPO/scripts/demo-wait.mjs" 180 2 "$REST_PORT" $((REST_PORT + 1)) $((REST_PORT + 2)) \
    || die "cluster did not come up; logs are in $DEMO_DIR/logs"
  # patronictl reads member keys, which each node refreshes once per loop_wait (5 s).
  [ "$started" -eq 1 ] && sleep 6
  local ctl="$REPO/bin/patronictl"
  [ "$IMPL" = debian ] && ctl=/usr/bin/patronictl
  echo "\$ $ctl -c $DEMO_DIR/patronictl.yaml list"
  "$ctl" -c "$DEMO_DIR/patronictl.yaml" list
  say "stop it with: scripts/demo.sh stop"
}

# Signal the pid in a pid file (if still ours) and wait up to $3 seconds for it to go.
stop_pid() {
  local pid="$1" signal="$2" wait_s="$3"
  kill "-$signal" "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 $((wait_s * 5))); do [ -d "/proc/$pid" ] || return 0; sleep 0.2; done
  return 1
}

stop() {
  DEMO_DIR="$(existing_demo_dir)" || { say "no demo is running"; return 0; }
  local name pid
  for name in "${NODES[@]}"; do
    pid="$(live_pid "$DEMO_DIR/pids/$name.pid")" && { say "stopping $name"; stop_pid "$pid" TERM 60 || stop_pid "$pid" KILL 5 || true; }
  done
  for name in "${NODES[@]}"; do
    # A postmaster that outlived its daemon: fast shutdown, then immediate.
    pid="$(postmaster_pid "$name")" && { stop_pid "$pid" INT 20 || stop_pid "$pid" QUIT 10 || stop_pid "$pid" KILL 5 || true; }
  done
  pid="$(live_pid "$DEMO_DIR/pids/etcd.pid")" && { say "stopping etcd"; stop_pid "$pid" TERM 10 || stop_pid "$pid" KILL 5 || true; }
  rm -rf "$DEMO_DIR"
  say "stopped; removed $DEMO_DIR"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 [start|stop]" >&2; exit 2 ;;
esac
