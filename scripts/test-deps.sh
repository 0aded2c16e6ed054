#!/usr/bin/env bash
# Installs the Debian packages the tests drive when they are missing: Chromium (the browser test of
# the htmx UI) and ClickHouse (the results sink's tests start Debian's clickhouse-server).
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v clickhouse-server >/dev/null 2>&1 || missing+=(clickhouse-server clickhouse-client)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing the test tools: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
