#!/usr/bin/env bash
# The fresh-machine path of the e2e setup (test/support/test-tools.mjs), run for real with redis-server and Chromium
# out of sight (an empty PATH, no REDIS_SERVER / CHROMIUM_PATH, no Playwright cache):
#   as root on Debian it installs them with apt-get (a no-op install when they are there) and finds them via dpkg;
#   as an unprivileged user it stops with the exact command to run.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
node="$(command -v node)"
setpriv="$(command -v setpriv)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$root/test/support/test-tools.mjs" "$work/" # self-contained; a copy an unprivileged user can read
chmod -R a+rX "$work"

echo "-- as root, nothing on the PATH"
out="$(env -i HOME="$work" PATH=/nonexistent "$node" "$work/test-tools.mjs" 2>&1)" || { echo "$out"; exit 1; }
echo "$out"
grep -q 'installing with apt-get' <<<"$out"
grep -q '^REDIS_SERVER=/' <<<"$out"
grep -q '^CHROMIUM_PATH=/' <<<"$out"

echo "-- as nobody, nothing on the PATH"
if out="$(env -i HOME="$work" PATH=/nonexistent "$setpriv" --reuid=65534 --regid=65534 --clear-groups "$node" "$work/test-tools.mjs" 2>&1)"; then
  echo "expected a stop, got: $out"; exit 1
fi
echo "$out"
grep -qF 'sudo apt-get update && sudo apt-get install -y --no-install-recommends redis-server chromium' <<<"$out"
