#!/usr/bin/env bash
# A real Apache Kafka broker as a plain local process, for machines without a Docker
# engine (DESIGN §4): the Maven Central jars pinned by pom.xml next to this script,
# single node, combined-mode KRaft (broker and controller in one JVM) on 127.0.0.1.
#
#   kafka.sh start <dir> <port>   format <dir> (first time only) and start; prints
#                                 the bootstrap address 127.0.0.1:<port> as the last line
#   kafka.sh stop <dir>           SIGTERM, SIGKILL after KAFKA_STOP_TIMEOUT (30) seconds;
#                                 the data stays in <dir>/data
#   kafka.sh status <dir>         prints the bootstrap address and exits 0 when a broker runs in <dir>
#
# `start` on a formatted <dir> reuses its cluster id and data, so a fault test can stop
# and start the broker mid-run (same <dir> and <port>) and find its topics again. When a
# broker already runs in <dir>, `start` only prints its address (its port, not <port>).
#
# The jars are copied once into $WENMING_KAFKA_LIBS (default <repo>/.wenming/kafka-libs,
# git-ignored) and re-resolved only when pom.xml changes, so a warm machine starts a
# broker in seconds. Resolution tries Maven's offline mode first (everything already in
# ~/.m2), then Maven Central. Java and Maven are installed with apt-get when missing and
# we are root. Everything but the address goes to stderr.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
POM=$HERE/pom.xml
LIBS=${WENMING_KAFKA_LIBS:-$ROOT/.wenming/kafka-libs}
HEAP=${KAFKA_HEAP:-768m}
START_TIMEOUT=${KAFKA_START_TIMEOUT:-120}
STOP_TIMEOUT=${KAFKA_STOP_TIMEOUT:-30}
READY='Kafka Server started'

usage() {
  echo "usage: $0 start <dir> <port> | stop <dir> | status <dir>" >&2
  exit 2
}

log() { echo "kafka.sh: $*" >&2; }

# shellcheck source=../local-process.sh
source "$ROOT/infra/local/local-process.sh"

ensure_tool() {
  local tool=$1 package=$2
  command -v "$tool" >/dev/null 2>&1 && return
  if [[ $(id -u) -ne 0 ]]; then
    log "'$tool' not found and not root: install Debian's $package (Java 17 or newer)"
    exit 1
  fi
  log "installing Debian's $package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y --no-install-recommends "$package" >&2
  command -v "$tool" >/dev/null 2>&1 || {
    log "apt-get installed $package but '$tool' is still missing"
    exit 1
  }
}

# Copies the broker's runtime classpath into $LIBS unless it is there for this pom.xml.
resolve_jars() {
  local want
  want=$(sha256sum "$POM" | cut -d' ' -f1)
  libs_ok() { [[ -f $LIBS/.pom.sha256 && $(cat "$LIBS/.pom.sha256") == "$want" ]] && compgen -G "$LIBS/kafka_2.13-*.jar" >/dev/null; }
  libs_ok && return

  mkdir -p "$(dirname "$LIBS")"
  # Two harnesses starting at once resolve one after the other.
  exec 9>"$LIBS.lock"
  flock -w 900 9 || {
    log "timed out waiting for another resolution ($LIBS.lock)"
    exit 1
  }
  if libs_ok; then
    exec 9>&-
    return
  fi
  ensure_tool mvn maven
  local tmp
  tmp=$(mktemp -d "$LIBS.tmp.XXXXXX")
  log "resolving the broker's jars with Maven into $LIBS (the first time downloads ~70 MB from Maven Central)"
  if ! mvn -q -B -o -Dstyle.color=never -f "$POM" "-Dlibs.dir=$tmp" process-resources >/dev/null 2>&1; then
    # (Debian's Maven 3.8 prints colour resets even when told not to: strip them.)
    mvn -q -B -Dstyle.color=never -f "$POM" "-Dlibs.dir=$tmp" process-resources 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2 || {
      rm -rf -- "$tmp"
      log "mvn could not resolve $POM"
      exit 1
    }
  fi
  echo "$want" >"$tmp/.pom.sha256"
  rm -rf -- "$LIBS"
  mv -- "$tmp" "$LIBS"
  exec 9>&-
}

# The pid of the broker running from <dir> (our JVM with our server.properties), or fails.
broker_pid() {
  pid_of "$1/kafka.pid" "kafka.Kafka $1/server.properties"
}

# A port nobody listens on, below Linux's ephemeral range (32768+) so that the
# kernel does not hand it to an outgoing connection meanwhile.
free_port() {
  local avoid=$1 p i
  for i in $(seq 1 200); do
    p=$((20000 + RANDOM % 12000))
    [[ $p != "$avoid" ]] && ! listening "$p" && {
      echo "$p"
      return
    }
  done
  log "found no free port for the controller listener"
  exit 1
}

# The JVM's options (the classpath is the jar folder: java expands the quoted '*').
java_args() {
  JAVA_ARGS=(-Xms128m "-Xmx$HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true
    "-Dlog4j.configuration=file:$DIR/log4j.properties" -cp "$LIBS/*")
}

start() {
  local port=$2
  [[ $port =~ ^[0-9]+$ ]] || usage
  mkdir -p "$1"
  DIR=$(cd "$1" && pwd)

  local pid
  if pid=$(broker_pid "$DIR"); then
    log "a broker already runs from $DIR (pid $pid)"
    echo "127.0.0.1:$(cat "$DIR/port")"
    return
  fi
  if listening "$port"; then
    log "something else already listens on 127.0.0.1:$port"
    exit 1
  fi

  ensure_tool java openjdk-17-jre-headless
  resolve_jars

  # The controller keeps its port across restarts when it can (the quorum is itself).
  local cport=''
  [[ -f $DIR/controller.port ]] && cport=$(cat "$DIR/controller.port")
  if [[ ! $cport =~ ^[0-9]+$ || $cport == "$port" ]] || listening "$cport"; then cport=$(free_port "$port"); fi
  echo "$cport" >"$DIR/controller.port"
  echo "$port" >"$DIR/port"

  # Rewritten on every start, so a restart picks up any change here.
  cat >"$DIR/server.properties" <<EOF
# Written by infra/local/kafka/kafka.sh: a single-node KRaft cluster for tests.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
log.dirs=$DIR/data
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
min.insync.replicas=1
auto.create.topics.enable=false
delete.topic.enable=true
group.initial.rebalance.delay.ms=0
EOF

  cat >"$DIR/log4j.properties" <<'EOF'
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.request.logger=WARN
log4j.logger.org.apache.kafka.clients=WARN
EOF

  java_args
  if [[ ! -f $DIR/data/meta.properties ]]; then
    local id
    id=$(cat "$DIR/cluster.id" 2>/dev/null || true)
    if [[ -z $id ]]; then
      id=$(java "${JAVA_ARGS[@]}" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)
      [[ -n $id ]] || {
        log "kafka.tools.StorageTool random-uuid printed nothing"
        exit 1
      }
      echo "$id" >"$DIR/cluster.id"
    fi
    log "formatting $DIR/data (cluster $id)"
    java "${JAVA_ARGS[@]}" kafka.tools.StorageTool format -t "$id" -c "$DIR/server.properties" --ignore-formatted >"$DIR/format.log" 2>&1 || {
      log "formatting failed:"
      tail -n 30 "$DIR/format.log" >&2
      exit 1
    }
  fi

  [[ -f $DIR/server.log ]] && mv -f -- "$DIR/server.log" "$DIR/server.log.1"
  log "starting Kafka on 127.0.0.1:$port, controller 127.0.0.1:$cport (log: $DIR/server.log)"
  # A simple command, so that $! is the JVM itself (not a subshell).
  java "${JAVA_ARGS[@]}" kafka.Kafka "$DIR/server.properties" </dev/null >"$DIR/server.log" 2>&1 &
  pid=$!
  echo "$pid" >"$DIR/kafka.pid"

  # Ready when the broker says it started (in KRaft that is after it caught up with
  # the metadata log and was unfenced) and its listener accepts connections.
  local deadline=$((SECONDS + START_TIMEOUT))
  until grep -qF "$READY" "$DIR/server.log" 2>/dev/null && listening "$port"; do
    if ! alive "$pid"; then
      log "the broker exited while starting; the end of $DIR/server.log:"
      tail -n 30 "$DIR/server.log" >&2 || true
      rm -f -- "$DIR/kafka.pid"
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      log "the broker did not start within ${START_TIMEOUT}s; stopping it. The end of $DIR/server.log:"
      tail -n 30 "$DIR/server.log" >&2 || true
      stop "$DIR"
      exit 1
    fi
    sleep 0.2
  done
  log "Kafka is up (pid $pid)"
  echo "127.0.0.1:$port"
}

stop() {
  local dir=$1 pid
  [[ -d $dir ]] || {
    log "not running in $dir"
    return
  }
  dir=$(cd "$dir" && pwd)
  if ! pid=$(broker_pid "$dir"); then
    log "not running in $dir"
    rm -f -- "$dir/kafka.pid"
    return
  fi
  stop_pid "$pid" "$STOP_TIMEOUT" "the broker"
  rm -f -- "$dir/kafka.pid"
  log "stopped (pid $pid)"
}

status() {
  local dir=$1
  [[ -d $dir ]] || exit 1
  dir=$(cd "$dir" && pwd)
  broker_pid "$dir" >/dev/null || exit 1
  echo "127.0.0.1:$(cat "$dir/port")"
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
  status)
    [[ $# -eq 2 ]] || usage
    status "$2"
    ;;
  *) usage ;;
esac
