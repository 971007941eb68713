#!/usr/bin/env bash
# The compose stack for real, on a machine without an image registry: starts dockerd if needed, builds the offline
# base images (cached) and the gateway image, brings up Redis, the mock, two gateway replicas and Prometheus with
# compose.yaml + deploy/test/compose.test.yaml (ports on 127.0.0.1 only, random), runs deploy/test/stack-test.mjs,
# and tears everything down. Grafana is not started: no Grafana image can be built from Debian's or npm's
# packages; its provisioning files are checked by test/deploy/deploy-files.spec.ts instead.
set -euo pipefail
cd "$(dirname "$0")/../.."
started_dockerd=""
project="dsp-stack-test"
say() { echo "[stack-test $(date +%T)] $*"; }

if ! command -v docker >/dev/null 2>&1 || ! command -v debootstrap >/dev/null 2>&1; then
  say "apt-get install docker.io debootstrap"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io debootstrap >/dev/null
fi
if ! docker info >/dev/null 2>&1; then
  say "starting dockerd"
  dockerd >/tmp/stack-test-dockerd.log 2>&1 &
  started_dockerd=$!
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { tail -20 /tmp/stack-test-dockerd.log; echo "dockerd did not start within 30 s"; exit 1; }
fi
# Compose v2 when the machine has it, else Debian's docker-compose 1.29 (both read compose.yaml and profiles).
if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
else
  command -v docker-compose >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null; }
  compose=(docker-compose)
fi
say "compose: $("${compose[@]}" version | head -1)"

bash deploy/offline/base-images.sh
say "docker build the gateway image on dsp-offline/node:24"
docker build -q --build-arg NODE_IMAGE=dsp-offline/node:24 -t nestjs-deepseek-pool-gateway:ci . 2> >(grep -v 'DEPRECATED\|buildx\|docs.docker.com\|^ *$' >&2) >/dev/null
say "gateway image: $(docker image inspect --format '{{.Size}}' nestjs-deepseek-pool-gateway:ci | awk '{ printf "%.0f MB", $1 / 1000000 }')"

export GATEWAY_IMAGE=nestjs-deepseek-pool-gateway:ci REDIS_IMAGE=dsp-offline/redis:7 PROMETHEUS_IMAGE=dsp-offline/prometheus:2
# Empty: Docker picks free host ports (still bound to 127.0.0.1).
export GATEWAY_A_PORT="" GATEWAY_B_PORT="" PROMETHEUS_PORT=""
stack() { "${compose[@]}" -p "$project" -f compose.yaml -f deploy/test/compose.test.yaml --profile demo "$@"; }
teardown() {
  status=$?
  if [ "$status" -ne 0 ]; then
    say "failed: last log lines of each service"
    stack logs --no-color --tail 40 2>&1 || true
  fi
  stack down -v --remove-orphans --timeout 5 >/dev/null 2>&1 || true
  if [ -n "$started_dockerd" ]; then kill "$started_dockerd" 2>/dev/null || true; wait "$started_dockerd" 2>/dev/null || true; fi
  exit "$status"
}
trap teardown EXIT
stack down -v --remove-orphans --timeout 5 >/dev/null 2>&1 || true
say "compose up: redis, mock, demo-gateway-a, demo-gateway-b, prometheus"
stack up -d redis mock demo-gateway-a demo-gateway-b prometheus 2>&1 | grep -v '^$' || { stack ps; exit 1; }

url() { echo "http://$(stack port "$1" "$2" | tail -1 | sed 's/^0\.0\.0\.0/127.0.0.1/')"; }
export COMPOSE_PROJECT="$project" ADMIN_TOKEN=demo-admin-token
GATEWAY_A_URL="$(url demo-gateway-a 3000)" GATEWAY_B_URL="$(url demo-gateway-b 3000)" MOCK_URL="$(url mock 8787)" PROMETHEUS_URL="$(url prometheus 9090)"
REDIS_CONTAINER="$(stack ps -q redis)" GATEWAY_B_CONTAINER="$(stack ps -q demo-gateway-b)"
export GATEWAY_A_URL GATEWAY_B_URL MOCK_URL PROMETHEUS_URL REDIS_CONTAINER GATEWAY_B_CONTAINER
say "gateways $GATEWAY_A_URL $GATEWAY_B_URL, mock $MOCK_URL, prometheus $PROMETHEUS_URL"
timeout 300 node deploy/test/stack-test.mjs
