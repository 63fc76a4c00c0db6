#!/usr/bin/env bash
# Checks the deployment files offline: no container engine, no cluster, no network.
#   bash deploy/check-deploy.sh
# Needs the Debian 12 packages prometheus (promtool), yamllint, docker-compose (v1) and
# python3-yaml. Prints one line per check and exits non-zero if any failed.
#
# What it does not do: build the image (no engine here) or apply the manifests (no
# cluster); the Dockerfile and the manifests are checked by deploy/check_manifests.py.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

missing=()
for tool in promtool:prometheus yamllint:yamllint docker-compose:docker-compose; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool##*:}")
done
# Debian's python3 with python3-yaml (a pyenv or venv python3 earlier in PATH may lack it).
python=/usr/bin/python3
[ -x "$python" ] || python=python3
"$python" -c 'import yaml' 2>/dev/null || missing+=(python3-yaml)
if [ ${#missing[@]} -ne 0 ]; then
  echo "check-deploy: missing ${missing[*]} (apt-get install ${missing[*]})" >&2
  exit 2
fi

failures=0
# run NAME COMMAND…: one line, and the command's output indented when it fails.
run() {
  local name=$1 out
  shift
  if out=$("$@" 2>&1); then
    echo "ok    $name"
  else
    echo "FAIL  $name"
    printf '%s\n' "$out" | sed 's/^/      /'
    failures=$((failures + 1))
  fi
}

compose=(docker-compose -p las -f deploy/compose.yaml --env-file deploy/compose.env.example)

run "yamllint (deploy/.yamllint)" \
  yamllint --strict -c deploy/.yamllint deploy/compose.yaml deploy/k8s deploy/observability deploy/.yamllint
run "json syntax: rabbitmq definitions, grafana dashboards" \
  "$python" -c 'import json, sys; [json.load(open(f)) for f in sys.argv[1:]]' \
  deploy/rabbitmq/definitions.json deploy/observability/grafana/dashboards/*.json
run "promtool check config prometheus.yml (compose)" \
  promtool check config deploy/observability/prometheus/prometheus.yml
run "promtool check rules" \
  promtool check rules deploy/observability/prometheus/rules/*.yml
run "promtool test rules (alerts fire on the real metric names)" \
  promtool test rules deploy/observability/prometheus/tests/*.yml
run "docker-compose config -q (default services)" "${compose[@]}" config -q
run "docker-compose config -q (--profile observability --profile tools)" \
  "${compose[@]}" --profile observability --profile tools config -q
run "bash -n deploy/check-deploy.sh" bash -n deploy/check-deploy.sh

# The manifest checks print their own ok/FAIL lines; count their failures with ours.
manifests_status=0
manifests=$("$python" deploy/check_manifests.py 2>&1) || manifests_status=$?
printf '%s\n' "$manifests"
manifests_failed=$(printf '%s\n' "$manifests" | grep -c '^FAIL' || true)
if [ "$manifests_status" -ne 0 ] && [ "$manifests_failed" -eq 0 ]; then
  manifests_failed=1  # it stopped before reporting (a traceback is above)
fi
failures=$((failures + manifests_failed))

if [ "$failures" -ne 0 ]; then
  echo "check-deploy: $failures check(s) failed"
  exit 1
fi
echo "check-deploy: all checks passed"
