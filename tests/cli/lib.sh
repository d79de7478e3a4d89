# Sourced by the end-to-end scripts here and bench/daemon/soak.sh: a scratch directory and the processes started in
# it, cleaned up on exit (kept with KEEP=1, for a look), and waits that give up.
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ -n "${KEEP:-}" ]]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

# A TCP port on loopback that nothing listens on, below Linux's ephemeral range
# (32768-60999): a port up there can be taken by any outgoing connection before the
# server binds it.
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 12000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

# Waits up to $1 seconds for `grep -E $2` to match in file $3.
wait_for() {
  local secs="$1" pattern="$2" file="$3"
  for ((i = 0; i < secs * 10; i++)); do
    grep -qE -- "$pattern" "$file" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# Waits up to $1 seconds for `grep -E $2` to match what the command after them prints.
wait_until() {
  local secs="$1" pattern="$2"
  shift 2
  for ((i = 0; i < secs * 10; i++)); do
    "$@" 2>/dev/null | grep -qE -- "$pattern" && return 0
    sleep 0.1
  done
  return 1
}
