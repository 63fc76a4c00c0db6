#!/usr/bin/env python3
"""Offline checks of the deployment files against the code they deploy.

Run by deploy/check-deploy.sh (python3 with python3-yaml, Debian 12). One line per check:
`ok    <name>` or `FAIL  <name>` followed by the problems; exit 1 if any check failed.

What the code is taken from (read, not built):
  common/amqp/topology.hpp|.cpp    queue names, retry ladder, queue arguments
  common/core/settings.cpp         the environment variables the services read
  **/*.cpp                         metric names (counter_family, add_gauge, …)
  CMakeLists.txt                   the LAS_BUILD_TESTS option
  deploy/install-deps.sh           the Debian packages of the build
"""

import glob
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEPLOY = os.path.join(ROOT, "deploy")


def read(rel):
    with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
        return f.read()


def load_yaml_docs(rel):
    with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


# --------------------------------------------------------------------------------------
# What the code says
# --------------------------------------------------------------------------------------

def contract_topology():
    """The exchanges, queues and bindings common/amqp/topology.cpp declares, derived from
    its source. Raises ValueError when the source no longer has the expected shape (then
    both the definitions file and this function need a look)."""
    hpp = read("common/amqp/topology.hpp")
    cpp = read("common/amqp/topology.cpp")
    problems = []

    ladder = re.findall(r'\{\s*std::chrono::seconds\((\d+)\)\s*,\s*"([^"]+)"\s*\}', hpp)
    if not ladder:
        problems.append("topology.hpp: retry_ladder entries {std::chrono::seconds(N), \"suffix\"} not found")
    size = re.search(r"std::array<retry_rung,\s*(\d+)>\s*retry_ladder", hpp)
    if not size or int(size.group(1)) != len(ladder):
        problems.append("topology.hpp: retry_ladder size does not match its entries")
    bases = [re.search(r'%s\s*=\s*"([^"]+)"' % name, hpp)
             for name in ("lemlist_events_name", "attio_enrollments_name")]
    if not all(bases):
        problems.append("topology.hpp: lemlist_events_name / attio_enrollments_name not found")
    requests = re.search(r'sync_requests_name\s*=\s*"([^"]+)"', hpp)
    if not requests:
        problems.append("topology.hpp: sync_requests_name not found")

    # The shape of plan_for() and of the declaration arguments, as this checker models it.
    expected_source = [
        (cpp, r'dlq_\(base_ \+ "\.dlq"\)', 'pipeline: dlq = base + ".dlq"'),
        (cpp, r'base_ \+ "\.retry\." \+ std::string\(retry_ladder\[i\]\.suffix\)',
         'pipeline: retry queue = base + ".retry." + suffix'),
        (cpp, r'plan\.exchanges\.push_back\(\{p\.exchange\(\), "direct"\}\)', "plan_for: one direct exchange"),
        (cpp, r'plan\.queues\.push_back\(\{p\.queue\(\), queue_kind::quorum, std::nullopt, std::nullopt, std::nullopt\}\)',
         "plan_for: main queue quorum, no other arguments"),
        (cpp, r'\{p\.retry_queue\(i\), queue_kind::classic,\s*std::chrono::duration_cast<std::chrono::milliseconds>'
              r'\(retry_ladder\[i\]\.delay\),\s*p\.exchange\(\), p\.routing_key\(\)\}',
         "plan_for: retry queues classic, ttl = delay, dead-letter to (exchange, routing key)"),
        (cpp, r'plan\.queues\.push_back\(\{p\.dlq\(\), queue_kind::quorum, std::nullopt, std::nullopt, std::nullopt\}\)',
         "plan_for: dlq quorum, no other arguments"),
        (cpp, r'plan\.bindings\.push_back\(\{p\.queue\(\), p\.exchange\(\), p\.routing_key\(\)\}\)',
         "plan_for: queue bound to its exchange with the routing key"),
        (cpp, r'for \(const pipeline\* p : \{&lemlist_events\(\), &attio_enrollments\(\)\}\)',
         "contract_topology: both pipelines"),
        (cpp, r'plan\.queues\.push_back\(\{std::string\(sync_requests_name\), queue_kind::classic, std::nullopt, '
              r'std::nullopt, std::nullopt\}\)',
         "contract_topology: the sync.requests queue, classic, no arguments"),
        (cpp, r'"x-queue-type"\)[\s\S]{0,200}"quorum"', 'declare: x-queue-type "quorum" for quorum queues only'),
        (cpp, r'"x-message-ttl"', "declare: x-message-ttl"),
        (cpp, r'"x-dead-letter-exchange"', "declare: x-dead-letter-exchange"),
        (cpp, r'"x-dead-letter-routing-key"', "declare: x-dead-letter-routing-key"),
        # passive=0 durable=1 exclusive=0 auto_delete=0 / passive=0 durable=1 auto_delete=0 internal=0
        (cpp, r'amqp_queue_declare\(state, ch, as_bytes\(q\.name\), 0, 1, 0, 0, table\)', "declare: queues durable"),
        (cpp, r'amqp_exchange_declare\(state, ch, as_bytes\(x\.name\), as_bytes\(x\.type\), 0, 1, 0, 0,',
         "declare: exchanges durable"),
        (hpp, r'std::string_view routing_key\(\)|const std::string& routing_key\(\) const noexcept \{ return base_; \}',
         "pipeline: routing key = base name"),
    ]
    for text, pattern, what in expected_source:
        if not re.search(pattern, text):
            problems.append("topology source changed shape (%s); update deploy/rabbitmq/definitions.json "
                            "and contract_topology() in deploy/check_manifests.py together" % what)
    if problems:
        raise ValueError("\n".join(problems))

    exchanges, queues, bindings = {}, {}, set()
    for m in bases:
        base = m.group(1)
        exchanges[base] = "direct"
        queues[base] = {"x-queue-type": "quorum"}
        for seconds, suffix in ladder:
            queues["%s.retry.%s" % (base, suffix)] = {
                "x-message-ttl": int(seconds) * 1000,
                "x-dead-letter-exchange": base,
                "x-dead-letter-routing-key": base,
            }
        queues[base + ".dlq"] = {"x-queue-type": "quorum"}
        bindings.add((base, base, base))
    queues[requests.group(1)] = {}  # classic, through the default exchange: no binding
    return exchanges, queues, bindings


def pipeline_names():
    hpp = read("common/amqp/topology.hpp")
    return [re.search(r'%s\s*=\s*"([^"]+)"' % n, hpp).group(1)
            for n in ("lemlist_events_name", "attio_enrollments_name")]


def known_env_vars():
    """Every environment variable common/core/settings.cpp reads."""
    src = read("common/core/settings.cpp")
    names = set(re.findall(r'env::[a-z_]+\(\s*e\s*,\s*"([A-Z0-9_]+)"', src))
    names |= set(re.findall(r'string_or\(e, "([A-Z0-9_]+)"', src))
    if "LOG_LEVEL" in src:
        names.add("LOG_LEVEL")
    if "LOG_FORMAT" in src:
        names.add("LOG_FORMAT")
    return names


# Variables of the manifests that the services do not read: helpers composed into AMQP_URL.
HELPER_ENV = {"AMQP_USER", "AMQP_PASSWORD"}


def exported_metrics():
    """Metric names the C++ code registers (names without _bucket/_sum/_count)."""
    names = set()
    files = [f for d in ("common", "ingest-gateway", "sync-worker")
             for f in glob.glob(os.path.join(ROOT, d, "**", "*.cpp"), recursive=True)]
    call = re.compile(r'(?:counter_family|gauge_family|histogram_family|add_counter|add_gauge|add_histogram|'
                      r'add_callback_gauge)\(\s*"([a-z_:][a-z0-9_:]*)"')
    for f in files:
        with open(f, encoding="utf-8") as fh:
            src = fh.read()
        names |= set(call.findall(src))
        # outbound::call_metrics: std::string(provider) + "_api_calls_total", providers elsewhere.
        for suffix in re.findall(r'std::string\(provider\)\s*\+\s*"(_[a-z0-9_]+)"', src):
            names.add("<provider>" + suffix)
    providers = set()
    for f in files:
        with open(f, encoding="utf-8") as fh:
            providers |= set(re.findall(r'call_metrics>\(\s*registry_\s*,\s*"([a-z]+)"\s*\)', fh.read()))
    for n in [n for n in names if n.startswith("<provider>")]:
        names.discard(n)
        for p in providers:
            names.add(p + n[len("<provider>"):])
    return names


# rabbitmq_prometheus metric names the rules and dashboard may use (deps/rabbitmq_prometheus
# metrics.md and metrics-detailed.md), plus Prometheus' own `up`.
BROKER_METRICS = {
    "rabbitmq_detailed_queue_messages",
    "rabbitmq_detailed_queue_messages_ready",
    "rabbitmq_detailed_queue_messages_unacked",
    "rabbitmq_detailed_queue_consumers",
    "rabbitmq_global_messages_dead_lettered_delivery_limit_total",
    "rabbitmq_identity_info",
    "rabbitmq_build_info",
}


# --------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------

CHECKS = []


def check(name):
    def register(fn):
        CHECKS.append((name, fn))
        return fn
    return register


@check("rabbitmq definitions match common/amqp/topology.cpp")
def check_definitions():
    errors = []
    exchanges, queues, bindings = contract_topology()
    with open(os.path.join(DEPLOY, "rabbitmq", "definitions.json"), encoding="utf-8") as f:
        d = json.load(f)
    got_x = {x["name"]: x for x in d.get("exchanges", [])}
    if set(got_x) != set(exchanges):
        errors.append("exchanges: file has %s, code declares %s" % (sorted(got_x), sorted(exchanges)))
    for name, x in got_x.items():
        want = {"vhost": "/", "type": exchanges.get(name), "durable": True, "auto_delete": False,
                "internal": False, "arguments": {}}
        for k, v in want.items():
            if x.get(k) != v:
                errors.append("exchange %s: %s is %r, the code declares %r" % (name, k, x.get(k), v))
    got_q = {q["name"]: q for q in d.get("queues", [])}
    if set(got_q) != set(queues):
        errors.append("queues: missing %s, extra %s" % (sorted(set(queues) - set(got_q)),
                                                         sorted(set(got_q) - set(queues))))
    for name, q in got_q.items():
        if name not in queues:
            continue
        if q.get("vhost") != "/" or q.get("durable") is not True or q.get("auto_delete") is not False:
            errors.append("queue %s: must be vhost /, durable, not auto_delete" % name)
        if q.get("arguments") != queues[name]:
            errors.append("queue %s: arguments %s, the code declares %s (PRECONDITION_FAILED at start-up)"
                          % (name, json.dumps(q.get("arguments"), sort_keys=True),
                             json.dumps(queues[name], sort_keys=True)))
    got_b = {(b["source"], b["destination"], b["routing_key"]) for b in d.get("bindings", [])
             if b.get("destination_type") == "queue" and b.get("vhost") == "/"}
    if got_b != bindings or len(d.get("bindings", [])) != len(bindings):
        errors.append("bindings: file has %s, code declares %s" % (sorted(got_b), sorted(bindings)))
    # Policies: every quorum queue needs an explicit delivery limit on RabbitMQ 4, and one
    # policy at most may match a queue (RabbitMQ applies only the highest-priority one).
    policies = d.get("policies", [])
    for name, args in queues.items():
        matching = [p for p in policies if p.get("vhost") == "/" and p.get("apply-to") in ("queues", "all", "quorum_queues")
                    and re.search(p["pattern"], name)]
        if len(matching) > 1:
            errors.append("queue %s: matched by several policies %s" % (name, [p["name"] for p in matching]))
        if args.get("x-queue-type") == "quorum":
            if not matching or "delivery-limit" not in matching[0]["definition"]:
                errors.append("quorum queue %s: no policy with an explicit delivery-limit (RabbitMQ 4 drops at 20)" % name)
                continue
            definition = matching[0]["definition"]
            if name.endswith(".dlq"):
                if definition["delivery-limit"] != -1:
                    errors.append("DLQ %s: delivery-limit must be -1 (dlq list/show return messages)" % name)
            elif definition["delivery-limit"] != -1:
                rk = definition.get("dead-letter-routing-key")
                if definition.get("dead-letter-exchange") != "" or rk != name + ".dlq":
                    errors.append("queue %s: a finite delivery-limit needs dead-lettering to %s.dlq" % (name, name))
    return errors


def k8s_objects():
    objs = []
    for path in sorted(glob.glob(os.path.join(DEPLOY, "k8s", "*.yaml"))):
        for doc in load_yaml_docs(os.path.relpath(path, ROOT)):
            objs.append((os.path.relpath(path, ROOT), doc))
    return objs


def pod_specs(objs):
    """(file, kind, name, pod spec, pod labels) of every workload."""
    out = []
    for path, o in objs:
        kind = o.get("kind")
        if kind in ("Deployment", "StatefulSet", "Job"):
            t = o["spec"]["template"]
            out.append((path, kind, o["metadata"]["name"], t["spec"], t["metadata"].get("labels", {}), o))
    return out


SECRET_NAME = re.compile(r"(SECRET|TOKEN|PASSWORD|API_KEY)")
URL_WITH_CREDENTIALS = re.compile(r"^[a-z]+://[^/@]*:[^/@]*@")


def env_problems(where, env, known, secret_backed):
    """Secret-looking variables must be secretKeyRef'd; URLs with credentials may only be
    composed of $(VAR) references to secretKeyRef'd variables; names must be known (when
    `known` is given: containers of the product's image)."""
    errors = []
    for e in env:
        n = e["name"]
        if known is not None and n not in known and n not in HELPER_ENV:
            errors.append("%s: %s is not a variable the services read (common/core/settings.cpp)" % (where, n))
        if "value" in e:
            v = str(e["value"])
            if SECRET_NAME.search(n):
                errors.append("%s: %s has an inline value; reference a Secret" % (where, n))
            if URL_WITH_CREDENTIALS.match(v):
                refs = re.findall(r"\$\(([A-Z0-9_]+)\)", v)
                userinfo = v.split("://", 1)[1].split("@", 1)[0]
                if re.sub(r"\$\([A-Z0-9_]+\)", "", userinfo) != ":" or not all(r in secret_backed for r in refs):
                    errors.append("%s: %s carries credentials that are not $(VAR) of Secret-backed variables" % (where, n))
        elif "valueFrom" in e:
            vf = e["valueFrom"]
            if SECRET_NAME.search(n) and "secretKeyRef" not in vf:
                errors.append("%s: %s must come from a secretKeyRef" % (where, n))
    return errors


@check("k8s workloads: probes, resources, non-root, read-only root, Secrets only referenced")
def check_k8s_workloads():
    errors = []
    objs = k8s_objects()
    known = known_env_vars()
    for path, kind, name, spec, labels, obj in pod_specs(objs):
        where = "%s %s/%s" % (path, kind, name)
        psc = spec.get("securityContext", {})
        if psc.get("runAsNonRoot") is not True or not psc.get("runAsUser"):
            errors.append("%s: pod securityContext needs runAsNonRoot: true and a non-zero runAsUser" % where)
        mounts_ok = {v["name"] for v in spec.get("volumes", [])}
        if kind == "StatefulSet":
            mounts_ok |= {t["metadata"]["name"] for t in obj["spec"].get("volumeClaimTemplates", [])}
        for c in spec.get("containers", []):
            cw = "%s container %s" % (where, c["name"])
            res = c.get("resources", {})
            for k in ("cpu", "memory"):
                if k not in res.get("requests", {}):
                    errors.append("%s: resources.requests.%s missing" % (cw, k))
            if "memory" not in res.get("limits", {}):
                errors.append("%s: resources.limits.memory missing" % cw)
            sc = c.get("securityContext", {})
            if sc.get("allowPrivilegeEscalation") is not False:
                errors.append("%s: allowPrivilegeEscalation must be false" % cw)
            if sc.get("readOnlyRootFilesystem") is not True:
                errors.append("%s: readOnlyRootFilesystem must be true" % cw)
            if "ALL" not in sc.get("capabilities", {}).get("drop", []):
                errors.append("%s: capabilities.drop must include ALL" % cw)
            if sc.get("runAsUser") == 0 or sc.get("runAsNonRoot") is False:
                errors.append("%s: runs as root" % cw)
            if kind in ("Deployment", "StatefulSet"):
                for p in ("livenessProbe", "readinessProbe"):
                    if p not in c:
                        errors.append("%s: %s missing" % (cw, p))
            for m in c.get("volumeMounts", []):
                if m["name"] not in mounts_ok:
                    errors.append("%s: volumeMount %s has no volume" % (cw, m["name"]))
            if c.get("envFrom"):
                errors.append("%s: envFrom hides which variables are set; list them" % cw)
            env = c.get("env", [])
            secret_backed = {e["name"] for e in env if "secretKeyRef" in e.get("valueFrom", {})}
            ours = "lemlist-attio-sync" in c.get("image", "")
            errors += env_problems(cw, env, known if ours else None, secret_backed)
            # Writable directories the services need under a read-only root.
            values = {e["name"]: e.get("value") for e in env}
            writable = {m["mountPath"] for m in c.get("volumeMounts", []) if not m.get("readOnly")}
            for var in ("SPOOL_DIR", "STATE_DIR"):
                if var in values and values[var] not in writable:
                    errors.append("%s: %s=%s is not a writable volume mount" % (cw, var, values[var]))
    for path, o in objs:
        if o.get("kind") == "Secret":
            errors.append("%s: a Secret in the applied manifests; Secrets are created apart "
                          "(deploy/k8s/examples/secret.example.yaml)" % path)
    for path in glob.glob(os.path.join(DEPLOY, "k8s", "examples", "*.yaml")):
        for o in load_yaml_docs(os.path.relpath(path, ROOT)):
            if o.get("kind") == "Secret":
                for k, v in {**o.get("stringData", {}), **o.get("data", {})}.items():
                    if v != "CHANGE-ME":
                        errors.append("%s: %s is not the placeholder CHANGE-ME" % (os.path.relpath(path, ROOT), k))
    return errors


def container(spec, name):
    return next(c for c in spec["containers"] if c["name"] == name)


def port_number(c, port):
    if isinstance(port, int):
        return port
    return next((p["containerPort"] for p in c.get("ports", []) if p.get("name") == port), None)


@check("k8s services: commands, ports, probe routes, Jobs, RabbitmqCluster")
def check_k8s_services():
    errors = []
    objs = k8s_objects()
    pods = {(k, n): (s, labels, o) for _, k, n, s, labels, o in pod_specs(objs)}
    by_kind = {}
    for _, o in objs:
        by_kind.setdefault(o["kind"], []).append(o)

    gw = [(k, n) for (k, n) in pods if n == "ingest-gateway"]
    wk = [(k, n) for (k, n) in pods if n == "sync-worker"]
    if len(gw) != 1 or len(wk) != 1:
        return ["expected one ingest-gateway and one sync-worker workload, got %s / %s" % (gw, wk)]

    def env_of(c):
        return {e["name"]: e.get("value") for e in c.get("env", [])}

    # gateway: ingest-gateway on GATEWAY_LISTEN, probes /healthz and /readyz on that port.
    spec, labels, _ = pods[gw[0]]
    c = container(spec, "ingest-gateway")
    env = env_of(c)
    if c.get("command") != ["ingest-gateway"]:
        errors.append("gateway: command must be [ingest-gateway], got %s" % c.get("command"))
    listen = int(env.get("GATEWAY_LISTEN", "0.0.0.0:8080").rsplit(":", 1)[1])
    for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz"), ("startupProbe", "/healthz")):
        if probe in c:
            g = c[probe]["httpGet"]
            if g["path"] != path or port_number(c, g["port"]) != listen:
                errors.append("gateway %s: must GET %s on %d, is %s on %s" % (probe, path, listen, g["path"], g["port"]))
    # The spool's volume must be bigger than SPOOL_MAX_BYTES.
    sts = pods[gw[0]][2]
    if gw[0][0] == "StatefulSet":
        size = sts["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"]
        units = {"Mi": 2 ** 20, "Gi": 2 ** 30, "Ti": 2 ** 40}
        m = re.match(r"^(\d+)(Mi|Gi|Ti)$", size)
        if not m or int(env.get("SPOOL_MAX_BYTES", 1 << 30)) >= int(m.group(1)) * units[m.group(2)]:
            errors.append("gateway: SPOOL_MAX_BYTES must stay below the spool volume (%s)" % size)

    # worker: sync-worker run, probes on METRICS_LISTEN.
    spec, wlabels, _ = pods[wk[0]]
    c = container(spec, "sync-worker")
    env = env_of(c)
    if c.get("command") != ["sync-worker", "run"]:
        errors.append("worker: command must be [sync-worker, run], got %s" % c.get("command"))
    if "METRICS_LISTEN" not in env:
        errors.append("worker: METRICS_LISTEN must be set (probes and /metrics)")
    else:
        mport = int(env["METRICS_LISTEN"].rsplit(":", 1)[1])
        for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz"), ("startupProbe", "/healthz")):
            if probe in c:
                g = c[probe]["httpGet"]
                if g["path"] != path or port_number(c, g["port"]) != mport:
                    errors.append("worker %s: must GET %s on %d" % (probe, path, mport))
    if "REDIS_URL" not in env:
        errors.append("worker: a scaled pool needs REDIS_URL")
    if "replicas" in pods[wk[0]][2]["spec"]:
        errors.append("worker: no spec.replicas (KEDA owns the count)")

    # One-shot Jobs: provision and subscriptions sync.
    job_cmds = [container(s, s["containers"][0]["name"]).get("command") for (k, _), (s, _, _) in pods.items() if k == "Job"]
    for cmd in (["sync-worker", "provision"], ["sync-worker", "subscriptions", "sync"]):
        if cmd not in job_cmds:
            errors.append("no Job runs %s" % " ".join(cmd))

    # Services, PDBs and the HPA select / target what exists.
    for svc in by_kind.get("Service", []):
        sel = svc["spec"].get("selector", {})
        target = [(k, n) for (k, n), (s, lab, _) in pods.items() if k != "Job" and sel and all(lab.get(a) == b for a, b in sel.items())]
        if not target:
            errors.append("Service %s selects no workload" % svc["metadata"]["name"])
        for p in svc["spec"]["ports"]:
            s = pods[target[0]][0] if target else None
            if s and port_number(s["containers"][0], p["targetPort"]) is None:
                errors.append("Service %s: targetPort %s is no container port" % (svc["metadata"]["name"], p["targetPort"]))
    for pdb in by_kind.get("PodDisruptionBudget", []):
        sel = pdb["spec"]["selector"]["matchLabels"]
        if not any(k != "Job" and all(lab.get(a) == b for a, b in sel.items()) for (k, _), (_, lab, _) in pods.items()):
            errors.append("PodDisruptionBudget %s selects no workload" % pdb["metadata"]["name"])
    hpas = by_kind.get("HorizontalPodAutoscaler", [])
    if not any(h["spec"]["scaleTargetRef"]["name"] == "ingest-gateway"
               and (h["spec"]["scaleTargetRef"]["kind"], "ingest-gateway") in pods for h in hpas):
        errors.append("no HorizontalPodAutoscaler targets the gateway workload")
    if not any(p["metadata"]["name"] == "ingest-gateway" or p["spec"]["selector"]["matchLabels"] == {"app.kubernetes.io/name": "ingest-gateway"}
               for p in by_kind.get("PodDisruptionBudget", [])):
        errors.append("no PodDisruptionBudget for the gateway")

    # The broker.
    clusters = by_kind.get("RabbitmqCluster", [])
    if len(clusters) != 1:
        errors.append("expected one RabbitmqCluster, got %d" % len(clusters))
    else:
        rc = clusters[0]
        if rc["spec"].get("replicas") != 3:
            errors.append("RabbitmqCluster: replicas must be 3 (quorum queues)")
        m = re.search(r":(\d+)\.", rc["spec"].get("image", ""))
        if not m or int(m.group(1)) < 4:
            errors.append("RabbitmqCluster: image must be RabbitMQ 4.x (delivery-limit -1 in the definitions)")
        host = "%s-default-user" % rc["metadata"]["name"]
        for _, k, n, s, _, _ in pod_specs(objs):
            for c in s["containers"]:
                for e in c.get("env", []):
                    ref = e.get("valueFrom", {}).get("secretKeyRef")
                    if ref and ref["name"].endswith("-default-user") and ref["name"] != host:
                        errors.append("%s/%s: %s refers to %s, the operator makes %s" % (k, n, e["name"], ref["name"], host))
                    if e["name"] == "AMQP_URL" and "@%s:5672/" % rc["metadata"]["name"] not in str(e.get("value", "")):
                        errors.append("%s/%s: AMQP_URL must point at the Service %s:5672" % (k, n, rc["metadata"]["name"]))
    jobs = [o for o in by_kind.get("Job", []) if o["metadata"]["name"] == "las-rabbitmq-definitions"]
    if not jobs or "/api/definitions" not in " ".join(jobs[0]["spec"]["template"]["spec"]["containers"][0]["command"]):
        errors.append("no Job posts deploy/rabbitmq/definitions.json to /api/definitions")
    return errors


@check("k8s KEDA ScaledObject: targets the worker Deployment, on the contract's queues")
def check_keda():
    errors = []
    objs = [o for _, o in k8s_objects()]
    sos = [o for o in objs if o["kind"] == "ScaledObject"]
    auths = {o["metadata"]["name"]: o for o in objs if o["kind"] == "TriggerAuthentication"}
    deployments = {o["metadata"]["name"] for o in objs if o["kind"] == "Deployment"}
    if len(sos) != 1:
        return ["expected one ScaledObject, got %d" % len(sos)]
    so = sos[0]
    ref = so["spec"]["scaleTargetRef"]
    if ref.get("kind", "Deployment") != "Deployment" or ref["name"] != "sync-worker" or ref["name"] not in deployments:
        errors.append("scaleTargetRef must be the Deployment sync-worker, is %s" % ref)
    if so["spec"].get("minReplicaCount", 0) < 1:
        errors.append("minReplicaCount must be at least 1 (enrollment ?wait=true replies need a worker)")
    queues = []
    for t in so["spec"]["triggers"]:
        md = t.get("metadata", {})
        if t["type"] != "rabbitmq":
            errors.append("trigger %s is not rabbitmq" % t.get("name"))
            continue
        queues.append(md.get("queueName"))
        if md.get("mode") != "QueueLength" or not str(md.get("value", "")).isdigit():
            errors.append("trigger %s: mode QueueLength with a whole value" % md.get("queueName"))
        if "@" in md.get("host", ""):
            errors.append("trigger %s: credentials inline in host; use the TriggerAuthentication" % md.get("queueName"))
        a = t.get("authenticationRef", {}).get("name")
        if a not in auths:
            errors.append("trigger %s: authenticationRef %s does not exist" % (md.get("queueName"), a))
        else:
            for s in auths[a]["spec"].get("secretTargetRef", []):
                if not s.get("name") or not s.get("key"):
                    errors.append("TriggerAuthentication %s: secretTargetRef needs name and key" % a)
    if sorted(queues) != sorted(pipeline_names()):
        errors.append("triggers on %s, the contract's queues are %s" % (sorted(queues), sorted(pipeline_names())))
    return errors


def compose():
    with open(os.path.join(DEPLOY, "compose.yaml"), encoding="utf-8") as f:
        return yaml.safe_load(f)


INTERPOLATION = re.compile(r"\$\{([A-Z0-9_]+)(:?[-?][^}]*)?\}")


@check("compose: services, scaling, healthchecks, env names, secrets from the env file")
def check_compose():
    errors = []
    c = compose()
    s = c["services"]
    known = known_env_vars()
    for need in ("rabbitmq", "rabbitmq-definitions", "redis", "gateway", "worker", "prometheus", "grafana"):
        if need not in s:
            errors.append("service %s missing" % need)
    if errors:
        return errors
    for obs in ("prometheus", "grafana"):
        if s[obs].get("profiles") != ["observability"]:
            errors.append("%s must be in the observability profile only" % obs)
    if s["worker"].get("command") != ["sync-worker", "run"]:
        errors.append("worker: command must be [sync-worker, run]")
    if "container_name" in s["worker"] or s["worker"].get("ports"):
        errors.append("worker: no container_name and no host ports, or --scale worker=N fails")
    if s["gateway"].get("command") != ["ingest-gateway"]:
        errors.append("gateway: command must be [ingest-gateway]")
    tools = {tuple(v.get("command", [])): k for k, v in s.items()}
    for cmd in (("sync-worker", "provision"), ("sync-worker", "subscriptions", "sync")):
        k = tools.get(cmd)
        if not k or not s[k].get("profiles"):
            errors.append("no one-off service (with a profile, so `up` skips it) runs %s" % " ".join(cmd))
    # Healthchecks: gateway /readyz on GATEWAY_LISTEN, worker /healthz on METRICS_LISTEN.
    gport = s["gateway"]["environment"]["GATEWAY_LISTEN"].rsplit(":", 1)[1]
    gtest = " ".join(s["gateway"].get("healthcheck", {}).get("test", []))
    if "/dev/tcp/127.0.0.1/%s" % gport not in gtest or "GET /readyz " not in gtest:
        errors.append("gateway healthcheck must GET /readyz on port %s" % gport)
    wenv = s["worker"]["environment"]
    if "METRICS_LISTEN" not in wenv:
        errors.append("worker: METRICS_LISTEN must be set")
    else:
        wport = wenv["METRICS_LISTEN"].rsplit(":", 1)[1]
        wtest = " ".join(s["worker"].get("healthcheck", {}).get("test", []))
        if "/dev/tcp/127.0.0.1/%s" % wport not in wtest or "GET /healthz " not in wtest:
            errors.append("worker healthcheck must GET /healthz on METRICS_LISTEN port %s" % wport)
        prom = read("deploy/observability/prometheus/prometheus.yml")
        if "port: %s" % wport not in prom:
            errors.append("prometheus.yml does not scrape the worker on METRICS_LISTEN port %s" % wport)
    # Redis with AOF; RabbitMQ 4.x with both plugins.
    if "--appendonly yes" not in " ".join(s["redis"].get("command", [])):
        errors.append("redis: --appendonly yes missing")
    m = re.match(r"rabbitmq:(\d+)\.", s["rabbitmq"]["image"])
    if not m or int(m.group(1)) < 4:
        errors.append("rabbitmq: image must be 4.x (delivery-limit -1 in the definitions)")
    plugins = read("deploy/rabbitmq/enabled_plugins")
    if "rabbitmq_management" not in plugins or "rabbitmq_prometheus" not in plugins:
        errors.append("enabled_plugins: rabbitmq_management and rabbitmq_prometheus")
    if not any("enabled_plugins" in v for v in s["rabbitmq"].get("volumes", [])):
        errors.append("rabbitmq: deploy/rabbitmq/enabled_plugins not mounted")
    if "/api/definitions" not in " ".join(s["rabbitmq-definitions"].get("command", [])):
        errors.append("rabbitmq-definitions: must POST the definitions to /api/definitions")
    # Environment: names the services read; secrets only through ${VAR} from the env file.
    las_services = [k for k, v in s.items() if "deploy/Dockerfile" in str(v.get("build", {}).get("dockerfile", ""))]
    for k in las_services:
        for n, v in (s[k].get("environment") or {}).items():
            if n not in known:
                errors.append("%s: %s is not a variable the services read (common/core/settings.cpp)" % (k, n))
            v = str(v)
            if SECRET_NAME.search(n) and not INTERPOLATION.fullmatch(v):
                errors.append("%s: %s must be exactly ${VAR} from the env file" % (k, n))
            if URL_WITH_CREDENTIALS.match(v):
                userinfo = v.split("://", 1)[1].split("@", 1)[0]
                if INTERPOLATION.sub("", userinfo) != ":":
                    errors.append("%s: %s carries inline credentials" % (k, n))
    for k, v in s.items():
        for n, val in (v.get("environment") or {}).items():
            if SECRET_NAME.search(n) and not INTERPOLATION.fullmatch(str(val)):
                errors.append("%s: %s must be exactly ${VAR} from the env file" % (k, n))
    # The env example: every variable compose requires, secrets only as placeholders.
    example = {}
    for line in read("deploy/compose.env.example").splitlines():
        if line.strip() and not line.startswith("#"):
            k, _, v = line.partition("=")
            example[k] = v
    text = read("deploy/compose.yaml")
    required = {m.group(1) for m in INTERPOLATION.finditer(text) if (m.group(2) or "").startswith(":?")}
    for r in sorted(required - set(example)):
        errors.append("compose.env.example lacks %s (required by compose.yaml)" % r)
    for k, v in example.items():
        if SECRET_NAME.search(k) and not v.startswith("change-me"):
            errors.append("compose.env.example: %s must be a change-me placeholder" % k)
    return errors


@check("Dockerfile: Debian 12 stages, build like install-deps.sh, LAS_BUILD_TESTS=OFF, non-root")
def check_dockerfile():
    errors = []
    df = read("deploy/Dockerfile")
    lines = df.replace("\\\n", " ").splitlines()
    froms = [l.split()[1] for l in lines if l.startswith("FROM ")]
    if len(froms) < 2 or froms[0] != "debian:bookworm" or not froms[-1].startswith("debian:bookworm"):
        errors.append("stages must be FROM debian:bookworm (build) … FROM debian:bookworm[-slim] (runtime), got %s" % froms)
    if not re.search(r'option\(LAS_BUILD_TESTS\b', read("CMakeLists.txt")):
        errors.append("CMakeLists.txt has no LAS_BUILD_TESTS option")
    for flag in ("-DLAS_BUILD_TESTS=OFF", "-G Ninja", "-DCMAKE_BUILD_TYPE=Release"):
        if flag not in df:
            errors.append("the build must use %s" % flag)
    stages = re.split(r"^FROM ", df, flags=re.M)[1:]
    build_stage = stages[0].replace("\\\n", " ")
    m = re.search(r"apt-get install -y -q --no-install-recommends\s+(.*?)\s*&&", build_stage, re.S)
    build_pkgs = set(m.group(1).split()) if m else set()
    deps = read("deploy/install-deps.sh")
    pm = re.search(r"packages=\((.*?)\)", deps, re.S)
    install_pkgs = set(re.sub(r"#.*", "", pm.group(1)).split()) if pm else set()
    if not build_pkgs or not install_pkgs:
        errors.append("could not read the package lists of the Dockerfile build stage / install-deps.sh")
    for p in sorted(build_pkgs - install_pkgs):
        errors.append("build stage installs %s, which deploy/install-deps.sh does not" % p)
    needed = {p for p in install_pkgs if p.endswith("-dev")} | {"build-essential", "cmake", "ninja-build", "pkg-config"}
    for p in sorted(needed - build_pkgs):
        errors.append("build stage lacks %s from deploy/install-deps.sh" % p)
    user = [l.split()[1] for l in lines if l.startswith("USER ")]
    if not user or user[-1].split(":")[0] in ("0", "root") or not user[-1].split(":")[0].isdigit():
        errors.append("the runtime stage must end with a numeric non-root USER")
    for exe in ("ingest-gateway", "sync-worker"):
        if not re.search(r"COPY --from=build .*\b%s\b" % exe, df):
            errors.append("%s is not copied into the runtime stage" % exe)
    runtime = stages[-1]
    if re.search(r"\b(build-essential|cmake|ninja-build|[a-z0-9.+-]+-dev)\b", runtime):
        errors.append("the runtime stage installs build tools or -dev packages")
    ignore = read(".dockerignore")
    for keep in ("!CMakeLists.txt", "!common", "!ingest-gateway", "!sync-worker", "!deploy/config/example.toml"):
        if keep not in ignore.split():
            errors.append(".dockerignore must keep %s in the context" % keep[1:])
    return errors


def promql_exprs():
    """(where, expr) of every alert rule and dashboard query."""
    out = []
    for path in sorted(glob.glob(os.path.join(DEPLOY, "observability", "prometheus", "rules", "*.yml"))):
        for g in load_yaml_docs(os.path.relpath(path, ROOT))[0]["groups"]:
            for r in g["rules"]:
                out.append(("%s %s" % (os.path.relpath(path, ROOT), r.get("alert") or r.get("record")), r["expr"]))
    for path in sorted(glob.glob(os.path.join(DEPLOY, "observability", "grafana", "dashboards", "*.json"))):
        with open(path, encoding="utf-8") as f:
            dash = json.load(f)
        for p in dash["panels"]:
            for t in p.get("targets", []):
                out.append(("%s panel %r" % (os.path.relpath(path, ROOT), p["title"]), t["expr"]))
    return out


@check("metric names in alert rules and dashboard exist in the code or rabbitmq_prometheus")
def check_metric_names():
    errors = []
    exported = exported_metrics()
    if len(exported) < 20:
        return ["found only %d metric names in the sources; the extraction broke" % len(exported)]
    for where, expr in promql_exprs():
        bare = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
        for name in set(re.findall(r"\b((?:gateway|worker|attio|lemlist|rabbitmq)_[a-z0-9_]+)\b", bare)):
            base = re.sub(r"_(bucket|sum|count)$", "", name)
            if name not in exported and base not in exported and name not in BROKER_METRICS:
                errors.append("%s: %s is not exported by the code (nor a known rabbitmq_prometheus metric)" % (where, name))
    return errors


@check("dashboard: valid JSON, every query parses (promtool), datasource uid provisioned")
def check_dashboard():
    errors = []
    prov = load_yaml_docs("deploy/observability/grafana/provisioning/datasources/prometheus.yml")[0]
    uids = {d["uid"] for d in prov["datasources"]}
    for path in sorted(glob.glob(os.path.join(DEPLOY, "observability", "grafana", "dashboards", "*.json"))):
        with open(path, encoding="utf-8") as f:
            dash = json.load(f)
        ids = [p["id"] for p in dash["panels"]]
        if len(ids) != len(set(ids)):
            errors.append("%s: panel ids repeat" % path)
        for p in dash["panels"]:
            if p["type"] != "row" and p.get("datasource", {}).get("uid") not in uids:
                errors.append("%s: panel %r uses a datasource uid not provisioned" % (path, p["title"]))
    rules = [{"record": "las:dashboard_query_%d" % i, "expr": expr.replace("$__rate_interval", "5m")}
             for i, (_, expr) in enumerate(promql_exprs())]
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
        yaml.safe_dump({"groups": [{"name": "dashboard-queries", "rules": rules}]}, f)
        tmp = f.name
    try:
        r = subprocess.run(["promtool", "check", "rules", tmp], capture_output=True, text=True)
        if r.returncode != 0:
            errors.append("promtool rejects a query:\n" + (r.stdout + r.stderr).strip())
    finally:
        os.unlink(tmp)
    return errors


@check("prometheus-k8s.yml: same jobs as prometheus.yml; promtool accepts it with static targets")
def check_prometheus_k8s():
    # Debian's prometheus package is built without Kubernetes service discovery, so promtool
    # cannot read kubernetes_sd_configs: check everything else (relabelling, params, rules)
    # with the discovery swapped for a static target.
    errors = []
    base = os.path.join(DEPLOY, "observability", "prometheus")
    k8s = load_yaml_docs("deploy/observability/prometheus/prometheus-k8s.yml")[0]
    compose_cfg = load_yaml_docs("deploy/observability/prometheus/prometheus.yml")[0]
    jobs = lambda cfg: {j["job_name"]: (j.get("metrics_path", "/metrics"), j.get("params")) for j in cfg["scrape_configs"]}
    if jobs(k8s) != jobs(compose_cfg):
        errors.append("jobs differ: %s vs %s" % (jobs(k8s), jobs(compose_cfg)))
    for j in k8s["scrape_configs"]:
        if j.pop("kubernetes_sd_configs", None) is None:
            errors.append("job %s has no kubernetes_sd_configs" % j["job_name"])
        j["static_configs"] = [{"targets": ["placeholder:1"]}]
    k8s["rule_files"] = [os.path.join(base, r) for r in k8s["rule_files"]]
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
        yaml.safe_dump(k8s, f)
        tmp = f.name
    try:
        r = subprocess.run(["promtool", "check", "config", tmp], capture_output=True, text=True)
        if r.returncode != 0:
            errors.append("promtool: " + (r.stdout + r.stderr).strip())
    finally:
        os.unlink(tmp)
    return errors


def main():
    failed = 0
    for name, fn in CHECKS:
        try:
            errors = fn()
        except Exception as e:  # a check that cannot run is a failed check
            errors = ["%s: %s" % (type(e).__name__, e)]
        if errors:
            failed += 1
            print("FAIL  %s" % name)
            for e in errors:
                for i, line in enumerate(str(e).splitlines()):
                    print("      %s%s" % ("- " if i == 0 else "  ", line))
        else:
            print("ok    %s" % name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
