#!/usr/bin/env bash
# Installs the Debian 12 / Raspberry Pi OS packages apsecu needs to build, test and run.
#   scripts/install-deps.sh          build + run
#   scripts/install-deps.sh --test   also the real services the tests start (mosquitto, influxd, chromium)
set -euo pipefail

build_pkgs=(build-essential cmake ninja-build pkgconf git
  libasio-dev libspdlog-dev libfmt-dev libcli11-dev nlohmann-json3-dev libsqlite3-dev sqlite3
  libcpp-httplib-dev libmosquitto-dev libsodium-dev libarchive-dev libgpiod-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev tzdata)
test_pkgs=(mosquitto mosquitto-clients openssl influxdb curl chromium)

want=("${build_pkgs[@]}")
if [[ "${1:-}" == "--test" ]]; then want+=("${test_pkgs[@]}"); fi
# The web front end is built with npm. A machine that already has Node.js (for example from
# NodeSource, which bundles npm) keeps it; otherwise Debian's nodejs and npm are installed.
if ! command -v npm >/dev/null 2>&1; then want+=(nodejs npm); fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then exit 0; fi

echo "installing: ${missing[*]}" >&2
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
"${sudo_cmd[@]}" apt-get update -q
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
