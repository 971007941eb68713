# The sample gateway (apps/gateway) as an image: build, production dependencies, then a slim runtime.
#   docker build -t nestjs-deepseek-pool-gateway .
# NODE_IMAGE picks the base of every stage (default the official Node 24 slim image, the current LTS; any Debian-based
# image with node 20.19+, npm and a `node` user works, e.g. a mirror or the offline stand-in of
# deploy/offline/base-images.sh).
# No secret is ever copied in: keys and tokens come from the environment or Docker secrets at run time.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json ./
COPY libs/deepseek-pool/package.json libs/deepseek-pool/
COPY libs/deepseek-mock/package.json libs/deepseek-mock/
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY libs/deepseek-pool libs/deepseek-pool
COPY libs/deepseek-mock libs/deepseek-mock
COPY apps/gateway apps/gateway
RUN npx tsc -b libs/deepseek-pool libs/deepseek-mock apps/gateway

FROM ${NODE_IMAGE} AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
COPY libs/deepseek-pool/package.json libs/deepseek-pool/
COPY libs/deepseek-mock/package.json libs/deepseek-mock/
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
COPY --from=production-dependencies /app/package.json ./
COPY --from=production-dependencies /app/node_modules node_modules
COPY --from=build /app/libs/deepseek-pool/package.json libs/deepseek-pool/
COPY --from=build /app/libs/deepseek-pool/dist libs/deepseek-pool/dist
COPY --from=build /app/libs/deepseek-mock/package.json libs/deepseek-mock/
COPY --from=build /app/libs/deepseek-mock/dist libs/deepseek-mock/dist
COPY --from=build /app/libs/deepseek-mock/scenarios libs/deepseek-mock/scenarios
COPY --from=build /app/apps/gateway/dist apps/gateway/dist
USER node
EXPOSE 3000
# Liveness only (never looks upstream); readiness is GET /health/ready.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/health/live`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM drains: no new connections, in-flight requests and streams finish (GATEWAY_DRAIN_TIMEOUT_MS, default 25 s),
# then the Redis account slots are handed back and the process exits 0. Give the container a longer grace period.
STOPSIGNAL SIGTERM
# A 32 MB young-generation semi-space (V8's default: 16 MB): each request allocates short-lived objects, and with the
# default the scavenger runs twice as often; this cuts the gateway's CPU per request (bench/FINDINGS.md, finding 5).
CMD ["node", "--max-semi-space-size=32", "apps/gateway/dist/main.js"]
