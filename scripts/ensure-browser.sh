#!/usr/bin/env bash
# Makes sure the browser the HTML-report test drives is present: Debian's `chromium` at /usr/bin/chromium
# (test/browser/ opens it headless through playwright-core, which downloads no browser of its own).
# Runs before `npm test`, beside ensure-notebook-tools.sh and in the same way: installs with apt-get
# when it can (root, or sudo without a password); otherwise says what to run, and the browser test
# fails with the same advice rather than being skipped.
set -u
browser=/usr/bin/chromium
[ -x "$browser" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "sentivec: the HTML report test needs Chromium at $browser (Debian package: chromium); install it with your package manager." >&2
  exit 0
fi
as_root=""
if [ "$(id -u)" != 0 ]; then
  if sudo -n true 2>/dev/null; then as_root="sudo -n"; else
    echo "sentivec: the HTML report test needs: sudo apt-get install -y --no-install-recommends chromium" >&2
    exit 0
  fi
fi
echo "Installing chromium for the HTML report test (apt-get)..." >&2
$as_root apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -q --no-install-recommends chromium >&2
[ -x "$browser" ] || { echo "sentivec: installing chromium failed; the HTML report test will fail." >&2; exit 0; }
