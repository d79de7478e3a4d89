#!/usr/bin/env bash
# `apsecu run` stopped and started twice against one `apsecu emulator` that runs on: after
# each restart the first sample carries on from the stored baseline (a normal sample, not a
# new baseline), its power is what the panels gave (the counter's average, within a few per
# cent of the DC power V × I; a clear sky keeps the two together), and every input's counted
# energy is exactly what its counter rose by over the whole test: nothing counted twice,
# nothing lost across the restarts.
set -euo pipefail
apsecu="$1"
fail() {
  echo "FAIL: $*" >&2
  tail -n 8 "$work"/daemon*.log >&2 2>/dev/null
  exit 1
}
command -v python3 >/dev/null || fail "python3 is needed to read the export"
source "$(dirname "$0")/lib.sh"

speed=20
"$apsecu" emulator --pty --start 2026-06-21T10:00Z --speed "$speed" --timing 0.1 --cloudiness 0 \
  >"$work/emu.out" 2>"$work/emu.err" &
pids+=($!)
for _ in $(seq 100); do grep -q '^reset ' "$work/emu.out" && break; sleep 0.1; done
started=$(date +%s.%N)
pty=$(awk '$1=="pty"{print $2}' "$work/emu.out")
reset=$(awk '$1=="reset"{print $2}' "$work/emu.out")
[[ -c "$pty" ]] || fail "no pty from the emulator: $(cat "$work/emu.out" "$work/emu.err")"

cat >"$work/apsecu.json" <<JSON
{"version":1,"timezone":"Europe/Amsterdam","location":{"latitude":52.1,"longitude":5.3},
 "polling":{"interval_s":30},
 "radio":{"ecu_id":"D8A3011B9780","port":"$pty","reset_line":"$reset"},
 "storage":{"data_dir":"$work/data"},
 "inverters":[{"name":"Roof","serial":"408000158215","model":"YC600","short_address":4154},
  {"name":"Garage","serial":"801000007312","model":"QS1","short_address":27668},
  {"name":"Carport","serial":"703000021300","model":"DS3","short_address":27682}]}
JSON

# The daemon's clock is the emulator's: started where the emulated world is now.
for run in 1 2 3; do
  now=$(python3 -c "import datetime,time; print((datetime.datetime(2026,6,21,10,0,tzinfo=datetime.timezone.utc)
    + datetime.timedelta(seconds=(time.time()-$started)*$speed)).strftime('%Y-%m-%dT%H:%M:%SZ'))")
  "$apsecu" run --config "$work/apsecu.json" --http "" --clock-start "$now" --clock-speed "$speed" \
    >"$work/daemon$run.log" 2>&1 &
  daemon=$!
  pids+=("$daemon")
  sleep 9
  kill -INT "$daemon"
  wait "$daemon" || fail "daemon run $run exited with $?"
  echo "$now" >>"$work/starts"
done

"$apsecu" export --data "$work/data" --samples --format json >"$work/samples.jsonl"
python3 - "$work/samples.jsonl" "$work/starts" <<'PY' || fail "see above"
import json, sys

samples = [json.loads(l) for l in open(sys.argv[1])]
starts = [l.strip() for l in open(sys.argv[2])]
problems = []

def counter_wh(s):  # the community scale the daemon uses by default
    return s["counter"] * 1.66e-5 if s["serial"].startswith("70") else (s["counter"] >> 16) * 8.311 / 3600

inputs = sorted({(s["serial"], s["input"]) for s in samples})
if len(inputs) != 8:
    problems.append(f"samples of {len(inputs)} inputs, want 8")
for key in inputs:
    rows = [s for s in samples if (s["serial"], s["input"]) == key]
    counted = [s for s in rows if s["kind"] in ("normal", "inverter_reset")]
    kinds = {s["kind"] for s in rows}
    if rows[0]["kind"] != "baseline" or kinds - {"baseline", "normal"} or [s for s in rows[1:] if s["kind"] == "baseline"]:
        problems.append(f"{key}: kinds {[s['kind'] for s in rows]}; want one baseline, then normal samples")
    # Nothing lost or counted twice: the counted energy is what the counter rose by.
    rose = counter_wh(rows[-1]) - counter_wh(rows[0])
    got = sum(s["energy_wh"] for s in counted)
    if abs(got - rose) > 0.01 * len(counted) + 0.05:
        problems.append(f"{key}: counted {got:.3f} Wh, the counter rose {rose:.3f} Wh")
    for start in starts[1:]:
        after = [s for s in counted if s["time"] >= start]
        if not after:
            problems.append(f"{key}: no counted sample after the restart at {start}")
            continue
        s = after[0]
        dc = s["dc_voltage_v"] * s["dc_current_a"]
        print(f"{key} first after {start}: {s['time']} {s['power_w']} W, DC {dc:.1f} W")
        if not 0.85 * dc <= s["power_w"] <= 1.05 * dc:
            problems.append(f"{key}: first sample after the restart at {start}: {s['power_w']} W against DC {dc:.1f} W")
    for s in counted:
        dc = s["dc_voltage_v"] * s["dc_current_a"]
        if dc > 20 and not 0.8 * dc <= s["power_w"] <= 1.1 * dc:
            problems.append(f"{key} at {s['time']}: {s['power_w']} W against DC {dc:.1f} W")

for p in problems[:20]:
    print("PROBLEM:", p)
sys.exit(1 if problems else 0)
PY
echo "ok: daemon restart"
