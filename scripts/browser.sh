#!/usr/bin/env bash
# Installs what the console's browser test (crates/ferry-server/tests/console.rs) needs:
# Debian's headless Chromium, its WebDriver (chromedriver) and CJK fonts so that Chinese text
# renders as glyphs, not boxes, in screenshots. Does nothing when they are already installed.
# Needs root (apt-get); safe to run repeatedly.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q "install ok installed" \
  || missing+=(fonts-noto-cjk)

if [ ${#missing[@]} -eq 0 ]; then
  echo "browser: chromium, chromedriver and CJK fonts are installed"
  exit 0
fi

echo "browser: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
/usr/bin/chromium --version
/usr/bin/chromedriver --version
