#!/usr/bin/env bash
# slurm-cluster.sh: a throw-away single-node SLURM cluster on this machine, for the SLURM
# integration test (tests/suite/slurm.rs) and for trying `coopetition slurm` locally.
#
#   slurm-cluster.sh start    install slurm-wlm and munge if missing (apt, root), start
#                             munged, slurmctld and slurmd, wait until the node takes jobs
#   slurm-cluster.sh stop     cancel jobs, stop the daemons this script started
#   slurm-cluster.sh status   exit 0 only when all three run and the node takes jobs
#                             (idle, mixed or allocated)
#   slurm-cluster.sh env      the exports that point SLURM commands at this cluster
#
# Everything (configuration, munge key and socket, state, logs, pid files) lives under
# $COOPETITION_SLURM_DIR (default: coopetition-slurm in the temp directory); no systemd,
# and only processes whose pid files are there are ever signalled. Debian or Ubuntu, root.
set -euo pipefail
umask 022

DIR=${COOPETITION_SLURM_DIR:-${TMPDIR:-/tmp}/coopetition-slurm}
# The daemons run as root and read their configuration from here: refuse a directory
# (or a link to one) that another user could have put in a shared temp directory.
if [[ -L $DIR ]] || { [[ -e $DIR ]] && [[ ! -O $DIR ]]; }; then
  echo "[slurm-cluster] $DIR is a symbolic link or not owned by $(id -un): refusing it" >&2
  exit 1
fi
RUN=$DIR/run
SOCKET=$RUN/munge.socket
HOST=$(hostname -s)
export SLURM_CONF=$DIR/etc/slurm.conf
export PATH=$PATH:/usr/sbin:/sbin
DAEMONS=(munged slurmctld slurmd)

say() { echo "[slurm-cluster] $*" >&2; }

# running NAME: the pid recorded for NAME is a live process called NAME.
running() {
  local pid state
  pid=$(cat "$RUN/$1.pid" 2>/dev/null) || return 1
  [[ -n $pid && $(cat "/proc/$pid/comm" 2>/dev/null) == "$1" ]] || return 1
  read -r _ _ state _ <"/proc/$pid/stat" 2>/dev/null && [[ $state != Z ]]
}

node_state() {
  running slurmctld || return 0
  timeout 10 sinfo -h -n "$HOST" -o %T 2>/dev/null | head -n 1 || true
}

install_packages() {
  local tool
  for tool in sbatch squeue slurmctld slurmd munged mungekey; do
    command -v "$tool" >/dev/null || break
  done
  command -v "$tool" >/dev/null && return 0
  [[ $(id -u) == 0 ]] || { say "slurm-wlm is not installed and installing it needs root"; exit 1; }
  say "installing slurm-wlm and munge (log: $DIR/log/apt.log)"
  # Keep the packages' own services from starting system-wide copies of the daemons.
  local guard=/usr/sbin/policy-rc.d
  if [[ ! -e $guard ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$guard" && chmod +x "$guard"
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  # Wait for another apt (CI installs chromium beside this) instead of failing on its lock.
  local wait=(-o DPkg::Lock::Timeout=600)
  if ! { apt-get "${wait[@]}" update -q && DEBIAN_FRONTEND=noninteractive apt-get "${wait[@]}" install -y -q \
    --no-install-recommends slurm-wlm munge; } >"$DIR/log/apt.log" 2>&1; then
    tail -n 30 "$DIR/log/apt.log" >&2
    exit 1
  fi
}

write_config() {
  # RealMemory: 90% of the memory available now, in MB, so slurmd does not drain the node.
  local memory
  memory=$(awk '/^MemAvailable:/ {print int($2 / 1024 * 0.9)}' /proc/meminfo)
  cat >"$SLURM_CONF" <<EOF
ClusterName=coopetition
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=$SOCKET
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerParameters=batch_sched_delay=0
SlurmdParameters=config_overrides
ReturnToService=2
MinJobAge=86400
KillWait=5
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$RUN/slurmctld.pid
SlurmdPidFile=$RUN/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=$memory State=UNKNOWN
PartitionName=local Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
}

# Whether this invocation launched the daemons (only then does a failure stop them: a
# cluster that was already running is not this script's to stop).
LAUNCHED=0

die() {
  say "error: $*"
  tail -n 15 "$DIR"/log/*.log >&2 2>/dev/null || true
  if ((LAUNCHED)); then stop; fi
  exit 1
}

# launch NAME COMMAND...: start a daemon that forks itself away, wait for its pid file.
launch() {
  local name=$1 _
  shift
  "$@" </dev/null >>"$DIR/log/$name.out" 2>&1 || die "$name did not start"
  for _ in $(seq 50); do running "$name" && return 0; sleep 0.2; done
  die "$name did not come up"
}

start() {
  mkdir -p "$DIR"/{etc,log,state,spool} "$RUN"
  # Jobs run as the submitting user, who must read the configuration and reach munge.
  chmod 0755 "$DIR" "$RUN"
  install_packages
  local cold=1 daemon _
  if running munged && running slurmctld && running slurmd; then
    cold=0
  else
    stop
    LAUNCHED=1
    write_config
    [[ -s $DIR/etc/munge.key ]] || mungekey --create --keyfile="$DIR/etc/munge.key"
    launch munged munged --socket="$SOCKET" --key-file="$DIR/etc/munge.key" \
      --pid-file="$RUN/munged.pid" --log-file="$DIR/log/munged.log" --seed-file="$RUN/munged.seed"
    launch slurmctld slurmctld
    launch slurmd slurmd -N "$HOST"
  fi
  for _ in $(seq 120); do
    for daemon in "${DAEMONS[@]}"; do running "$daemon" || die "$daemon died"; done
    if [[ $(node_state) =~ ^(idle|mixed|allocated)$ ]]; then
      # After a cold start, wait for the controller's first scheduling pass too, or the
      # first jobs sit pending for its period.
      if ((cold == 0)) || (($(sdiag 2>/dev/null | awk '/Total cycles:/ {print $3; exit}') + 0 > 0)); then
        say "ready: node $HOST is $(node_state)"
        return 0
      fi
    fi
    sleep 0.5
  done
  die "node $HOST not ready (state: '$(node_state)')"
}

# stop_daemon NAME: TERM, then KILL after 10 s; echoes the pid it stopped.
stop_daemon() {
  local pid _
  if running "$1"; then
    pid=$(cat "$RUN/$1.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do running "$1" || break; sleep 0.2; done
    running "$1" && kill -9 "$pid" 2>/dev/null
    echo "$pid"
  fi
  rm -f "$RUN/$1.pid"
}

stop() {
  local jobs pid _ stopped=()
  if running slurmctld && running slurmd; then
    # Cancel jobs first, so no job step outlives slurmd.
    mapfile -t jobs < <(timeout 10 squeue -h -o %A 2>/dev/null || true)
    if ((${#jobs[@]})); then
      scancel "${jobs[@]}" 2>/dev/null || true
      for _ in $(seq 60); do [[ -z $(squeue -h -o %A 2>/dev/null) ]] && break; sleep 0.5; done
    fi
  fi
  for daemon in slurmd slurmctld munged; do
    pid=$(stop_daemon "$daemon")
    [[ -n $pid ]] && stopped+=("$pid")
  done
  # Give init a moment to reap them, so the process table is clean when this returns.
  for _ in $(seq 25); do
    local left=0
    for pid in "${stopped[@]}"; do [[ -e /proc/$pid ]] && left=1; done
    ((left)) || break
    sleep 0.2
  done
}

case ${1:-} in
  start) start ;;
  stop) stop && say "stopped" ;;
  env) printf 'export COOPETITION_SLURM_DIR=%q\nexport SLURM_CONF=%q\n' "$DIR" "$SLURM_CONF" ;;
  status)
    healthy=1
    for daemon in "${DAEMONS[@]}"; do
      if running "$daemon"; then echo "$daemon: running (pid $(cat "$RUN/$daemon.pid"))"; else echo "$daemon: not running"; healthy=0; fi
    done
    state=$(node_state)
    echo "node $HOST: ${state:-unreachable}"
    ((healthy)) && [[ $state =~ ^(idle|mixed|allocated)$ ]]
    ;;
  *)
    echo "usage: $0 start|stop|status|env" >&2
    exit 2
    ;;
esac
