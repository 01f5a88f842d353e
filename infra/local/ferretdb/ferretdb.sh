#!/usr/bin/env bash
# A MongoDB-wire server as a plain local process, for machines without a Docker
# engine (DESIGN §4): FerretDB v1.24 on its SQLite backend, built from source with
# the Go toolchain from the module proxy (reachable where Docker Hub is not).
#
#   ferretdb.sh start <dir> <port>   build FerretDB when missing, start it; prints the URL as the last line
#   ferretdb.sh stop <dir>           stop it; the data stays in <dir>/data
#   ferretdb.sh build                only build (CI can warm the cache)
#
# The binary is cached in <repo>/.wenming/go-bin/ferretdb-<version>/ (git-ignored);
# FERRETDB_BIN names a prebuilt one instead. The cold build takes a few minutes (it
# downloads and compiles FerretDB and a pure-Go SQLite); later starts take a second.
# The server listens on 127.0.0.1 only, without authentication (test data only).
# Everything but the URL goes to stderr.
set -euo pipefail

VERSION=v1.24.1
MODULE=github.com/FerretDB/FerretDB/cmd/ferretdb
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
CACHE=$ROOT/.wenming/go-bin/ferretdb-$VERSION

usage() {
  echo "usage: $0 start <dir> <port> | stop <dir> | build" >&2
  exit 2
}

log() { echo "ferretdb.sh: $*" >&2; }

# shellcheck source=../go-module-build.sh
source "$ROOT/infra/local/go-module-build.sh"
# shellcheck source=../local-process.sh
source "$ROOT/infra/local/local-process.sh"

# Sets BIN to a FerretDB binary, building it once (under a lock, so two runs at once
# build it once). Never installs Go: Debian's golang is too old for FerretDB 1.24.
ensure_binary() {
  if [[ -n ${FERRETDB_BIN:-} ]]; then
    [[ -x $FERRETDB_BIN ]] || {
      log "FERRETDB_BIN=$FERRETDB_BIN is not an executable"
      exit 1
    }
    BIN=$FERRETDB_BIN
    return
  fi
  # `go install $MODULE@$VERSION` would give a binary that panics at start ("Invalid
  # build/version/version.txt file content"): the module zip lacks that generated file.
  go_build_prepare() { echo "$VERSION" >"$1/build/version/version.txt"; }
  go_module_build FerretDB "${MODULE%%/cmd/*}" "$VERSION" ./cmd/ferretdb "$CACHE" ferretdb "a few minutes"
  BIN=$CACHE/ferretdb
}

# The pid of the FerretDB running from <dir>, or fails.
server_pid() {
  pid_of "$1/ferretdb.pid" ferretdb
}

start() {
  local dir=$1 port=$2
  [[ $port =~ ^[0-9]+$ ]] || usage
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)

  local running
  if running=$(server_pid "$dir"); then
    # Idempotent: a server already runs here; report the port it listens on.
    port=$(<"$dir/port")
    log "already running in $dir (pid $running)"
    echo "mongodb://127.0.0.1:$port/"
    return
  fi

  ensure_binary
  mkdir -p "$dir/data" "$dir/state"
  log "starting FerretDB on 127.0.0.1:$port (log: $dir/ferretdb.log)"
  # setsid: the server outlives this script and does not get the caller's terminal signals.
  setsid "$BIN" \
    --handler=sqlite --sqlite-url="file:$dir/data/" \
    --state-dir="$dir/state" \
    --listen-addr="127.0.0.1:$port" \
    --telemetry=disable --debug-addr=- \
    --log-level=warn \
    >"$dir/ferretdb.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$dir/ferretdb.pid"
  echo "$port" >"$dir/port"

  local i
  for ((i = 0; i < 600; i++)); do
    if ! alive "$pid"; then
      log "FerretDB exited during start:"
      tail -n 20 "$dir/ferretdb.log" >&2 || true
      rm -f "$dir/ferretdb.pid"
      exit 1
    fi
    if listening "$port"; then
      echo "mongodb://127.0.0.1:$port/"
      return
    fi
    sleep 0.1
  done
  log "FerretDB did not accept connections on 127.0.0.1:$port within 60 s:"
  tail -n 20 "$dir/ferretdb.log" >&2 || true
  kill "$pid" 2>/dev/null || true
  exit 1
}

stop() {
  local dir=$1 pid
  if ! pid=$(server_pid "$dir"); then
    log "not running in $dir"
    rm -f "$dir/ferretdb.pid"
    return
  fi
  stop_pid "$pid" 10 FerretDB
  rm -f "$dir/ferretdb.pid"
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
  build)
    [[ $# -eq 1 ]] || usage
    ensure_binary
    echo "$BIN"
    ;;
  *) usage ;;
esac
