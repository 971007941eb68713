#!/usr/bin/env bash
# Consumer apps built outside the repository from the packed tarballs, each with its own lock-free install
# (README "Support matrix" states exactly this):
#   nest11-cjs: Nest 11 + terminus 11 + @nestjs/config, CommonJS compiled by tsc as `nest new` 11 generates it,
#               run on Node 20 and 22; its Jest + ts-jest (CommonJS) spec; every subpath under moduleResolution "node".
#   nest12-esm: Nest 12 + terminus 12, an ES module app (NodeNext), run on Node 20 and 24.
# Both compile the README's examples (docs/examples) and check them against the mock (test/package/consumer/smoke.ts).
# The two installs run side by side and share the npm cache; NODE22 / NODE24 name other Node binaries (default: `npx -y node@22` / `node@24`).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
here="$root/test/package"
work="$(mktemp -d "${TMPDIR:-/tmp}/deepseek-pool-consumers-XXXXXX")"
trap 'rm -rf "$work"' EXIT

node22=(${NODE22:-npx -y node@22})
node24=(${NODE24:-npx -y node@24})

echo "-- pack (builds first)"
npm run build --prefix "$root" >/dev/null
for lib in deepseek-pool deepseek-mock; do
  tarball="$(cd "$root/libs/$lib" && npm pack --silent --pack-destination "$work")"
  mv "$work/$tarball" "$work/$(node -p "require('$root/libs/$lib/package.json').name").tgz"
done

app() { # app <name>: the template plus the README examples and the shared smoke check, installed without a lock file
  local dir="$work/$1"
  cp -r "$here/consumers/$1" "$dir"
  mkdir -p "$dir/src"
  cp "$root"/docs/examples/*.ts "$here"/consumer/*.ts "$dir/src/"
  if [ -f "$dir/subpaths.ts" ]; then mv "$dir/subpaths.ts" "$dir/src/"; fi
  (cd "$dir" && npm install --no-package-lock --no-audit --no-fund --prefer-offline --loglevel=error >/dev/null)
  echo "-- $1: installed $(cd "$dir" && node -p "['@nestjs/core', '@nestjs/terminus', 'typescript'].map((p) => p + '@' + require(require.resolve(p + '/package.json', { paths: ['.'] })).version).join(', ')")"
}

app nest11-cjs & nest11=$!
app nest12-esm & nest12=$!
wait "$nest11"
wait "$nest12"

cd "$work/nest11-cjs"
echo "-- nest11-cjs: tsc (module commonjs)"; npx tsc -p tsconfig.json
echo "-- nest11-cjs: every subpath with moduleResolution node, skipLibCheck false"; npx tsc -p tsconfig.node10.json
echo "-- nest11-cjs: Node $(node --version)"; node dist/main.js
echo "-- nest11-cjs: Node $("${node22[@]}" --version)"; "${node22[@]}" dist/main.js
echo "-- nest11-cjs: Jest + ts-jest (CommonJS) on Node $(node --version)"; node node_modules/jest/bin/jest.js --ci
echo "-- nest11-cjs: Jest + ts-jest (CommonJS) on Node $("${node22[@]}" --version)"; "${node22[@]}" node_modules/jest/bin/jest.js --ci

cd "$work/nest12-esm"
echo "-- nest12-esm: tsc (module nodenext, skipLibCheck false)"; npx tsc -p tsconfig.json
echo "-- nest12-esm: Node $(node --version)"; node dist/main.js
echo "-- nest12-esm: Node $("${node24[@]}" --version)"; "${node24[@]}" dist/main.js
