#!/usr/bin/env bash
# `apsecu backup` and `apsecu restore` on a store built by `apsecu demo`: the archive holds
# the three files; a restore into an empty directory gives the same history and settings;
# a restore after the demo ran on keeps what came after; hostile or damaged archives are
# refused with a clear message, a non-zero exit, and nothing changed.
set -euo pipefail
apsecu="$1"
fail() { echo "FAIL: $*" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
data="$work/data"

"$apsecu" demo --data "$data" --date 2026-06-21 --speed 3000 --stop-at 2026-06-21T12:00Z --http "" \
  >"$work/demo1.log" 2>&1 || fail "demo failed: $(tail -3 "$work/demo1.log")"
[[ -f "$data/apsecu.db" ]] || fail "the demo left no database"

# ---- backup, default name ------------------------------------------------------------------
out=$("$apsecu" backup --data "$data") || fail "backup failed"
archive=$(ls "$data"/backups/apsecu-*.tar.gz)
[[ $(ls -A "$data/backups" | wc -l) == 1 ]] || fail "backups/ holds more than the archive: $(ls -A "$data/backups")"
[[ "$out" == *"wrote $archive"* ]] || fail "backup printed: $out"
[[ "$out" == *"3 inverter(s)"* ]] || fail "backup summary: $out"
listing=$(tar tzf "$archive" | tr '\n' ' ')
[[ "$listing" == "manifest.json apsecu.json apsecu.db " ]] || fail "the archive holds: $listing"
tar xzf "$archive" -O manifest.json | grep -q '"format": "apsecu-backup"' || fail "no manifest format"
[[ $(stat -c %a "$archive") == 600 ]] || fail "archive mode $(stat -c %a "$archive")"

# ---- restore into an empty directory ---------------------------------------------------------
fresh="$work/fresh"
out=$("$apsecu" restore --data "$fresh" "$archive") || fail "restore into an empty directory failed"
[[ "$out" == *"settings: restored"* ]] || fail "restore printed: $out"
[[ "$out" =~ merged:\ ([0-9]+)\ sample ]] || fail "no merge summary: $out"
(( BASH_REMATCH[1] > 0 )) || fail "nothing merged: $out"
diff <("$apsecu" export --data "$data" --samples) <("$apsecu" export --data "$fresh" --samples) >/dev/null ||
  fail "restored samples differ from the original"
diff <("$apsecu" export --data "$data" --days) <("$apsecu" export --data "$fresh" --days) >/dev/null ||
  fail "restored day totals differ from the original"
grep -q "\"data_dir\": \"$fresh\"" "$fresh/apsecu.json" || fail "restored settings do not point at $fresh"

# ---- the demo runs on; the older archive restored later keeps what came after -----------------
"$apsecu" demo --data "$data" --speed 3000 --stop-at 2026-06-21T13:30Z --http "" >"$work/demo2.log" 2>&1 ||
  fail "second demo failed: $(tail -3 "$work/demo2.log")"
samples_before=$("$apsecu" export --data "$data" --samples --format json)
days_before=$("$apsecu" export --data "$data" --days)
settings_before=$(cat "$data/apsecu.json")
(( $(wc -l <<<"$samples_before") > $("$apsecu" export --data "$fresh" --samples --format json | wc -l) )) ||
  fail "the second demo added no samples"
out=$("$apsecu" restore --data "$data" "$archive") || fail "later restore failed"
[[ "$out" == *"merged: 0 sample(s) added"* ]] || fail "later restore merged: $out"
[[ "$out" == *"--replace-settings"* ]] || fail "no hint about --replace-settings: $out"
[[ "$samples_before" == "$("$apsecu" export --data "$data" --samples --format json)" ]] || fail "the restore changed samples"
[[ "$days_before" == "$("$apsecu" export --data "$data" --days)" ]] || fail "the restore changed day totals"
[[ "$settings_before" == "$(cat "$data/apsecu.json")" ]] || fail "the restore changed the settings"

# ---- --replace-settings keeps the old file -----------------------------------------------------
out=$("$apsecu" restore --data "$data" --replace-settings "$archive") || fail "restore --replace-settings failed"
[[ "$out" == *"apsecu.json.bak"* ]] || fail "replace printed: $out"
[[ "$(cat "$data/apsecu.json.bak")" == "$settings_before" ]] || fail "the .bak is not the previous settings"

# ---- hostile and damaged archives ------------------------------------------------------------
days_before=$("$apsecu" export --data "$data" --days)
check_refused() {
  local archive="$1" want="$2" err status=0
  err=$("$apsecu" restore --data "$data" --replace-settings "$archive" 2>&1 >/dev/null) || status=$?
  [[ $status == 1 ]] || fail "$archive: exit status $status, want 1"
  [[ "$err" == *"$want"* ]] || fail "$archive: '$err' lacks '$want'"
  [[ "$err" == *"nothing was changed"* ]] || fail "$archive: '$err' does not say nothing changed"
  [[ "$days_before" == "$("$apsecu" export --data "$data" --days)" ]] || fail "$archive changed the history"
  if ls -A "$data" | grep -q '^\.restore-'; then fail "$archive left a temporary directory"; fi
  [[ ! -e "$work/owned" ]] || fail "$archive wrote outside the data directory"
}
parts="$work/parts"
mkdir -p "$parts"
tar xzf "$archive" -C "$parts"

mkdir "$work/sym"
cp "$parts/manifest.json" "$parts/apsecu.json" "$work/sym/"
ln -s /etc/passwd "$work/sym/apsecu.db"
tar czf "$work/symlink.tar.gz" -C "$work/sym" manifest.json apsecu.json apsecu.db
check_refused "$work/symlink.tar.gz" "'apsecu.db' is a symbolic link (to '/etc/passwd')"

echo owned >"$work/owned-src"
tar czPf "$work/dotdot.tar.gz" -C "$parts" manifest.json ../owned-src
check_refused "$work/dotdot.tar.gz" "points outside the target directory"

tar czPf "$work/absolute.tar.gz" "$parts/manifest.json"
check_refused "$work/absolute.tar.gz" "is an absolute path"

echo 'rm -rf /' >"$parts/evil.sh"
tar czf "$work/unknown.tar.gz" -C "$parts" manifest.json apsecu.json apsecu.db evil.sh
check_refused "$work/unknown.tar.gz" "unexpected file 'evil.sh'"

tar czf "$work/nomanifest.tar.gz" -C "$parts" apsecu.json apsecu.db
check_refused "$work/nomanifest.tar.gz" "has no manifest.json"

size=$(stat -c %s "$archive")
head -c $((size / 2)) "$archive" >"$work/truncated.tar.gz"
check_refused "$work/truncated.tar.gz" "truncated"

cp "$archive" "$work/corrupt.tar.gz"
printf '\xde\xad\xbe\xef\xde\xad\xbe\xef\xde\xad\xbe\xef' | dd of="$work/corrupt.tar.gz" bs=1 seek=$((size / 3)) conv=notrunc status=none
check_refused "$work/corrupt.tar.gz" "corrupt.tar.gz"

# A database that is not SQLite, and settings that do not validate, each with a manifest
# that matches them: the content itself is what is refused.
with_manifest() {  # DIR: rewrites DIR/manifest.json for the files in DIR
  local dir="$1" f bytes sum m
  m=$(cat "$dir/manifest.json")
  for f in apsecu.json apsecu.db; do
    bytes=$(stat -c %s "$dir/$f")
    sum=$(sha256sum "$dir/$f" | cut -d' ' -f1)
    m=$(awk -v f="$f" -v b="$bytes" -v s="$sum" '
      /"bytes":/ { pending = $0; next }
      pending != "" { line = $0; if (line ~ "\"name\": \"" f "\"") { sub(/[0-9]+/, b, pending); hit = 1 }
                      print pending; pending = ""; print line; next }
      hit && /"sha256":/ { sub(/"[0-9a-f]+"/, "\"" s "\""); hit = 0 }
      { print }' <<<"$m")
  done
  printf '%s\n' "$m" >"$dir/manifest.json"
}
mkdir "$work/notdb"
cp "$parts/manifest.json" "$parts/apsecu.json" "$work/notdb/"
head -c 8192 /dev/zero | tr '\0' 'x' >"$work/notdb/apsecu.db"
with_manifest "$work/notdb"
tar czf "$work/notdb.tar.gz" -C "$work/notdb" manifest.json apsecu.json apsecu.db
check_refused "$work/notdb.tar.gz" "not an SQLite database"

mkdir "$work/badsettings"
cp "$parts/manifest.json" "$parts/apsecu.db" "$work/badsettings/"
echo '{"location": {"latitude": 200}}' >"$work/badsettings/apsecu.json"
with_manifest "$work/badsettings"
tar czf "$work/badsettings.tar.gz" -C "$work/badsettings" manifest.json apsecu.json apsecu.db
check_refused "$work/badsettings.tar.gz" "location.latitude"

check_refused "$work/absent.tar.gz" "does not exist"

# ---- usage errors ------------------------------------------------------------------------------
status=0
err=$("$apsecu" backup --data "$work/nothing" 2>&1) || status=$?
[[ $status == 1 && "$err" == *"no history in $work/nothing"* ]] || fail "backup of an empty dir: $status $err"
[[ ! -e "$work/nothing/apsecu.db" ]] || fail "backup created a database"
status=0
err=$("$apsecu" backup --data "$data" --config "$work/missing.json" 2>&1) || status=$?
[[ $status == 1 && "$err" == *"missing.json"* ]] || fail "backup without settings: $status $err"
echo "backup/restore: all checks passed"
