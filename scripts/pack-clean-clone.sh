#!/usr/bin/env bash
# Packs the package as `npm publish` would, from a clean clone of the repository's HEAD (committed
# work only): clone, `npm ci` (devDependencies, no scripts: the build happens once, in the pack),
# `npm pack` (prepack empties dist/, prepare builds). Prints the tarball's path on stdout.
# Usage: scripts/pack-clean-clone.sh OUT_DIR
set -euo pipefail
if [ "$#" -ne 1 ]; then
  echo "usage: $0 OUT_DIR" >&2
  exit 2
fi
repository="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$1"
out="$(cd "$1" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

git clone --quiet "$repository" "$work/clone"
cd "$work/clone"
echo "Packing $(git log -1 --format='%h %s') from a clean clone" >&2
npm ci --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error >&2
npm pack --pack-destination "$out" --loglevel=error >&2
node -p 'const { name, version } = require("./package.json"); require("node:path").join(process.argv[1], `${name.replace(/^@/, "").replace("/", "-")}-${version}.tgz`)' "$out"
