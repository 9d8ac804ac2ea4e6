#!/usr/bin/env bash
# Lays out one workspace package the way every package here is cut (see README "Repository layout").
# usage: scripts/new-package.sh <dir> <npm-name> "<description>"
set -euo pipefail
dir=packages/$1; name=$2; desc=$3
mkdir -p "$dir/src" "$dir/test/fixtures"
cat > "$dir/package.json" <<JSON
{
  "name": "$name",
  "version": "0.0.0",
  "description": "$desc",
  "license": "Apache-2.0",
  "type": "module",
  "sideEffects": false,
  "engines": { "node": ">=20.19.0" },
  "exports": {
    ".": {
      "@scrapewire/source": "./src/index.ts",
      "import": { "types": "./dist/index.d.ts", "default": "./dist/index.js" },
      "require": { "types": "./dist/index.d.cts", "default": "./dist/index.cjs" }
    },
    "./package.json": "./package.json"
  },
  "main": "./dist/index.cjs",
  "module": "./dist/index.js",
  "types": "./dist/index.d.ts",
  "files": ["dist", "src", "!src/**/*.test.ts"],
  "scripts": { "build": "tsup" },
  "dependencies": {}
}
JSON
cat > "$dir/tsconfig.json" <<JSON
{ "extends": "../../tsconfig.base.json", "include": ["src", "test", "bench"] }
JSON
cat > "$dir/tsup.config.ts" <<TS
import { defineConfig, packageBuild } from '../../tsup.config.base';

export default defineConfig(packageBuild());
TS
cat > "$dir/vitest.config.ts" <<TS
import { definePackageTestConfig } from '../../vitest.shared';

export default definePackageTestConfig('$1');
TS
