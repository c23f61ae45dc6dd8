#!/usr/bin/env bash
# Makes sure the system tools the notebook tests need are present: Jupyter's nbconvert and the Python
# kernel machinery (Debian packages jupyter-nbconvert and python3-ipykernel). Runs before `npm test`
# so a fresh machine needs nothing beyond the README's two commands. Installs with apt-get when it can
# (root, or sudo without a password); otherwise says what to run, and the notebook tests will fail
# with the same advice.
set -u
have_tools() {
  command -v jupyter-nbconvert >/dev/null 2>&1 && /usr/bin/python3 -c "import ipykernel" >/dev/null 2>&1
}
have_tools && exit 0

packages="jupyter-nbconvert python3-ipykernel"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "sentivec: the notebook tests need Jupyter nbconvert and ipykernel (Debian: $packages); install them with your package manager." >&2
  exit 0
fi
as_root=""
if [ "$(id -u)" != 0 ]; then
  if sudo -n true 2>/dev/null; then as_root="sudo -n"; else
    echo "sentivec: the notebook tests need: sudo apt-get install -y --no-install-recommends $packages" >&2
    exit 0
  fi
fi
echo "Installing $packages for the notebook tests (apt-get)..." >&2
$as_root apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -q --no-install-recommends $packages >&2
have_tools || { echo "sentivec: installing $packages failed; the notebook tests will fail." >&2; exit 0; }
