#!/usr/bin/env bash
# Docker Compose v2 for checking docker-compose.yml on machines without a Docker
# engine (DESIGN §4): `docker compose config` needs no engine, only the compose CLI.
# Where none is installed it is built from source with the Go toolchain from the
# module proxy (reachable where Docker's downloads are not).
#
#   compose.sh path    find or build a docker compose v2; prints its path as the last line
#   compose.sh build   only build the pinned version into the cache (CI can warm it)
#
# `path` takes, in order: DOCKER_COMPOSE_BIN (an executable; the caller's choice);
# a `docker-compose` on PATH, then a Docker CLI plugin (`docker compose`), when it
# answers `version` with v2 or later; else the pinned build, cached in
# <repo>/.wenming/go-bin/compose-<version>/docker-compose (git-ignored). The printed
# binary runs standalone: `<path> config -q`, same as `docker compose config -q`. The
# cold build takes about two minutes (it downloads and compiles compose and its
# dependencies); later runs take a second. Everything but the path goes to stderr.
set -euo pipefail

VERSION=v2.40.3
MODULE=github.com/docker/compose/v2
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
CACHE=$ROOT/.wenming/go-bin/compose-$VERSION

usage() {
  echo "usage: $0 path | build" >&2
  exit 2
}

log() { echo "compose.sh: $*" >&2; }

# shellcheck source=../go-module-build.sh
source "$ROOT/infra/local/go-module-build.sh"

# True when $1 is an executable that says it is Docker Compose v2 or later (run
# standalone, as the path is used; a plugin binary runs standalone too).
is_compose_v2() {
  local bin=$1 version major
  [[ -x $bin ]] || return 1
  version=$("$bin" version --short 2>/dev/null) || return 1
  version=${version#v}
  major=${version%%.*}
  # A build without its version stamped says "dev": not known to be v2.
  [[ $major =~ ^[0-9]+$ ]] && ((major >= 2)) || {
    log "ignoring $bin: its version is ${version:-empty}, not v2 or later"
    return 1
  }
}

# Sets BIN to an installed Docker Compose v2, or returns 1.
find_installed() {
  local bin dir
  if bin=$(command -v docker-compose) && is_compose_v2 "$bin"; then
    BIN=$bin
    return
  fi
  # Where the Docker CLI looks for plugins on Linux (`docker compose` runs the first found).
  for dir in "${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins" /usr/local/lib/docker/cli-plugins \
    /usr/local/libexec/docker/cli-plugins /usr/lib/docker/cli-plugins /usr/libexec/docker/cli-plugins; do
    if [[ -e $dir/docker-compose ]]; then
      if is_compose_v2 "$dir/docker-compose"; then
        BIN=$dir/docker-compose
        return
      fi
    fi
  done
  return 1
}

# Sets BIN to the pinned compose, built once from the module proxy.
ensure_built() {
  # The version stamp the project's Makefile sets (else `version` says "dev").
  GO_BUILD_LDFLAGS="-X $MODULE/internal.Version=$VERSION"
  go_module_build "Docker Compose" "$MODULE" "$VERSION" ./cmd "$CACHE" docker-compose "about two minutes"
  BIN=$CACHE/docker-compose
}

ensure_binary() {
  if [[ -n ${DOCKER_COMPOSE_BIN:-} ]]; then
    [[ -x $DOCKER_COMPOSE_BIN ]] || {
      log "DOCKER_COMPOSE_BIN=$DOCKER_COMPOSE_BIN is not an executable"
      exit 1
    }
    BIN=$DOCKER_COMPOSE_BIN
    return
  fi
  if find_installed; then
    log "using the installed $BIN"
    return
  fi
  ensure_built
}

case "${1:-}" in
  path)
    [[ $# -eq 1 ]] || usage
    ensure_binary
    echo "$BIN"
    ;;
  build)
    [[ $# -eq 1 ]] || usage
    ensure_built
    echo "$BIN"
    ;;
  *) usage ;;
esac
