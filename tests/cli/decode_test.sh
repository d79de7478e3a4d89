#!/usr/bin/env bash
# `apsecu decode`: the reference YC600 read prints exactly the documented JSON line; parameter
# pages, set acknowledgements and pairing answers from field captures print their own kinds;
# echoes of the host's pairing broadcasts are not pairing answers; junk exits with status 2
# and a one-line reason.
set -euo pipefail
apsecu="$1"
fail() { echo "FAIL: $*" >&2; exit 1; }

read_hex="FE0164010064FE034480001401D2FE0345C43A1000A8FE724481000006013A101414007100B57CFA00005E408000158215FBFB51B103D40F4117000074CF00000076706A73D06B0496000000000000000172072D88017862E8201F00030555073F0303030100000100000000000000000000000000000000000000000000000000000000000000FEFE3A100E76"
expected='{"kind":"telemetry","serial":"408000158215","model":"YC600","temperature_c":11.0,"frequency_hz":50.015,"ac_voltage_v":221.06,"uptime_s":29903,"link_quality_pct":44.3,"inputs":[{"dc_voltage_v":34.74,"dc_current_a":0.772,"energy_counter_wh":218.69},{"dc_voltage_v":34.3,"dc_current_a":0.792,"energy_counter_wh":222.44}]}'

out=$("$apsecu" decode "$read_hex")
[[ "$out" == "$expected" ]] || fail "frame decode printed: $out"

# Junk around the frames, split over several arguments, lower case.
out=$("$apsecu" decode "F0F8 4e4e" "${read_hex,,}" "4E")
[[ "$out" == "$expected" ]] || fail "decode with junk printed: $out"

# A bare APS payload (serial + FBFB..FEFE) has no link quality.
payload=${read_hex#*00005E}; payload=${payload%3A100E76}
out=$("$apsecu" decode "$payload")
[[ "$out" == "${expected/\"link_quality_pct\":44.3,/}" ]] || fail "payload decode printed: $out"

# Two reads, two lines.
lines=$("$apsecu" decode "$read_hex$read_hex" | wc -l)
[[ "$lines" == 2 ]] || fail "two reads gave $lines lines"

# Pairing, read-APSystems-YC600-QS1-DS3 #19: a DS3 answers after step 2 (FF1A) and step 3 (FFFF).
ds3_answers="FE1C448100000101226C1414008300C75E00000008FF1A703000021300226C0E71FE1C448100000101226C1414008000927300000008FFFF703000021300226C0EEF"
answer='{"kind":"pairing_answer","serial":"703000021300","short_address":"6C22"}'
out=$("$apsecu" decode "$ds3_answers")
[[ "$out" == "$answer"$'\n'"$answer" ]] || fail "DS3 pairing answers printed: $out"

# Our own step 2 relayed by another router (0xD021) and step 4 relayed by the inverter (Lua
# trace, protocol §4.4): echoes, though step 2 carries the serial.
out=$("$apsecu" decode "FE1A448100000C02000014140122003F420400000640800011934821D00D7B" \
  "FE1A44810000010100001414012700CEB60400000680971B01A3D83A7C0DBE")
[[ "$out" == '{"kind":"echo","step":2,"serial":"408000119348","relayed_by":"D021"}'$'\n''{"kind":"echo","step":4,"relayed_by":"7C3A"}' ]] ||
  fail "echoes printed: $out"

# A YC600's parameter page after a 300 W set (ESP32-read-APS-inverters #31) and the DS3 test
# vector of the ESP32-ECU (600 W), both in watts per panel.
yc_page="FE6E448100000601E9121414006B00E1783200005A408000152479FBFB4DDE041105440FE5020F32B003CF05440FE5020F32B0066604CC0EA3A804D70214050C100FD80ED07A0F32B0056A054F019000641F3FE480068ACE8ACE000130103030190604001D21DB3B6600000000FEFEE9120E67"
out=$("$apsecu" decode "$yc_page")
[[ "$out" == '{"kind":"parameters","serial":"408000152479","model":"YC600","power_limit_per_panel_w":300.0}' ]] ||
  fail "YC600 page printed: $out"
ds3_page="FE7D448100000601A2F61414008000CC73F7000069704000202594FBFB5CDDDE010426E20013BA14B413EC000A032000500003DD03A403200003E80000000000640003DD03A503350304012C060D03FF045F0E93140E3204890258001374136F125C0014032007D023A6031401BF03D9FFFFFFFFFFFF23A6C8FF1C01FEFEA2F6734E"
out=$("$apsecu" decode "$ds3_page")
[[ "$out" == '{"kind":"parameters","serial":"704000202594","model":"DS3","power_limit_per_panel_w":600.0}' ]] ||
  fail "DS3 page printed: $out"

# DS3 answers to a set (ESP32-read-APS-inverters #34): DE accepted, DF refused, as bare payloads.
out=$("$apsecu" decode "703000021300FBFB06DE02000000000000FEFE")
[[ "$out" == '{"kind":"set_ack","serial":"703000021300","accepted":true,"status":"0200"}' ]] || fail "DS3 pass printed: $out"
out=$("$apsecu" decode "703000021300 FBFB06DF00030000000000FEFE")
[[ "$out" == '{"kind":"set_ack","serial":"703000021300","accepted":false,"status":"0003"}' ]] || fail "DS3 fail printed: $out"

check_rejects() {
  local input="$1" want="$2" err status=0
  err=$("$apsecu" decode "$input" 2>&1 >/dev/null) || status=$?
  [[ $status == 2 ]] || fail "'$input' exited $status, want 2"
  [[ $(printf '%s\n' "$err" | wc -l) == 1 ]] || fail "'$input' reason is not one line: $err"
  [[ "$err" == *"$want"* ]] || fail "'$input' reason '$err' lacks '$want'"
}
check_rejects "FE0164010064FE034480CD14011F" "none carries an inverter's message"  # a failed poll
check_rejects "703000021300FBFB06DE020000000000E7FEFE" "neither telemetry"  # a real checksum mismatch
check_rejects "XYZ" "not hex"
check_rejects "0102030405" "no valid UNPI frame"
echo "decode: all checks passed"
