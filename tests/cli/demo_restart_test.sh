#!/usr/bin/env bash
# `apsecu demo` stopped at 10:00 and started again with the same --data: the history goes on
# where it stopped. Every counted sample's power is what its panels gave (the counter's
# average, within a few per cent of the DC power V × I the inverter sampled; a clear sky
# keeps the two together), the first sample after the restart included; the day's peak is
# no higher than the panels' DC power; and the day's energy is what the emulated plant
# produced (its ground truth) up to the last poll, counted once.
set -euo pipefail
apsecu="$1"
fail() {
  echo "FAIL: $*" >&2
  tail -n 5 "$work/demo2.log" >&2 2>/dev/null
  exit 1
}
command -v python3 >/dev/null || fail "python3 is needed to read the export"
source "$(dirname "$0")/lib.sh"
data="$work/data"

run() {  # run NAME STOP-AT
  "$apsecu" demo --data "$data" --date 2026-06-21 --speed 3000 --cloudiness 0 --stop-at "$2" --http "" \
    >"$work/$1.log" 2>&1 || fail "demo $1 failed: $(tail -3 "$work/$1.log")"
}
run demo1 2026-06-21T10:00Z
"$apsecu" export --data "$data" --samples --format json >"$work/first.jsonl"
[[ $(wc -l <"$work/first.jsonl") -gt 100 ]] || fail "the first run stored only $(wc -l <"$work/first.jsonl") sample rows"
first=$(python3 -c 'import json,sys; print(max(json.loads(l)["time"] for l in sys.stdin))' <"$work/first.jsonl")
run demo2 2026-06-21T11:30Z
grep -qE 'simulated 2026-06-21T1[01]:' "$work/demo2.log" || fail "the second run did not resume where the first stopped: $(head -1 "$work/demo2.log")"

"$apsecu" export --data "$data" --samples --format json >"$work/samples.jsonl"
"$apsecu" export --data "$data" --days --format json >"$work/days.jsonl"
python3 - "$work/samples.jsonl" "$work/days.jsonl" "$data/ground-truth.jsonl" "$first" <<'PY' || fail "see above"
import json, sys
from collections import defaultdict

samples = [json.loads(l) for l in open(sys.argv[1])]
days = [json.loads(l) for l in open(sys.argv[2])]
truth = [json.loads(l) for l in open(sys.argv[3])]
stopped_at = sys.argv[4]  # the first run's last sample
problems = []

# The emulated inverters feed AC = DC x 0.955..0.965; a counter average over five minutes of
# a clear sky stays within a few per cent of the DC power sampled at the poll.
def ratio(s):
    dc = s["dc_voltage_v"] * s["dc_current_a"]
    return s["power_w"] / dc if dc > 20 else None

counted = [s for s in samples if s["kind"] in ("normal", "inverter_reset")]
after = [s for s in counted if s["time"] > stopped_at]
first_after = {}
for s in after:
    first_after.setdefault((s["serial"], s["input"]), s)
if len(first_after) != 8:
    problems.append(f"after the restart {len(first_after)} of 8 inputs have a counted sample")
for key, s in sorted(first_after.items()):
    r = ratio(s)
    print(f"first after restart {key}: {s['time']} {s['power_w']} W, DC {s['dc_voltage_v']} V x {s['dc_current_a']} A"
          f" = {s['dc_voltage_v'] * s['dc_current_a']:.1f} W")
    if r is None or not 0.85 <= r <= 1.05:
        problems.append(f"{key}: first sample after the restart {s['power_w']} W against DC "
                        f"{s['dc_voltage_v'] * s['dc_current_a']:.1f} W")
for s in counted:
    r = ratio(s)
    if r is not None and not 0.8 <= r <= 1.1:
        problems.append(f"{s['serial']} input {s['input']} at {s['time']}: {s['power_w']} W against DC "
                        f"{s['dc_voltage_v'] * s['dc_current_a']:.1f} W")

# The day's peak per input is one of the counted samples, so no more than the DC power.
dc_max = defaultdict(float)
for s in counted:
    dc_max[(s["serial"], s["input"])] = max(dc_max[(s["serial"], s["input"])], s["dc_voltage_v"] * s["dc_current_a"])
for d in days:
    key = (d["serial"], d["input"])
    if d["peak_power_w"] is not None and d["peak_power_w"] > 1.05 * dc_max[key]:
        problems.append(f"{key}: the day's peak {d['peak_power_w']} W is above the panels' {dc_max[key]:.1f} W")

# Energy counted once: the day total against what the plant produced by the end of the
# second run, less what it produced after the last poll (at most a poll interval at midday).
stored = {}
for d in days:
    stored[d["serial"]] = stored.get(d["serial"], 0) + d["energy_wh"]
last_truth = {}
for t in truth:
    last_truth[t["serial"]] = t["total_wh"]
for serial, wh in stored.items():
    produced = last_truth.get(serial)
    if produced is None:
        problems.append(f"{serial}: no ground truth")
        continue
    print(f"{serial}: stored {wh:.1f} Wh, produced {produced:.1f} Wh")
    if not 0.93 * produced <= wh <= 1.005 * produced:
        problems.append(f"{serial}: stored {wh:.1f} Wh, the plant produced {produced:.1f} Wh")

for p in problems[:20]:
    print("PROBLEM:", p)
sys.exit(1 if problems else 0)
PY
echo "ok: demo restart"
