#!/usr/bin/env bash
# `apsecu emulator --pty` prints a pty and a reset line that another apsecu process opens
# like real hardware: the console starts nothing by itself, a hard reset through the FIFO
# makes the module boot (SYS_RESET_IND) and device info answers.
set -euo pipefail
apsecu="$1"
fail() { echo "FAIL: $*" >&2; exit 1; }
out=$(mktemp)
"$apsecu" emulator --pty >"$out" 2>/dev/null &
emu=$!
trap 'kill $emu 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 100); do grep -q '^reset ' "$out" && break; sleep 0.1; done
pty=$(awk '$1=="pty"{print $2}' "$out")
reset=$(awk '$1=="reset"{print $2}' "$out")
[[ -c "$pty" ]] || fail "no pty printed: $(cat "$out")"
[[ "$reset" == fifo:* ]] || fail "no reset fifo printed: $(cat "$out")"

log=$("$apsecu" console --port "$pty" --reset "$reset" --listen-ms 3000 reset 2700)
grep -q "SYS_RESET_IND" <<<"$log" || fail "no boot message after the hard reset: $log"
grep -q "< FE0E6700.*UTIL_GET_DEVICE_INFO" <<<"$log" || fail "no device info over the pty: $log"
echo "emulator --pty: all checks passed"
