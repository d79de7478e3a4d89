#!/usr/bin/env bash
# `apsecu decode`: the reference YC600 read prints exactly the documented JSON line; junk and
# non-telemetry exit with status 2 and a one-line reason.
set -euo pipefail
apsecu="$1"
fail() { echo "FAIL: $*" >&2; exit 1; }

read_hex="FE0164010064FE034480001401D2FE0345C43A1000A8FE724481000006013A101414007100B57CFA00005E408000158215FBFB51B103D40F4117000074CF00000076706A73D06B0496000000000000000172072D88017862E8201F00030555073F0303030100000100000000000000000000000000000000000000000000000000000000000000FEFE3A100E76"
expected='{"serial":"408000158215","model":"YC600","temperature_c":11.0,"frequency_hz":50.015,"ac_voltage_v":221.06,"uptime_s":29903,"link_quality_pct":44.3,"inputs":[{"dc_voltage_v":34.74,"dc_current_a":0.772,"energy_counter_wh":218.69},{"dc_voltage_v":34.3,"dc_current_a":0.792,"energy_counter_wh":222.44}]}'

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

check_rejects() {
  local input="$1" want="$2" err status=0
  err=$("$apsecu" decode "$input" 2>&1 >/dev/null) || status=$?
  [[ $status == 2 ]] || fail "'$input' exited $status, want 2"
  [[ $(printf '%s\n' "$err" | wc -l) == 1 ]] || fail "'$input' reason is not one line: $err"
  [[ "$err" == *"$want"* ]] || fail "'$input' reason '$err' lacks '$want'"
}
check_rejects "FE0164010064FE034480CD14011F" "none carries inverter telemetry"  # a failed poll
check_rejects "XYZ" "not hex"
check_rejects "0102030405" "no valid UNPI frame"
echo "decode: all checks passed"
