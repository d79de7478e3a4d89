#!/usr/bin/env bash
# `apsecu demo --mqtt` against a real mosquitto on loopback: Domoticz payloads for idx 1, 2
# and 3 on domoticz/in, Home Assistant discovery for the three inverters and the ECU, the
# online/offline status, commands on apsecu/cmd answered on apsecu/reply (a retained one
# refused), the web page's test button, and an inverter deleted through the web API losing
# its Home Assistant entities on the same connection.
set -euo pipefail
apsecu="$1"
fail() {
  echo "FAIL: $*" >&2
  echo "--- the demo's log, last lines:" >&2
  tail -n 15 "$work/demo.log" >&2 2>/dev/null
  echo "--- messages, last lines:" >&2
  tail -n 10 "$work/messages" >&2 2>/dev/null
  exit 1
}
command -v mosquitto >/dev/null || fail "mosquitto is not installed (scripts/install-deps.sh --test)"
source "$(dirname "$0")/lib.sh"

mqtt_port=$(free_port)
cat >"$work/mosquitto.conf" <<EOF
user $(id -un)
listener $mqtt_port 127.0.0.1
allow_anonymous true
persistence false
log_dest file $work/mosquitto.log
EOF
mosquitto -c "$work/mosquitto.conf" >/dev/null 2>&1 &
pids+=($!)
for ((i = 0; i < 50; i++)); do (exec 3<>"/dev/tcp/127.0.0.1/$mqtt_port") 2>/dev/null && break; sleep 0.1; done

# %r: 1 when the message was retained, %t topic, %p payload.
mosquitto_sub -h 127.0.0.1 -p "$mqtt_port" -F '%r|%t|%p' -t 'domoticz/in' -t 'homeassistant/#' -t 'apsecu/#' \
  >"$work/messages" 2>"$work/sub.err" &
pids+=($!)
sleep 0.3

# Left on the broker before apsecu connects; a broker replays it at every (re)connect.
mosquitto_pub -h 127.0.0.1 -p "$mqtt_port" -r -t apsecu/cmd -m '{"id":9,"reboot":"801000007312"}'

http_port=$(free_port)
"$apsecu" demo --data "$work/data" --date 2026-06-21 --speed 600 --http "127.0.0.1:$http_port" \
  --mqtt "mqtt://127.0.0.1:$mqtt_port" >"$work/demo.log" 2>&1 &
demo=$!
pids+=($demo)

# ---- Domoticz payloads, one idx per demo inverter, with power once the sun is up ------------
for idx in 1 2 3; do
  wait_for 90 "^0\|domoticz/in\|\{\"idx\":$idx,\"nvalue\":0,\"svalue\":\"[1-9][0-9]*\.[0-9];[0-9]+\.[0-9]\",\"sample_time\":\"2026-06-21T[0-9:]+Z\"\}$" \
    "$work/messages" || fail "no Domoticz reading with power for idx $idx: $(grep -c domoticz "$work/messages") on domoticz/in; $(tail -3 "$work/demo.log")"
done
grep '|domoticz/in|' "$work/messages" | grep -vqE '\|\{"idx":[123],"nvalue":0,"svalue":"[0-9]+\.[0-9];[0-9]+\.[0-9]","sample_time":"[0-9T:-]+Z"\}$' &&
  fail "a Domoticz payload out of format: $(grep '|domoticz/in|' "$work/messages" | grep -vE 'idx":[123]' | head -1)"

# ---- Home Assistant discovery, per inverter and for the ECU -------------------------
for serial in 408000158215 801000007312 703000021300; do
  grep -qE "^0\|homeassistant/sensor/apsecu_${serial}/energy_lifetime/config\|.*\"state_class\":\"total_increasing\"" \
    "$work/messages" || fail "no lifetime energy sensor for $serial"
  grep -qE "^0\|homeassistant/sensor/apsecu_${serial}/power/config\|.*\"device_class\":\"power\"" "$work/messages" ||
    fail "no power sensor for $serial"
done
grep -qE '^0\|homeassistant/sensor/apsecu_ecu_[0-9A-F]+/[a-z_]+/config\|' "$work/messages" || fail "no ECU device"
grep -q '^0|apsecu/status|online$' "$work/messages" || fail "no online status"
# A subscriber that comes later (Home Assistant restarting) gets them retained.
late=$(mosquitto_sub -h 127.0.0.1 -p "$mqtt_port" -F '%r|%t|%p' -W 3 -C 19 \
  -t 'homeassistant/sensor/apsecu_408000158215/#' -t apsecu/status 2>/dev/null || true)
[[ $(grep -c '^1|homeassistant/' <<<"$late") == 18 ]] || fail "not 18 retained configs for the YC600: $(wc -l <<<"$late")"
grep -q '^1|apsecu/status|online$' <<<"$late" || fail "the online status is not retained"

# ---- commands ---------------------------------------------------------------------------------
mosquitto_pub -h 127.0.0.1 -p "$mqtt_port" -t apsecu/cmd -m '{"id":7,"poll":"801000007312"}'
wait_for 30 '^0\|apsecu/reply\|.*"id":7.*"ok":true' "$work/messages" ||
  fail "no successful reply to a poll command: $(grep reply "$work/messages" | tail -2)"
mosquitto_pub -h 127.0.0.1 -p "$mqtt_port" -t apsecu/cmd -m '{"id":8,"limit_per_panel_w":300}'
wait_for 10 '^0\|apsecu/reply\|.*"id":8.*"ok":false.*needs' "$work/messages" || fail "no error reply to a bad command"
# The old whole-inverter limit is refused, not taken per panel.
mosquitto_pub -h 127.0.0.1 -p "$mqtt_port" -t apsecu/cmd -m '{"id":9,"limit_w":300,"serial":"801000007312"}'
wait_for 10 '^0\|apsecu/reply\|.*"id":9.*"ok":false.*per panel' "$work/messages" || fail "limit_w was not refused"
# The command left retained before apsecu connected reached it flagged as retained: refused.
wait_for 10 '^0\|apsecu/reply\|.*retained command ignored' "$work/messages" || fail "a retained command was not refused"
mosquitto_pub -h 127.0.0.1 -p "$mqtt_port" -r -n -t apsecu/cmd  # clears the retained command
grep -q 'reboot.*"ok":true' "$work/messages" && fail "the retained reboot ran"

# ---- the web API: test button, then delete an inverter ----------------------------------------
api="http://127.0.0.1:$http_port/api/v1"
jar="$work/cookies"
setup=$(curl -sf -c "$jar" -H 'Content-Type: application/json' -d '{"user":"admin","password":"correct horse"}' \
  "$api/auth/setup") || fail "admin setup failed"
csrf=$(sed -E 's/.*"csrf":"([^"]+)".*/\1/' <<<"$setup")
post() { curl -s -b "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' -w '\n%{http_code}' "$@"; }

out=$(post -X POST "$api/mqtt/test" -d "{}")
[[ "$out" == *"acknowledged by the broker"*$'\n'200 ]] || fail "test button: $out"
grep -q '^0|apsecu/test|{"client_id":"apsecu-test","test":true}$' "$work/messages" || fail "no test message seen"

status=$(curl -s -b "$jar" "$api/mqtt/status")
[[ "$status" == *'"state":"connected"'* && "$status" =~ \"delivered\":[1-9] ]] || fail "MQTT status: $status"

# A broker that is not there: the test button says so (502), and the status shows why.
dead_port=$(free_port)
out=$(post -X PUT "$api/mqtt" -d "{\"port\":$dead_port}")
[[ "$out" == *$'\n'200 ]] || fail "changing the MQTT port: $out"
out=$(post -X POST "$api/mqtt/test" -d "{}")
[[ "$out" == *'"mqtt_test_failed"'*$'\n'502 ]] || fail "test against a dead port: $out"
for ((i = 0; i < 100; i++)); do
  status=$(curl -s -b "$jar" "$api/mqtt/status")
  [[ "$status" == *'"state":"waiting"'* && "$status" == *"127.0.0.1:$dead_port"* ]] && break
  sleep 0.1
done
[[ "$status" == *'"last_error":"'*'refused'* ]] || fail "MQTT status with the broker away: $status"
out=$(post -X PUT "$api/mqtt" -d "{\"port\":$mqtt_port}")
[[ "$out" == *$'\n'200 ]] || fail "restoring the MQTT port: $out"

connected_since() { curl -s -b "$jar" "$api/mqtt/status" | sed -E 's/.*"connected_since_s":([0-9]+).*/\1/'; }
wait_until 30 '"state":"connected"' curl -s -b "$jar" "$api/mqtt/status" || fail "MQTT not back on the broker's port: $(curl -s -b "$jar" "$api/mqtt/status")"
since_before=$(connected_since)
[[ "$since_before" =~ ^[0-9]+$ ]] || fail "MQTT status has no connection time: $since_before"
lines_before=$(wc -l <"$work/messages")
out=$(post -X DELETE "$api/inverters/703000021300")
[[ "$out" == *$'\n'200 ]] || fail "delete: $out"
wait_for 30 '^0\|homeassistant/sensor/apsecu_703000021300/energy_lifetime/config\|$' "$work/messages" ||
  fail "the deleted DS3 kept its Home Assistant entities"
wait_for 10 '^0\|apsecu/inverter/703000021300\|$' "$work/messages" || fail "the deleted DS3 kept its state topic"
grep -q '^0|homeassistant/sensor/apsecu_801000007312/energy_lifetime/config|$' "$work/messages" &&
  fail "an inverter still in the settings lost its entities"
# The others keep publishing after the settings change rebuilt the engine.
lines=$(wc -l <"$work/messages")
for ((i = 0; i < 300; i++)); do
  tail -n +"$((lines + 1))" "$work/messages" | grep -q '|domoticz/in|{"idx":2,' && break
  sleep 0.1
done
((i < 300)) || fail "no readings after deleting an inverter"
# The broker settings did not change, so neither did the connection: Home Assistant never
# saw apsecu go offline.
[[ "$(connected_since)" == "$since_before" ]] ||
  fail "deleting an inverter reconnected MQTT: connected since $(connected_since), before since $since_before"
tail -n +"$((lines_before + 1))" "$work/messages" | grep -q '|apsecu/status|offline$' &&
  fail "deleting an inverter sent apsecu offline"

# ---- a clean stop says offline ----------------------------------------------------------------
kill -TERM "$demo"
wait "$demo" || fail "demo exited with $?: $(tail -3 "$work/demo.log")"
wait_for 10 '^0\|apsecu/status\|offline$' "$work/messages" || fail "no offline status on stop"
echo "ok: $(grep -c '|domoticz/in|' "$work/messages") Domoticz readings, $(grep -c '|homeassistant/' "$work/messages") discovery messages"
