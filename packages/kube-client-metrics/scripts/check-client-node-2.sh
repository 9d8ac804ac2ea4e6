#!/bin/sh
# Manual compatibility check against @kubernetes/client-node 2.x (not run by the tests: it installs from the
# npm registry). On Node 20, 2.x only loads with undici overridden to 7.x; on Node >= 22.19 drop the override.
#   sh packages/kube-client-metrics/scripts/check-client-node-2.sh
# Prints the hook calls for a fixed sequence (GET, LIST, 404, connection reset, informer LIST+WATCH, 403
# watch); they must match what the 1.x tests in test/instrumentation.test.ts expect.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/package.json" <<'JSON'
{ "name": "cn2-check", "private": true, "type": "module",
  "dependencies": { "@kubernetes/client-node": "^2.0.0" }, "overrides": { "undici": "^7.16.0" } }
JSON
(cd "$work" && npm install --no-audit --no-fund --silent)
esbuild=$(ls -d "$here"/../../node_modules/.pnpm/esbuild@*/node_modules/esbuild/bin/esbuild | head -1)
"$esbuild" "$here/src/index.ts" --bundle --format=esm --platform=node --log-level=warning \
  --external:@kubernetes/client-node --conditions=@scrapewire/source --outfile="$work/kcm.mjs"
"$esbuild" "$here/test/mini-kube-api.ts" --bundle --format=esm --platform=node --log-level=warning \
  --external:@kubernetes/client-node --outfile="$work/mini.mjs"
cp "$here/scripts/client-node-2-check.mjs" "$work/check.mjs"
echo "client-node $(node -p "require('$work/node_modules/@kubernetes/client-node/package.json').version")"
(cd "$work" && node check.mjs)
