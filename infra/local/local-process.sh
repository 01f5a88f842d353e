# Sourced by the scripts that run a server as a plain local process with a pid file
# (kafka/kafka.sh, ferretdb/ferretdb.sh). Logs through the caller's `log`.
#
#   listening <port>               true when something accepts TCP connections on 127.0.0.1:<port>
#   alive <pid>                    true when <pid> runs
#   pid_of <pid file> <pattern>    prints the pid in <pid file> when that process runs and
#                                  its command line contains <pattern>; fails otherwise
#   stop_pid <pid> <seconds> <label>   SIGTERM, then SIGKILL if it still runs after <seconds>

listening() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Running, not a zombie: the server outlives the script that started it, and a
# container's PID 1 may never reap it once it exits.
alive() {
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z && $state != X ]]
}

# The pattern guards against a recycled pid.
pid_of() {
  local file=$1 pattern=$2 pid
  [[ -f $file ]] || return 1
  pid=$(<"$file")
  [[ $pid =~ ^[0-9]+$ ]] && alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$pattern" || return 1
  echo "$pid"
}

stop_pid() {
  local pid=$1 seconds=$2 label=$3 i
  local deadline=$((SECONDS + seconds))
  kill -TERM "$pid" 2>/dev/null || true
  while alive "$pid"; do
    if ((SECONDS >= deadline)); then
      log "$label (pid $pid) did not stop within ${seconds}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      for ((i = 0; i < 50; i++)); do
        alive "$pid" || break
        sleep 0.1
      done
      return
    fi
    sleep 0.1
  done
}
