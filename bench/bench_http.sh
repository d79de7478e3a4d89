#!/usr/bin/env bash
# HTTP figures on loopback: requests per second of GET /api/v1/live and of a month chart
# (GET /api/v1/charts/month, a store query), measured with wrk against the browser-test
# harness (a real HttpServer over an in-memory store with 40 days of a two-inverter site);
# and the front end's page weight, raw and gzipped.
#   bench/bench_http.sh [build-dir]     (default build/release; configured if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/release}"
duration="${BENCH_SECONDS:-5}"

if ! command -v wrk >/dev/null; then
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -q && DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends wrk
fi
if [[ ! -f "$build/build.ninja" ]]; then cmake --preset release -B "$build" >/dev/null; fi
cmake --build "$build" --target browser_harness webapp >/dev/null

www="$build/www"
out=$(mktemp)
"$build/tests/browser/browser_harness" --www "$www" --cycle-ms 3600000 >"$out" 2>&1 < <(sleep 3600) &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 100); do grep -q '^port ' "$out" && break; sleep 0.1; done
port=$(awk '/^port /{print $2}' "$out")
base="http://127.0.0.1:$port"
month=$(date -u +%Y-%m)

rps() {  # url -> requests/s
  wrk -t2 -c4 -d"${duration}s" --latency "$1" | awk '/Requests\/sec/{print $2} /Non-2xx/{print "ERROR non-2xx: " $0 > "/dev/stderr"}'
}
echo "apsecu HTTP on loopback (wrk -t2 -c4, ${duration} s each, $(nproc) cores)"
printf '  GET /api/v1/live                    %10s req/s  (%s bytes)\n' "$(rps "$base/api/v1/live")" \
  "$(curl -s "$base/api/v1/live" | wc -c)"
printf '  GET /api/v1/charts/month?month=%s %10s req/s  (%s bytes)\n' "$month" "$(rps "$base/api/v1/charts/month?month=$month")" \
  "$(curl -s "$base/api/v1/charts/month?month=$month" | wc -c)"
printf '  GET /api/v1/charts/day              %10s req/s  (%s bytes)\n' "$(rps "$base/api/v1/charts/day")" \
  "$(curl -s "$base/api/v1/charts/day" | wc -c)"

raw=0
gz=0
files=0
while IFS= read -r -d '' f; do
  raw=$((raw + $(stat -c %s "$f")))
  gz=$((gz + $(gzip -9 -c "$f" | wc -c)))
  files=$((files + 1))
done < <(find "$www" -type f -print0)
echo "front end ($www): $files files, $((raw / 1024)) KiB raw, $((gz / 1024)) KiB gzipped (gzip -9 per file)"
# What a browser really transfers for the home page (the server compresses on the fly).
wire=0
for p in / /app.css /vendor/uPlot.min.css /vendor/uPlot.iife.min.js $(cd "$www" && find js -name '*.js' | sed 's|^|/|'); do
  wire=$((wire + $(curl -s -H 'Accept-Encoding: gzip' "$base$p" | wc -c)))
done
echo "home page transfer with Accept-Encoding: gzip: $((wire / 1024)) KiB (all scripts and styles)"
