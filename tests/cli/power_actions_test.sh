#!/usr/bin/env bash
# The System page's reboot and shutdown on a real `apsecu run` (radio: `apsecu emulator
# --pty`). The machine's own systemctl must not run here, so a stand-in earlier on PATH
# records what it was asked. Checks: refused without --allow-power-actions; with it,
# `systemctl reboot` / `systemctl poweroff` run; a failing command is reported with its
# exit status, not as success.
set -euo pipefail
apsecu="$1"
fail() { echo "FAIL: $*" >&2; exit 1; }
source "$(dirname "$0")/lib.sh"

"$apsecu" emulator --pty >"$work/emu.out" 2>"$work/emu.err" &
pids+=($!)
for _ in $(seq 100); do grep -q '^reset ' "$work/emu.out" && break; sleep 0.1; done
pty=$(awk '$1=="pty"{print $2}' "$work/emu.out")
reset=$(awk '$1=="reset"{print $2}' "$work/emu.out")
[[ -c "$pty" ]] || fail "no pty from the emulator: $(cat "$work/emu.out" "$work/emu.err")"
cat >"$work/apsecu.json" <<JSON
{"version":1,"timezone":"Europe/Amsterdam","location":{"latitude":52.1,"longitude":5.3},
 "radio":{"ecu_id":"D8A3011B9780","port":"$pty","reset_line":"$reset"},
 "storage":{"data_dir":"$work/data"},"inverters":[]}
JSON

mkdir "$work/bin"
cat >"$work/bin/systemctl" <<'SH'
#!/bin/sh
echo "$*" >>"$POWER_LOG"
[ -z "$POWER_FAIL" ] || exit 3
SH
chmod +x "$work/bin/systemctl"

daemon=""
start() {  # start [extra run options...]
  port=$(free_port)
  PATH="$work/bin:$PATH" POWER_LOG="$work/power.log" POWER_FAIL="${POWER_FAIL:-}" \
    "$apsecu" run --config "$work/apsecu.json" --http "127.0.0.1:$port" "$@" >>"$work/daemon.log" 2>&1 &
  daemon=$!
  pids+=("$daemon")
  api="http://127.0.0.1:$port/api/v1"
  for ((i = 0; i < 100; i++)); do curl -sf -o /dev/null "$api/auth" && return; sleep 0.1; done
  fail "the daemon does not serve: $(tail -5 "$work/daemon.log")"
}
stop() { kill "$daemon"; wait "$daemon" 2>/dev/null || true; }
jar="$work/cookies"
login() {
  local path=login
  [[ -f "$work/users-made" ]] || path=setup
  local reply
  reply=$(curl -s -c "$jar" -H 'Content-Type: application/json' -d '{"user":"admin","password":"correct horse"}' \
    "$api/auth/$path")
  touch "$work/users-made"
  csrf=$(sed -E 's/.*"csrf":"([^"]+)".*/\1/' <<<"$reply")
  [[ ${#csrf} -gt 20 ]] || fail "no CSRF token from $path: $reply"
}
post() { curl -s -b "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' -w '\n%{http_code}' -d '{}' "$api$1"; }

# Without the option: refused, and nothing runs.
start
login
reply=$(post /system/reboot)
[[ "$(tail -n1 <<<"$reply")" == 403 ]] || fail "reboot without --allow-power-actions: $reply"
grep -q power_actions_off <<<"$reply" || fail "no power_actions_off code: $reply"
[[ ! -e "$work/power.log" ]] || fail "systemctl ran although power actions are off: $(cat "$work/power.log")"
stop

# With it: each button runs its command once.
start --allow-power-actions
login
reply=$(post /system/reboot)
[[ "$(tail -n1 <<<"$reply")" == 202 ]] || fail "reboot: $reply"
reply=$(post /system/shutdown)
[[ "$(tail -n1 <<<"$reply")" == 202 ]] || fail "shutdown: $reply"
[[ "$(cat "$work/power.log")" == $'reboot\npoweroff' ]] || fail "systemctl was asked: $(cat "$work/power.log")"
stop

# A command that fails (no privilege, say) is an error with its exit status.
POWER_FAIL=1 start --allow-power-actions
login
reply=$(post /system/reboot)
code=$(tail -n1 <<<"$reply")
[[ "$code" -ge 500 ]] || fail "a failing systemctl reported as $code: $reply"
grep -q "exit status 3" <<<"$reply" || fail "the exit status is not in the message: $reply"
stop
echo "power actions: all checks passed (a failing command reads: $(head -n1 <<<"$reply"))"
