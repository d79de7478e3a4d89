#!/usr/bin/env bash
# The module is left alone when it is fine: `apsecu run` against a separate `apsecu emulator`
# starts the fresh module once; an inverter added through the API then rebuilds the engine
# without a single frame to the module besides polls; and a daemon restarted on the running
# module sends no reset, no NV write and no network start. What the daemon sent is read from
# its own frame log (--log-level trace: "-> SREQ ..." per frame written).
set -euo pipefail
apsecu="$1"
fail() { echo "FAIL: $*" >&2; tail -n 30 "$work/daemon.log" >&2 2>/dev/null; exit 1; }
source "$(dirname "$0")/lib.sh"

start="2026-06-21T10:00Z"
"$apsecu" emulator --pty --start "$start" --timing 0.2 --inverter QS1:801000000001@2001 --inverter QS1:801000000002 \
  >"$work/emu.out" 2>"$work/emu.err" &
pids+=("$!")
for _ in $(seq 100); do grep -q '^reset ' "$work/emu.out" && break; sleep 0.1; done
pty=$(awk '$1=="pty"{print $2}' "$work/emu.out")
reset=$(awk '$1=="reset"{print $2}' "$work/emu.out")
[[ -c "$pty" ]] || fail "no pty from the emulator: $(cat "$work/emu.out" "$work/emu.err")"

cat >"$work/apsecu.json" <<JSON
{"version":1,"timezone":"Europe/Amsterdam","location":{"latitude":52.1,"longitude":5.3},
 "radio":{"ecu_id":"D8A3011B9780","port":"$pty","reset_line":"$reset"},
 "storage":{"data_dir":"$work/data"},
 "inverters":[{"name":"Roof","serial":"801000000001","model":"QS1","panel_power_w":350,"short_address":8193}]}
JSON
port=$(free_port)
api="http://127.0.0.1:$port/api/v1"
run_daemon() {  # run_daemon LOG: starts `apsecu run`, sets $daemon
  "$apsecu" --log-level trace run --config "$work/apsecu.json" --http "127.0.0.1:$port" \
    --clock-start "$start" >"$work/$1" 2>&1 &
  daemon=$!
  pids+=("$daemon")
  wait_until 30 '"coordinator_up":true' curl -s "$api/live" || fail "the coordinator did not come up: $(tail -20 "$work/$1")"
}
# Frames that manage the module rather than poll an inverter.
management='-> (SREQ|AREQ) (SYS_RESET_REQ|ZB_WRITE_CONFIGURATION|ZB_START_REQUEST|AF_REGISTER|UTIL_GET_DEVICE_INFO)'
resets='-> AREQ SYS_RESET_REQ|-> SREQ ZB_WRITE_CONFIGURATION|-> SREQ ZB_START_REQUEST|starting coordinator'

# A fresh module: started once, the whole sequence.
run_daemon daemon.log
grep -qE -- '-> AREQ SYS_RESET_REQ' "$work/daemon.log" || fail "the fresh module was not started"
grep -qE -- '-> SREQ ZB_WRITE_CONFIGURATION' "$work/daemon.log" || fail "no NV write on the fresh module"
wait_for 30 '-> SREQ AF_DATA_REQUEST dst=0x2001' "$work/daemon.log" || fail "the inverter was never polled"

# An inverter added through the API: the engine is rebuilt, the module is not touched.
jar="$work/cookies"
setup=$(curl -s -c "$jar" -H 'Content-Type: application/json' -d '{"user":"admin","password":"correct horse"}' \
  "$api/auth/setup")
csrf=$(sed -E 's/.*"csrf":"([^"]+)".*/\1/' <<<"$setup")
before=$(wc -l <"$work/daemon.log")
added=$(curl -s -b "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
  -d '{"name":"Shed","serial":"801000000002","model":"QS1","panel_power_w":350}' "$api/inverters")
grep -q '"serial":"801000000002"' <<<"$added" || fail "the inverter was not added: $added"
wait_for 20 'settings changed: restarting the engine' "$work/daemon.log" || fail "the engine was not rebuilt"
wait_until 20 'engine starting' tail -n +"$before" "$work/daemon.log" || fail "no new engine"
sleep 3  # its start-up, and the poll cycle it runs on entering the window
after=$(tail -n +"$((before + 1))" "$work/daemon.log")
if grep -qE -- "$management" <<<"$after"; then
  fail "the settings change touched the module: $(grep -E -- "$management" <<<"$after")"
fi
grep -q 'not touched' <<<"$after" || fail "the new engine did not take the module as it was"
curl -s "$api/live" | grep -q '"coordinator_up":true' || fail "coordinator down after the change: $(curl -s "$api/live")"

# The daemon restarted on the running module: health check and endpoint only.
kill -TERM "$daemon"
wait "$daemon" || fail "no clean stop"
run_daemon daemon2.log
if grep -qE -- "$resets" "$work/daemon2.log"; then
  fail "the restart re-initialised a healthy module: $(grep -E -- "$resets" "$work/daemon2.log")"
fi
grep -q 'left as it is' "$work/daemon2.log" || fail "the restart did not adopt the module: $(grep zigbee "$work/daemon2.log")"
[[ $(grep -cE -- "$management" "$work/daemon2.log") -eq 2 ]] ||
  fail "more than UTIL_GET_DEVICE_INFO and AF_REGISTER: $(grep -E -- "$management" "$work/daemon2.log")"
wait_for 30 '<- AREQ AF_INCOMING_MSG .*src=0x2001' "$work/daemon2.log" || fail "no answer after the restart"

kill -TERM "$daemon"
wait "$daemon" || fail "no clean stop: $(tail -5 "$work/daemon2.log")"
echo "coordinator restart: all checks passed"
