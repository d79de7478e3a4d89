#!/usr/bin/env bash
# The daemon's web side on a plant with history: 3 years x 9 QS1 of 5-minute polls (the
# store bench_history builds, the same data it races against InfluxDB 1.6), served by a real
# `apsecu run` on the built-in emulator.
#  - start: from launching the process to the first page (GET /), the live JSON and a day
#    chart answered, with the database file dropped from the page cache before each launch
#  - resident memory after the first page and after a minute of polling
#  - requests per second on loopback (wrk) of GET /api/v1/live, a month chart and a day chart
#  - the front end's weight, raw, gzipped, and what a browser transfers for the home page
#   bench/bench_http.sh [build-dir]     (default build/release; configured if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/release}"
duration="${BENCH_SECONDS:-5}"
launches="${BENCH_LAUNCHES:-5}"

if ! command -v wrk >/dev/null; then
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -q && DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends wrk
fi
if [[ ! -f "$build/build.ninja" ]]; then cmake --preset release -B "$build" >/dev/null; fi
cmake --build "$build" --target apsecu webapp bench_history >/dev/null
apsecu="$build/apps/apsecu/apsecu"

# ---- the history, built once and kept in the build directory ---------------------------------
history="$build/bench-history"
if [[ ! -f "$history/history.db" ]]; then
  echo "building 3 years x 9 QS1 of history in $history (about 2 minutes)..."
  mkdir -p "$history"
  "$build/bench/bench_history" --skip-influx --iterations 10 --keep --dir "$history" >/dev/null
fi
work=$(mktemp -d)
pid=""
trap 'if [[ -n "$pid" ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
cp "$history/history.db" "$work/apsecu.db"
mapfile -t serials < <(sqlite3 "$work/apsecu.db" "SELECT serial FROM inverter ORDER BY serial")
last_day=$(sqlite3 "$work/apsecu.db" "SELECT max(day) FROM site_day")
last_date="${last_day:0:4}-${last_day:4:2}-${last_day:6:2}"
{
  printf '{"version":1,"timezone":"Europe/Amsterdam","location":{"latitude":52.1,"longitude":5.3},\n'
  printf ' "radio":{"port":"emulator","ecu_id":"D8A3011B9780"},\n'
  # History older than the default retention must stay for the figures: no pruning here.
  printf ' "storage":{"data_dir":"%s","samples_retention_days":36500},\n "inverters":[' "$work"
  for i in "${!serials[@]}"; do
    ((i > 0)) && printf ','
    printf '\n  {"name":"QS1 %d","serial":"%s","model":"QS1","short_address":%d}' "$((i + 1))" "${serials[$i]}" \
      "$((0x2000 + i))"
  done
  printf ']}\n'
} >"$work/apsecu.json"

port=$((20000 + RANDOM % 40000))
base="http://127.0.0.1:$port"
ms_now() { date +%s%3N; }
# VmRSS, split into private memory (heap, stacks) and file pages (the program's and shared
# libraries' code, which other processes share and the kernel can drop).
memory() {
  awk '/^VmRSS/{r=$2} /^RssAnon/{a=$2} /^RssFile/{f=$2} END {printf "%.1f MiB (private %.1f MiB, program and library code %.1f MiB)", r/1024, a/1024, f/1024}' "/proc/$1/status"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "apsecu $("$apsecu" --version 2>/dev/null | head -1), $(nproc) cores; history: ${#serials[@]} inverters, $(sqlite3 "$work/apsecu.db" "SELECT count(*) FROM site_day") days up to $last_date, $(($(stat -c %s "$work/apsecu.db") / 1000000)) MB"

# ---- start to first page ------------------------------------------------------------------------
page_ms=() live_ms=() chart_ms=()
for ((n = 0; n < launches; n++)); do
  dd if="$work/apsecu.db" iflag=nocache count=0 status=none  # drop the file from the page cache
  t0=$(ms_now)
  "$apsecu" run --config "$work/apsecu.json" --http "127.0.0.1:$port" >"$work/run.log" 2>&1 &
  pid=$!
  until curl -sf -o /dev/null "$base/"; do
    kill -0 "$pid" 2>/dev/null || { echo "apsecu run exited: $(tail -3 "$work/run.log")" >&2; exit 1; }
    sleep 0.005
  done
  t1=$(ms_now)
  curl -sf -o /dev/null "$base/api/v1/live"
  t2=$(ms_now)
  curl -sf -o /dev/null "$base/api/v1/charts/day?date=$last_date"
  t3=$(ms_now)
  page_ms+=($((t1 - t0))) live_ms+=($((t2 - t0))) chart_ms+=($((t3 - t0)))
  if ((n < launches - 1)); then kill "$pid"; wait "$pid" || true; pid=""; fi
done
echo "start, ${launches} launches, database evicted from the page cache before each (median / worst, ms from exec):"
printf '  first page (GET /)            %6s / %s\n' "$(printf '%s\n' "${page_ms[@]}" | median)" \
  "$(printf '%s\n' "${page_ms[@]}" | sort -n | tail -1)"
printf '  + GET /api/v1/live            %6s / %s\n' "$(printf '%s\n' "${live_ms[@]}" | median)" \
  "$(printf '%s\n' "${live_ms[@]}" | sort -n | tail -1)"
printf '  + day chart of %s    %6s / %s\n' "$last_date" "$(printf '%s\n' "${chart_ms[@]}" | median)" \
  "$(printf '%s\n' "${chart_ms[@]}" | sort -n | tail -1)"
echo "resident memory after the first page: $(memory "$pid")"

# ---- requests per second ------------------------------------------------------------------------
rps() {  # url -> requests/s
  wrk -t2 -c4 -d"${duration}s" "$1" | awk '/Requests\/sec/{print $2} /Non-2xx/{print "ERROR non-2xx: " $0 > "/dev/stderr"}'
}
month="${last_date:0:7}"
echo "HTTP on loopback (wrk -t2 -c4, ${duration} s each; wrk shares the cores):"
printf '  GET /api/v1/live                       %9s req/s  (%s bytes)\n' "$(rps "$base/api/v1/live")" \
  "$(curl -s "$base/api/v1/live" | wc -c)"
printf '  GET /api/v1/charts/month?month=%s  %9s req/s  (%s bytes)\n' "$month" \
  "$(rps "$base/api/v1/charts/month?month=$month")" "$(curl -s "$base/api/v1/charts/month?month=$month" | wc -c)"
printf '  GET /api/v1/charts/day?date=%s  %9s req/s  (%s bytes)\n' "$last_date" \
  "$(rps "$base/api/v1/charts/day?date=$last_date")" "$(curl -s "$base/api/v1/charts/day?date=$last_date" | wc -c)"
sleep "${BENCH_IDLE_SECONDS:-60}"
echo "resident memory after the load and ${BENCH_IDLE_SECONDS:-60} s more: $(memory "$pid")"

# ---- page weight --------------------------------------------------------------------------------
www="$build/www"
raw=0 gz=0 files=0
while IFS= read -r -d '' f; do
  raw=$((raw + $(stat -c %s "$f")))
  gz=$((gz + $(gzip -9 -c "$f" | wc -c)))
  files=$((files + 1))
done < <(find "$www" -type f -print0)
echo "front end ($www): $files files, $((raw / 1024)) KiB raw, $((gz / 1024)) KiB gzipped (gzip -9 per file)"
# What a browser transfers for the first visit: every page, script and style, compressed by
# the server as it would for a browser.
wire=0
while IFS= read -r -d '' f; do
  wire=$((wire + $(curl -s -H 'Accept-Encoding: gzip' "$base/${f#"$www"/}" | wc -c)))
done < <(find "$www" -type f \( -name '*.html' -o -name '*.js' -o -name '*.css' \) -print0)
echo "every page, script and style over HTTP with Accept-Encoding: gzip: $((wire / 1024)) KiB"
