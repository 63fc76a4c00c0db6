#!/usr/bin/env bash
# The Attio app's tests, offline after the npm install: install the locked dependencies
# without their install scripts, type-check, run the unit tests (vitest, attio/client and
# attio/server replaced by local fakes), and build the app as Attio installs it (attio build
# needs no login). Exits non-zero at the first failing step.
#   Needs node >= 18 and npm (Debian 12: apt-get install nodejs npm).
set -euo pipefail
app=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$app"

current="setup"
step() {
  current="$*"
  printf '\n==> attio-app: %s\n' "$*"
}
trap 'status=$?; [ $status -eq 0 ] || printf "\nattio-app: FAILED at step: %s\n" "$current"' EXIT

step "node and npm"
command -v node >/dev/null || { echo "node is not installed (Debian: apt-get install nodejs npm)"; exit 1; }
command -v npm >/dev/null || { echo "npm is not installed (Debian: apt-get install npm)"; exit 1; }
node_major=$(node -p 'process.versions.node.split(".")[0]')
echo "node $(node --version), npm $(npm --version)"
if [ "$node_major" -lt 18 ]; then
  echo "node >= 18 is needed (vitest 3 and the attio CLI), found $(node --version)"
  exit 1
fi

step "npm ci --ignore-scripts (package-lock.json, exact versions)"
# No install scripts run: esbuild's binary comes as its platform package
# (@esbuild/linux-x64), and the attio CLI's keytar (the login keychain) is not needed to build.
npm ci --ignore-scripts --no-audit --no-fund

bin="$app/node_modules/.bin"

step "type-check (tsc --noEmit)"
"$bin/tsc" --noEmit

step "unit tests (vitest run)"
"$bin/vitest" run

step "attio build"
rm -rf dist
"$bin/attio" build
# The bundle Attio installs: both actions, the settings page, the five server functions.
for expected in add-to-lemlist-campaign bulk-add-to-lemlist-campaign '"workspace-settings": \[page_default\]'; do
  grep -q "$expected" dist/index.js || { echo "dist/index.js lacks $expected"; exit 1; }
done
for fn in enroll-one submit-enrollment-batch get-enrollment-job list-campaigns sync-subscriptions; do
  grep -q "modules.set(\"server/$fn.server\"" dist/server.js || { echo "dist/server.js lacks server/$fn.server"; exit 1; }
done
ls -l dist

printf '\nattio-app: ALL STEPS PASSED\n'
