#!/usr/bin/env bash
# Browser tests drive Debian's chromium (Playwright's own browser cannot be downloaded here).
set -euo pipefail
chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
[ -x "$chromium" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian's chromium for the browser tests..."
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
  exit 0
fi
echo "The browser tests need Debian's chromium at $chromium: run 'sudo apt-get install chromium' (or set CHROMIUM_PATH)." >&2
exit 1
