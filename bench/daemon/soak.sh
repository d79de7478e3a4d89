#!/usr/bin/env bash
# The daemon as it runs on a Pi, measured from outside: `apsecu emulator --pty` plays the
# module and nine QS1 in a separate process; `apsecu run` opens the pty like a serial port.
# Both run on a clock accelerated SPEED times through DAYS simulated days, with the web
# server on and asked for the live values and today's chart every 10 s. Prints the daemon's
# resident memory over time (it must stay under 15 MiB and flat), split into heap and other
# anonymous memory and mapped files (code, SQLite's shared WAL index), and its CPU time.
#   bench/daemon/soak.sh [BUILD_DIR] [DAYS] [SPEED]
set -euo pipefail
build=${1:-build/release}
days=${2:-30}
speed=${3:-20000}
apsecu="$build/apps/apsecu/apsecu"
source "$(dirname "$0")/../../tests/cli/lib.sh"  # $work, cleanup of $pids, free_port
start="2026-06-01T02:00Z"

invs=()
cfg_invs=""
for i in $(seq 1 9); do
  serial=$(printf "8010000%05d" "$i")
  invs+=(--inverter "QS1:$serial@$(printf %04X $((0x2000 + i)))")
done
"$apsecu" emulator --pty --start "$start" --speed "$speed" --timing 0.05 "${invs[@]}" >"$work/emu.out" 2>"$work/emu.err" &
pids+=($!)
for _ in $(seq 100); do grep -q '^reset ' "$work/emu.out" && break; sleep 0.1; done
pty=$(awk '$1=="pty"{print $2}' "$work/emu.out")
reset=$(awk '$1=="reset"{print $2}' "$work/emu.out")

{
  echo '{"version":1,"timezone":"Europe/Amsterdam","location":{"latitude":52.1,"longitude":5.3},'
  echo '"radio":{"ecu_id":"D8A3011B9780","port":"'"$pty"'","reset_line":"'"$reset"'"},'
  echo '"storage":{"data_dir":"'"$work/data"'"},"inverters":['
  for i in $(seq 1 9); do
    serial=$(printf "8010000%05d" "$i")
    [[ $i -gt 1 ]] && echo ","
    echo '{"name":"QS1 '"$i"'","serial":"'"$serial"'","model":"QS1","panel_power_w":350,"short_address":'"$((0x2000 + i))"'}'
  done
  echo ']}'
} >"$work/apsecu.json"
port=$(free_port)
"$apsecu" run --config "$work/apsecu.json" --http "127.0.0.1:$port" --clock-start "$start" --clock-speed "$speed" \
  >"$work/daemon.log" 2>&1 &
daemon=$!
pids+=("$daemon")
total_s=$(awk -v d="$days" -v s="$speed" 'BEGIN{printf "%d", d*86400/s}')
echo "simulating $days days at ${speed}x: ${total_s} s real"
printf "%8s %6s %10s %10s %10s %8s\n" "real_s" "day" "rss_kib" "anon_kib" "file_kib" "cpu_s"
for t in $(seq 0 10 "$total_s"); do
  date=$(curl -s "http://127.0.0.1:$port/api/v1/live" | sed -n 's/.*"date":"\([0-9-]*\)".*/\1/p' || true)
  [[ -n "$date" ]] && curl -s -o /dev/null "http://127.0.0.1:$port/api/v1/charts/day?date=$date" || true
  read -r rss anon file < <(awk '/VmRSS/{r=$2} /RssAnon/{a=$2} /RssFile/{f=$2} /RssShmem/{f+=$2} END{print r, a, f}' \
    /proc/$daemon/status 2>/dev/null || echo "0 0 0")
  cpu=$(awk '{printf "%.2f", ($14+$15)/100}' /proc/$daemon/stat 2>/dev/null || echo 0)
  day=$(awk -v t="$t" -v s="$speed" 'BEGIN{printf "%.1f", t*s/86400}')
  printf "%8s %6s %10s %10s %10s %8s\n" "$t" "$day" "$rss" "$anon" "$file" "$cpu"
  sleep 10
done
peak=$(awk '/VmHWM/{print $2}' /proc/$daemon/status)
kill -TERM $daemon; wait $daemon || true
samples=$(sqlite3 "$work/data/apsecu.db" "select count(*) from sample" 2>/dev/null || echo "?")
echo "peak RSS ${peak} KiB; samples stored: $samples"
