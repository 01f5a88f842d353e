# Sourced by the scripts that build a server or tool from Go source (ferretdb.sh,
# compose.sh) on machines where the Go module proxy is reachable but Docker Hub and
# release downloads are not.
#
#   go_module_build <label> <module> <version> <package> <cache dir> <binary> <minutes>
#
# Builds <package> (a path inside the module, e.g. ./cmd) of <module>@<version> into
# <cache dir>/<binary>, once: under a lock, so two runs at once build it once, into a
# temporary directory moved into place only when the build worked. Optional:
#   GO_BUILD_LDFLAGS   extra -ldflags (a version stamp)
#   go_build_prepare   a function the caller defines, called with the copied source
#                      directory before the build (to add a generated file)
# Never installs Go. Logs through the caller's `log`.
#
# Not a plain `go install <module>/<package>@<version>`: it refuses modules whose
# go.mod has exclude or replace directives (compose), and builds from the module zip
# without files the project's own build generates (FerretDB's version.txt). So: the
# module is downloaded through the configured GOPROXY (checked against the checksum
# database), copied, and built inside, where its own go.mod applies.
go_module_build() {
  local label=$1 module=$2 version=$3 package=$4 cache=$5 binary=$6 minutes=$7
  local bin=$cache/$binary
  [[ -x $bin ]] && return
  command -v go >/dev/null || {
    log "no 'go' on PATH: $label $version is built from the Go module proxy (install Go from go.dev/dl; Debian's golang package is too old)"
    exit 1
  }
  mkdir -p "$(dirname "$cache")"
  exec 9>"$cache.lock"
  flock 9
  if [[ ! -x $bin ]]; then
    local tmp started src
    tmp=$(mktemp -d "$cache.tmp.XXXXXX")
    # shellcheck disable=SC2064 # expanded now: $tmp is local
    trap "chmod -R u+w '$tmp' 2>/dev/null; rm -rf -- '$tmp'" EXIT
    started=$(date +%s)
    log "building $label $version with $(go version) (first time only; takes $minutes)"
    # GOFLAGS=-mod=mod: a GOFLAGS=-mod=vendor/readonly set elsewhere must not stop a
    # module-mode build. GOPROXY/GONOSUMDB are left as this machine configures them.
    export GOFLAGS="-mod=mod -buildvcs=false"
    src=$(cd "$tmp" && go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    if [[ -z $src || ! -f $src/go.mod ]]; then
      log "go mod download $module@$version failed"
      exit 1
    fi
    cp -R "$src" "$tmp/src"
    chmod -R u+w "$tmp/src"
    if declare -F go_build_prepare >/dev/null; then go_build_prepare "$tmp/src"; fi
    if ! (cd "$tmp/src" && go build -trimpath -ldflags "-s -w ${GO_BUILD_LDFLAGS:-}" -o "$tmp/bin/$binary" "$package" >&2); then
      log "go build of $label $version failed"
      exit 1
    fi
    "$tmp/bin/$binary" --version >&2 2>/dev/null || "$tmp/bin/$binary" version >&2
    rm -rf -- "$cache"
    mv "$tmp/bin" "$cache"
    log "built $bin in $(($(date +%s) - started)) s"
  fi
  flock -u 9
}
