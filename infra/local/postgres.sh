#!/usr/bin/env bash
# A throwaway PostgreSQL cluster as a plain local process, for machines without a
# Docker engine (DESIGN §4). Uses Debian's `postgresql` package, installing it when
# it is missing and we are root.
#
#   postgres.sh start <dir> <port>   initdb (first time) and start; prints the URL as the last line
#   postgres.sh stop <dir>           fast shutdown; the data stays in <dir>/data
#
# As root the server runs as the `postgres` user, which often cannot reach <dir>
# (mkdtemp makes 0700 directories). Then the cluster lives in a postgres-owned
# /tmp/wenming-pg.* directory that <dir>/data links to, and `stop` deletes it, since
# whoever removes <dir> would not.
#
# The cluster listens on 127.0.0.1 only, trusts local connections (test data only),
# and keeps fsync and synchronous_commit on, so tests and benchmarks measure the
# durability Wenming promises. Everything but the URL goes to stderr.
set -euo pipefail

usage() {
  echo "usage: $0 start <dir> <port> | stop <dir>" >&2
  exit 2
}

log() { echo "postgres.sh: $*" >&2; }

# The newest installed major version's binaries, or nothing.
find_bin() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [[ -x $d/initdb && -x $d/pg_ctl ]]; then
      echo "$d"
      return
    fi
  done
}

ensure_binaries() {
  BIN=$(find_bin)
  if [[ -n $BIN ]]; then return; fi
  if [[ $(id -u) -ne 0 ]]; then
    log "PostgreSQL binaries not found under /usr/lib/postgresql/*/bin and not root: install Debian's postgresql package"
    exit 1
  fi
  log "installing Debian's postgresql package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y postgresql >&2
  BIN=$(find_bin)
  if [[ -z $BIN ]]; then
    log "apt-get installed postgresql but no initdb/pg_ctl was found"
    exit 1
  fi
}

# initdb and the server refuse to run as root: as root, run them as `postgres`.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# <dir>/data, or where it links to.
data_dir() {
  if [[ -L $1/data ]]; then readlink -f "$1/data"; else echo "$1/data"; fi
}

is_running() {
  [[ -f $DATA/PG_VERSION ]] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

start() {
  local dir=$1 port=$2
  [[ $port =~ ^[0-9]+$ ]] || usage
  ensure_binaries
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  DATA=$(data_dir "$dir")
  local url="postgresql://postgres@127.0.0.1:$port/wenming"

  if is_running; then
    # Idempotent: a cluster already runs here. Report the port it really listens on
    # (line 4 of postmaster.pid), which may differ from the one asked for.
    local running
    running=$(sed -n 4p "$DATA/postmaster.pid")
    echo "postgresql://postgres@127.0.0.1:${running:-$port}/wenming"
    return
  fi

  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || {
      log "no 'postgres' user to run the server as (the postgresql package creates it)"
      exit 1
    }
    if [[ ! -e $DATA ]]; then
      chown postgres: "$dir"
      if ! runuser -u postgres -- test -w "$dir"; then
        ln -s "$(mktemp -d /tmp/wenming-pg.XXXXXX)" "$DATA"
        log "the postgres user cannot reach $dir; the cluster lives in $(readlink -f "$DATA")"
      fi
    fi
    DATA=$(readlink -f "$DATA")
    mkdir -p "$DATA"
    chown postgres: "$DATA"
    chmod 700 "$DATA"
  fi

  if [[ ! -f $DATA/PG_VERSION ]]; then
    log "initdb $DATA"
    as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C >&2
    # Trust only the loopback address (and the owner's socket, which is disabled below).
    cat >"$DATA/pg_hba.conf" <<'EOF'
local all all              trust
host  all all 127.0.0.1/32 trust
EOF
    echo "include_if_exists = 'wenming.conf'" >>"$DATA/postgresql.conf"
  fi

  # Rewritten on every start, so a restart on another port works.
  # No Unix socket: its default directory (/var/run/postgresql) may not exist here.
  as_owner tee "$DATA/wenming.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = ''
fsync = on
synchronous_commit = on
full_page_writes = on
max_connections = 200
EOF

  log "starting on 127.0.0.1:$port (log: $DATA/server.log)"
  as_owner "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 start >&2 || {
    tail -n 20 "$DATA/server.log" >&2 || true
    exit 1
  }

  local exists
  exists=$(as_owner "$BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'wenming'")
  if [[ $exists != 1 ]]; then
    as_owner "$BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres wenming
  fi
  echo "$url"
}

stop() {
  local dir=$1
  BIN=$(find_bin)
  DATA=$(data_dir "$dir")
  if [[ -n $BIN ]] && is_running; then
    as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >&2
  else
    log "not running in $dir"
  fi
  if [[ -L $dir/data ]]; then
    rm -rf -- "$DATA"
    rm -f -- "$dir/data"
  fi
}

case "${1:-}" in
  start)
    [[ $# -eq 3 ]] || usage
    start "$2" "$3"
    ;;
  stop)
    [[ $# -eq 2 ]] || usage
    stop "$2"
    ;;
  *) usage ;;
esac
