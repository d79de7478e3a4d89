#!/usr/bin/env bash
# `apsecu console` against the built-in emulator: LEN and FCS are added, replies are named.
set -euo pipefail
apsecu="$1"
fail() { echo "FAIL: $*" >&2; exit 1; }

out=$("$apsecu" console --port emulator --listen-ms 600 2101 2710AABBCC 2700)
grep -q "> FE00210120 " <<<"$out" || fail "ping frame not built: $out"
grep -q "< FE02610179071C .*SYS_PING" <<<"$out" || fail "no named ping reply: $out"
grep -q "< FE036710AABBCCA9 " <<<"$out" || fail "no loopback echo: $out"
grep -q "UTIL_GET_DEVICE_INFO" <<<"$out" || fail "no device info: $out"

status=0
out=$(printf 'ZZ\n' | "$apsecu" console --port emulator --listen-ms 100) || status=$?
[[ $status == 1 ]] || fail "bad hex exited $status"
grep -q "not hex" <<<"$out" || fail "bad hex not explained: $out"
echo "console: all checks passed"
