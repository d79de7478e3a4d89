#!/usr/bin/env bash
# Browser tests (CTest label "browser"): makes sure Debian's Chromium and the npm packages
# are there, builds the front end into the www directory `apsecu demo` serves from a build
# tree, then runs run.mjs against the demo.
#   run.sh <apsecu-binary> <www-dir> <artifacts-dir>
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
apsecu="$1" www="$2" artifacts="$3"

if [[ ! -x /usr/bin/chromium ]]; then
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends chromium
fi
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
(cd "$root/webapp" && npm ci --no-progress >/dev/null && APSECU_WWW_OUT="$www" npm run --silent build)
(cd "$here" && npm ci --no-progress >/dev/null)
cd "$here"
exec node run.mjs "$apsecu" "$artifacts"
