#!/usr/bin/env bash
# `npm test`: every test, on a fresh machine too. Installs the Debian packages the tests start
# (redis-server, chromium) when they are missing, type-checks, runs jest, and ends with one plain
# line `tests: N passed, N failed` read from jest's JSON report.
set -euo pipefail
cd "$(dirname "$0")/.."

# package.json's engines, checked before anything runs: an older node fails later and less clearly
# (better-sqlite3's prebuilt addon crashes node 22 before 22.14). scripts/node-runtime.sh fetches one.
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a === 24 || (a === 22 && b >= 14) ? 0 : 1)'; then
  echo "test: node $(node --version) is not supported: use Node 24 LTS, or 22.14 or later" >&2
  echo "test: PATH=\"\$(scripts/node-runtime.sh 24.21.0):\$PATH\" npm test" >&2
  exit 1
fi

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if ((${#missing[@]})); then
  echo "test: installing ${missing[*]} from Debian"
  if [ "$(id -u)" -ne 0 ]; then
    echo "test: ${missing[*]} missing and not root; install them (apt-get install ${missing[*]}) and run again" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq -o DPkg::Lock::Timeout=300 --no-install-recommends "${missing[@]}" fonts-dejavu-core >/dev/null
fi

[ -d node_modules ] || npm ci --no-audit --no-fund

echo "test: type-checking"
npx tsc --noEmit -p tsconfig.json

# src/README.md's layers, no import cycles, dialogs/ pure, no botbuilder in src/understanding/.
echo "test: checking imports against the layers"
npx depcruise src dialogs --config .dependency-cruiser.cjs

# The intent models, trained once into dist/models as `npm start` does: every server the tests
# start loads them instead of training its own.
echo "test: building (trains the intent models)"
npm run --silent build

mkdir -p test/artifacts
report=test/artifacts/jest-report.json
rm -f "$report"
set +e
# A hard ceiling, so a stuck run fails instead of holding CI; --forceExit so a forgotten handle
# after the last test cannot keep the process alive.
# --throw-deprecation: a deprecated Node API called anywhere in a test (botbuilder's code path
# included) fails that test instead of printing a warning nobody reads.
NODE_OPTIONS="${NODE_OPTIONS:-} --throw-deprecation --experimental-vm-modules --disable-warning=ExperimentalWarning" \
  timeout --signal=TERM --kill-after=30 1200 npx jest --json --outputFile="$report" --forceExit "$@"
status=$?
set -e
if [ -f "$report" ]; then
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests + r.numRuntimeErrorTestSuites} failed`);
  ' "$report"
else
  echo "tests: 0 passed, 1 failed"
fi
exit $status
