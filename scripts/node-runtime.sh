#!/usr/bin/env bash
# Prints the bin directory of an official Node.js build, fetched once from the npm registry into a
# cache outside the repository: the job of a hosted CI's setup-node step, on machines that reach
# only the npm registry. The `node` package installs these same binaries through its dependency
# `node-linux-<arch>`, which also ships the headers (include/node) that a native build needs;
# fetching that package directly skips the install script that would do it.
#
#   scripts/node-runtime.sh 24.21.0    # -> ~/.cache/activation-guide/node/24.21.0/bin
#   PATH="$(scripts/node-runtime.sh 24.21.0):$PATH" npm test
#
# NODE_RUNTIME_CACHE moves the cache (default: $XDG_CACHE_HOME or ~/.cache, /activation-guide/node).
set -euo pipefail

version="${1:?usage: node-runtime.sh VERSION (for example 24.21.0)}"
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "node-runtime: no official Node.js build on the npm registry for $(uname -m)" >&2; exit 1 ;;
esac
cache="${NODE_RUNTIME_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/activation-guide/node}"
dir="$cache/$version"

if [ ! -x "$dir/bin/node" ] || [ "$("$dir/bin/node" --version 2>/dev/null)" != "v$version" ]; then
  mkdir -p "$cache"
  work="$(mktemp -d "$cache/.fetch-$version.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  echo "node-runtime: fetching node-linux-$arch@$version from the npm registry" >&2
  tarball="$(cd "$work" && npm pack --silent "node-linux-$arch@$version")"
  mkdir -p "$work/unpacked"
  tar -xzf "$work/$tarball" -C "$work/unpacked" --strip-components=1
  [ "$("$work/unpacked/bin/node" --version)" = "v$version" ] || {
    echo "node-runtime: node-linux-$arch@$version did not unpack a working node v$version" >&2
    exit 1
  }
  # Node's own tarball layout: node-gyp finds the headers at <prefix>/include/node.
  rm -rf "$dir"
  mv "$work/unpacked" "$dir"
fi
echo "$dir/bin"
