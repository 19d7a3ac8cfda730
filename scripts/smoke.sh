#!/usr/bin/env bash
# The quick start on whichever node is first on PATH: build, start dist/src/server.js as
# `npm start` does, answer a Bot Framework activity, hold a typed web chat conversation over the
# built-in Direct Line, and print nothing on stderr. .ci/run runs it on the oldest Node that
# package.json's engines admits, against node_modules installed by the primary one.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "smoke: node $(node --version)"
# fastText's WebAssembly module is a dynamic import, which jest runs only with this flag (test/README.md).
NODE_OPTIONS="${NODE_OPTIONS:-} --experimental-vm-modules --disable-warning=ExperimentalWarning" npx jest --forceExit test/quick-start
