#!/usr/bin/env bash
# `apsecu export` on a store built by `apsecu demo`: CSV with a header and JSON lines, one row
# per inverter input with energy in Wh; the samples add up to the day totals; filters by
# date and serial; runs beside the daemon; clear errors with a non-zero exit.
set -euo pipefail
apsecu="$1"
fail() { echo "FAIL: $*" >&2; exit 1; }
work=$(mktemp -d)
demo_pid=""
trap '[[ -n "$demo_pid" ]] && kill "$demo_pid" 2>/dev/null; rm -rf "$work"' EXIT
data="$work/data"

"$apsecu" demo --data "$data" --date 2026-06-21 --speed 3000 --stop-at 2026-06-21T12:00Z --http "" \
  >"$work/demo.log" 2>&1 || fail "demo failed: $(tail -3 "$work/demo.log")"

# ---- days ----------------------------------------------------------------------------------------
csv=$("$apsecu" export --data "$data" --days)
[[ $(head -1 <<<"$csv") == "serial,input,date,energy_wh,peak_power_w,peak_time,inverter_energy_wh,edited" ]] ||
  fail "days CSV header: $(head -1 <<<"$csv")"
# YC600 (2 inputs) + QS1 (4) + DS3 (2), one day.
[[ $(($(wc -l <<<"$csv") - 1)) == 8 ]] || fail "days CSV has $(($(wc -l <<<"$csv") - 1)) rows, want 8"
json=$("$apsecu" export --data "$data" --days --format json)
[[ $(wc -l <<<"$json") == 8 ]] || fail "days JSON has $(wc -l <<<"$json") lines"
while IFS= read -r line; do
  for key in '"serial":"' '"input":' '"date":"2026-06-21"' '"energy_wh":'; do
    [[ "$line" == *"$key"* ]] || fail "days JSON line lacks $key: $line"
  done
done <<<"$json"
if command -v python3 >/dev/null; then
  python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin]' <<<"$json" || fail "days JSON does not parse"
fi

# Energy in mWh (the Wh have three decimals) per serial and input.
mwh_by_input() { grep -o '"serial":"[0-9]*","input":[0-9]*,.*"energy_wh":[0-9.]*' |
  sed -E 's/"serial":"([0-9]+)","input":([0-9]+),.*"energy_wh":([0-9]+)\.([0-9]{3})/\1 \2 \3\4/' |
  awk '{ sum[$1 " " $2] += $3 } END { for (k in sum) print k, sum[k] }' | sort; }
days_mwh=$(mwh_by_input <<<"$json")
samples_json=$("$apsecu" export --data "$data" --samples --format json)
samples_mwh=$(mwh_by_input <<<"$samples_json")
[[ -n "$days_mwh" && "$days_mwh" == "$samples_mwh" ]] ||
  fail "samples do not add up to the day totals:"$'\n'"$days_mwh"$'\n---\n'"$samples_mwh"
# The inputs add up to the inverter's day total.
while read -r serial total; do
  want=$(grep "\"serial\":\"$serial\"" <<<"$json" | head -1 | sed -E 's/.*"inverter_energy_wh":([0-9]+)\.([0-9]{3}).*/\1\2/')
  [[ $((10#$want)) == "$total" ]] || fail "$serial: inputs sum to $total mWh, the day total is $want"
done < <(awk '{ s[$1] += $3 } END { for (k in s) print k, s[k] }' <<<"$days_mwh")

# ---- samples -------------------------------------------------------------------------------------
csv=$("$apsecu" export --data "$data" --samples)
[[ $(head -1 <<<"$csv") == "serial,input,time,date,kind,uptime_s,energy_wh,power_w,counter,dc_voltage_v,dc_current_a,temperature_c,frequency_hz,ac_voltage_v" ]] ||
  fail "samples CSV header: $(head -1 <<<"$csv")"
[[ $(($(wc -l <<<"$csv") - 1)) == $(wc -l <<<"$samples_json") ]] || fail "CSV and JSON sample counts differ"
(($(wc -l <<<"$samples_json") > 100)) || fail "only $(wc -l <<<"$samples_json") sample rows"
grep -q '"time":"2026-06-21T[0-9:]*Z"' <<<"$samples_json" || fail "no UTC sample times"

# ---- filters -------------------------------------------------------------------------------------
qs1=$(grep -o '"serial":"408[0-9]*"' <<<"$json" | head -1 | cut -d'"' -f4)
only=$("$apsecu" export --data "$data" --samples --serial "$qs1" --format json)
[[ -n "$only" ]] || fail "nothing for --serial $qs1"
if grep -v "\"serial\":\"$qs1\"" <<<"$only" | grep -q .; then fail "--serial let other inverters through"; fi
[[ $("$apsecu" export --data "$data" --days --from 2026-06-22) == "serial,input,date,energy_wh,peak_power_w,peak_time,inverter_energy_wh,edited" ]] ||
  fail "a range after the data is not just the header"
[[ -z $("$apsecu" export --data "$data" --days --to 2026-06-20 --format json) ]] || fail "a range before the data is not empty"
[[ $("$apsecu" export --data "$data" --days --from 2026-06-21 --to 20260621 --format json | wc -l) == 8 ]] ||
  fail "--from/--to on the day itself"

# ---- beside a running daemon ---------------------------------------------------------------------
"$apsecu" demo --data "$data" --speed 1000 --stop-at 2026-06-21T13:30Z --http "" >"$work/demo2.log" 2>&1 &
demo_pid=$!
sleep 2
for _ in 1 2 3; do
  "$apsecu" export --data "$data" --samples --format json >/dev/null || fail "export beside the daemon failed"
  sleep 1
done
wait "$demo_pid" || fail "the demo failed while exports ran: $(tail -3 "$work/demo2.log")"
demo_pid=""
if grep -q "not stored" "$work/demo2.log"; then fail "the daemon lost a cycle while exports ran"; fi
(($("$apsecu" export --data "$data" --samples --format json | wc -l) > $(wc -l <<<"$samples_json"))) ||
  fail "the daemon wrote nothing while exports ran"

# ---- errors --------------------------------------------------------------------------------------
check_error() {
  local want_status="$1" want="$2" err status=0
  shift 2
  err=$("$apsecu" export "$@" 2>&1 >/dev/null) || status=$?
  [[ $status == "$want_status" ]] || fail "export $*: exit $status, want $want_status"
  [[ "$err" == *"$want"* ]] || fail "export $*: '$err' lacks '$want'"
}
check_error 2 "dates like 2026-06-21" --data "$data" --days --from 2026-13-01
check_error 2 "dates like 2026-06-21" --data "$data" --days --to yesterday
check_error 2 "--days or --samples" --data "$data"
check_error 1 "no inverter with serial '999'" --data "$data" --days --serial 999
check_error 1 "starts after it ends" --data "$data" --days --from 2026-06-22 --to 2026-06-21
check_error 1 "no history in $work/nothing" --data "$work/nothing" --days
[[ ! -e "$work/nothing" ]] || fail "export created the data directory"
status=0
"$apsecu" export --data "$data" --days --samples >/dev/null 2>&1 || status=$?
[[ $status != 0 ]] || fail "--days with --samples was accepted"
echo "export: all checks passed"
