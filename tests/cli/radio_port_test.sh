#!/usr/bin/env bash
# A radio that is not there does not take the web pages down: `apsecu run` with a port that
# does not exist serves its pages and journals why; the port set from the Settings API is
# opened without a restart; the module's link lost while running (its emulator killed) is
# journaled, and a new port set later is opened again. A command sent while a settings
# change rebuilds the engine waits for the new one. Inverters: two QS1 on the emulator,
# one of them configured.
set -euo pipefail
apsecu="$1"
fail() { echo "FAIL: $*" >&2; tail -n 20 "$work/daemon.log" >&2 2>/dev/null; exit 1; }
source "$(dirname "$0")/lib.sh"
emulator() {  # emulator NAME: starts one, sets $pty and $reset, $emu to its pid
  "$apsecu" emulator --pty --inverter QS1:801000000001@2001 --inverter QS1:801000000002 >"$work/$1.out" 2>"$work/$1.err" &
  emu=$!
  pids+=("$emu")
  for _ in $(seq 100); do grep -q '^reset ' "$work/$1.out" && break; sleep 0.1; done
  pty=$(awk '$1=="pty"{print $2}' "$work/$1.out")
  reset=$(awk '$1=="reset"{print $2}' "$work/$1.out")
  [[ -c "$pty" ]] || fail "no pty from the emulator: $(cat "$work/$1.out" "$work/$1.err")"
}

cat >"$work/apsecu.json" <<JSON
{"version":1,"timezone":"Europe/Amsterdam","location":{"latitude":52.1,"longitude":5.3},
 "radio":{"ecu_id":"D8A3011B9780","port":"$work/no-such-tty","reset_line":"none"},
 "storage":{"data_dir":"$work/data"},
 "inverters":[{"name":"Roof","serial":"801000000001","model":"QS1","panel_power_w":350,"short_address":8193}]}
JSON
port=$(free_port)
"$apsecu" run --config "$work/apsecu.json" --http "127.0.0.1:$port" >"$work/daemon.log" 2>&1 &
daemon=$!
pids+=("$daemon")
api="http://127.0.0.1:$port/api/v1"
journal() { curl -s "$api/journal?level=info"; }

# No radio: the pages are up and the journal names the port.
wait_until 10 . curl -sf "$api/live" || fail "no web pages without a radio: $(tail -5 "$work/daemon.log")"
wait_until 10 "no-such-tty" journal || fail "the journal does not say why: $(journal)"
kill -0 "$daemon" || fail "the daemon exited: $(tail -5 "$work/daemon.log")"
curl -s "$api/live" | grep -q '"coordinator_up":false' || fail "coordinator up without a radio: $(curl -s "$api/live")"
curl -s "$api/live" | grep -q '"radio_error":"[^"]*no-such-tty' || fail "the live values do not say why: $(curl -s "$api/live")"

# The right port, set through the Settings API: opened without a restart.
jar="$work/cookies"
setup=$(curl -s -c "$jar" -H 'Content-Type: application/json' -d '{"user":"admin","password":"correct horse"}' \
  "$api/auth/setup")
csrf=$(sed -E 's/.*"csrf":"([^"]+)".*/\1/' <<<"$setup")
set_port() {
  local r
  r=$(curl -s -b "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' -X PUT -w '\n%{http_code}' \
    -d "{\"radio\":{\"port\":\"$1\",\"reset_line\":\"$2\"}}" "$api/settings")
  [[ "$(tail -n1 <<<"$r")" == 200 ]] || fail "settings refused: $r"
}
emulator first
set_port "$pty" "$reset"
wait_until 30 '"coordinator_up":true' curl -s "$api/live" || fail "the coordinator did not come up: $(journal)"
journal | grep -q "radio open again" || fail "the journal does not say the radio is open: $(journal)"
curl -s "$api/live" | grep -q '"radio_error":null' || fail "a radio error is left on the live values"

# The module goes away while running: journaled, the pages stay, and a new port opens.
kill "$emu"
wait_until 30 "serial link lost" journal || fail "a lost link is not journaled: $(journal)"
kill -0 "$daemon" || fail "the daemon exited when the link was lost: $(tail -5 "$work/daemon.log")"
wait_until 5 '"radio_error":"serial link lost' curl -s "$api/live" || fail "no link error on the live values"
curl -s "$api/live" | grep -q '"coordinator_up":false' || fail "the live values still claim a module: $(curl -s "$api/live")"
emulator second
set_port "$pty" "$reset"
wait_until 30 '"coordinator_up":true' curl -s "$api/live" || fail "the new port was not opened: $(journal)"

# An inverter added and, at once, a health check and its pairing: the addition rebuilds the
# engine, and both commands must reach the new one instead of being refused or lost.
job_state() { curl -s -b "$jar" "$api/console/jobs/$1"; }
post() { curl -s -b "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' -d "$2" "$api/$1"; }
added=$(post inverters '{"name":"Shed","serial":"801000000002","model":"QS1","panel_power_w":350}')
grep -q '"serial":"801000000002"' <<<"$added" || fail "the inverter was not added: $added"
health=$(post console '{"action":"health"}' | sed -E 's/.*"id":([0-9]+).*/\1/')
pair=$(post inverters/801000000002/pair '' | sed -E 's/.*"id":([0-9]+).*/\1/')
[[ "$health" =~ ^[0-9]+$ && "$pair" =~ ^[0-9]+$ ]] || fail "the commands were not accepted: $health / $pair"
wait_until 30 '"state":"done"' job_state "$health" || fail "the health check did not reach the new engine: $(job_state "$health")"
# Pairing needs daylight at the emulator; at night it fails for that reason, not for the rebuild.
wait_until 60 '"state":"(done|failed)"' job_state "$pair" || fail "the pairing never ran: $(job_state "$pair")"
if job_state "$pair" | grep -qiE 'restarting|stopped before|unknown'; then fail "the pairing was lost in the rebuild: $(job_state "$pair")"; fi

kill -TERM "$daemon"
wait "$daemon" || fail "no clean stop: $(tail -5 "$work/daemon.log")"
echo "radio port: all checks passed"
