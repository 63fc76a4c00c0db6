"""End-to-end harness: starts the real binaries (emulators, gateway, workers) on loopback,
always stops them, and inspects RabbitMQ with an independent client (pika) and the
emulators through their inspection routes.

Environment: LAS_BINARY_DIR (the build tree), LAS_TEST_AMQP_URL (a running broker),
LAS_TEST_REDIS_URL (for pool tests). Every test fails loudly when one is missing."""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import pika

from verify import has_identity, verify

EVENTS_QUEUE = "lemlist.events"
EVENTS_DLQ = "lemlist.events.dlq"
RETRY_QUEUES = [f"lemlist.events.retry.{d}" for d in ("5s", "30s", "2m", "10m", "1h")]
ATTIO_KEY = "attio-e2e-key"
LEMLIST_KEY = "lemlist-e2e-key"
WEBHOOK_SECRET = "e2e-webhook-secret"
ADMIN_TOKEN = "e2e-admin-token"  # the gateway's ADMIN_API_TOKEN (the /v1/ routes)
REQUESTS_QUEUE = "sync.requests"


def require_env(name):
    value = os.environ.get(name)
    if not value:
        sys.exit(f"FAIL: {name} is not set (run the tests through deploy/test.sh)")
    return value


def binary(*parts):
    path = os.path.join(require_env("LAS_BINARY_DIR"), *parts)
    if not os.access(path, os.X_OK):
        sys.exit(f"FAIL: {path} is not built")
    return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


class Service:
    """A child process whose stdout/stderr go to files; `ready` is a regex on stdout whose
    first group (if any) is returned as the port."""

    def __init__(self, name, argv, env, workdir, ready=None, timeout=30):
        self.name = name
        self.argv = argv
        self.env = env
        self.workdir = workdir
        self.out_path = os.path.join(workdir, f"{name}.out")
        self.err_path = os.path.join(workdir, f"{name}.err")
        self.port = None
        self.proc = None
        self.ready = ready
        self.timeout = timeout
        self.start()

    def start(self):
        with open(self.out_path, "ab") as out, open(self.err_path, "ab") as err:
            full_env = dict(os.environ)
            full_env.update(self.env)
            offset = os.path.getsize(self.out_path)
            self.proc = subprocess.Popen(self.argv, env=full_env, stdout=out, stderr=err, cwd=self.workdir)
        if self.ready:
            deadline = time.time() + self.timeout
            pattern = re.compile(self.ready)
            while time.time() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"{self.name} exited with {self.proc.returncode}: {self.tail()}")
                with open(self.out_path, "r", errors="replace") as f:
                    f.seek(offset)
                    m = pattern.search(f.read())
                if m:
                    if m.groups():
                        self.port = int(m.group(1))
                    return
                time.sleep(0.05)
            raise RuntimeError(f"{self.name} not ready in {self.timeout}s: {self.tail()}")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=40):
        if not self.alive():
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError(f"{self.name} did not stop within {timeout}s after SIGTERM")

    def kill(self):
        if self.alive():
            self.proc.kill()
            self.proc.wait()

    def tail(self, n=30):
        out = []
        for path in (self.out_path, self.err_path):
            try:
                with open(path, "r", errors="replace") as f:
                    out += f.read().splitlines()[-n:]
            except OSError:
                pass
        return "\n".join(out)


def http(method, url, body=None, headers=None, timeout=30):
    data = None
    hdrs = dict(headers or {})
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        hdrs.setdefault("Content-Type", "application/json")
    req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw = r.read()
            status = r.status
    except urllib.error.HTTPError as e:
        raw = e.read()
        status = e.code
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw.decode(errors="replace")


class Broker:
    def __init__(self, url=None):
        self.url = url or require_env("LAS_TEST_AMQP_URL")

    def _channel(self):
        conn = pika.BlockingConnection(pika.URLParameters(self.url))
        return conn, conn.channel()

    def purge(self, queues):
        conn, ch = self._channel()
        try:
            for q in queues:
                try:
                    ch.queue_purge(q)
                except pika.exceptions.ChannelClosedByBroker:  # not declared yet
                    ch = conn.channel()
        finally:
            conn.close()

    def depth(self, queue):
        conn, ch = self._channel()
        try:
            return ch.queue_declare(queue, passive=True).method.message_count
        except pika.exceptions.ChannelClosedByBroker:
            return 0
        finally:
            conn.close()

    def depths(self, queues):
        return {q: self.depth(q) for q in queues}

    def take_all(self, queue):
        """Removes and returns every message of `queue` as (properties, body) pairs."""
        conn, ch = self._channel()
        out = []
        try:
            while True:
                method, props, body = ch.basic_get(queue, auto_ack=True)
                if method is None:
                    return out
                out.append((props, body))
        finally:
            conn.close()


class Sandbox:
    """The product on loopback: emulators, gateway, N workers; always torn down."""

    def __init__(self, name, attio_args=(), worker_env=None, workers=1, redis=False, rate_scale=20, catch_all_hook=True,
                 amqp_url=None, worker_amqp_urls=(), redis_url=None):
        self.dir = tempfile.mkdtemp(prefix=f"las-e2e-{name}-")
        self.services = []
        self.workers = []
        self.broker = Broker(amqp_url)  # the gateway's broker too
        self.worker_amqp_urls = list(worker_amqp_urls)  # per worker index, else the gateway's
        self.redis_url = (redis_url or require_env("LAS_TEST_REDIS_URL")) if redis else None
        self.rate_scale = rate_scale
        self.attio_args = list(attio_args)
        self.worker_env = dict(worker_env or {})
        self.worker_count = workers
        self.catch_all_hook = catch_all_hook  # False: the test subscribes (e.g. `subscriptions sync`)
        self.failed = False

    # -- lifecycle ----------------------------------------------------------------------
    def __enter__(self):
        try:
            self._start()
        except BaseException:
            self.failed = True
            self.close()
            raise
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            self.failed = True
        self.close()
        return False

    def close(self):
        for s in reversed(self.services):
            try:
                s.stop(timeout=40)
            except Exception as e:  # noqa: BLE001 - teardown must go on
                log(f"teardown: {e}")
                s.kill()
        if self.failed or os.environ.get("LAS_E2E_KEEP"):
            log(f"logs kept in {self.dir}")
            if self.failed:
                for s in self.services:
                    log(f"--- {s.name} (tail) ---\n{s.tail(15)}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def _start(self):
        self.broker.purge([EVENTS_QUEUE, EVENTS_DLQ, REQUESTS_QUEUE] + RETRY_QUEUES)
        if self.redis_url:
            flush_redis(self.redis_url)
        scale = "off" if self.rate_scale is None else str(self.rate_scale)
        self.attio = self._service("attio-emulator",
                                   [binary("tests", "emulators", "attio", "attio-emulator"), "--listen", "127.0.0.1:0",
                                    "--api-key", ATTIO_KEY, "--rate-limit", scale, "--seed", "7"] + self.attio_args,
                                   ready=r"listening on 127\.0\.0\.1:(\d+)")
        self.lemlist = self._service("lemlist-emulator",
                                     [binary("tests", "emulators", "lemlist", "lemlist-emulator"), "--listen",
                                      "127.0.0.1:0", "--api-key", LEMLIST_KEY, "--rate-limit", "off"],
                                     ready=r"listening on 127\.0\.0\.1:(\d+)")
        self.gateway = self._service("ingest-gateway", [binary("ingest-gateway", "ingest-gateway")],
                                     env={"GATEWAY_LISTEN": "127.0.0.1:0", "AMQP_URL": self.broker.url,
                                          "LEMLIST_WEBHOOK_SECRET": WEBHOOK_SECRET, "ADMIN_API_TOKEN": ADMIN_TOKEN,
                                          "SPOOL_DIR": os.path.join(self.dir, "spool"), "GATEWAY_IO_THREADS": "1"},
                                     ready=r"listening on 127\.0\.0\.1:(\d+)")
        self.attio_url = f"http://127.0.0.1:{self.attio.port}"
        self.lemlist_url = f"http://127.0.0.1:{self.lemlist.port}"
        self.gateway_url = f"http://127.0.0.1:{self.gateway.port}"
        code, out = self.worker_command(["provision"])
        if code != 0:
            raise RuntimeError(f"provision failed ({code}): {out}")
        if self.catch_all_hook:
            status, hook = http("POST", self.lemlist_url + "/api/hooks",
                                {"targetUrl": self.gateway_url + "/webhooks/lemlist", "secret": WEBHOOK_SECRET},
                                headers=lemlist_auth())
            if status != 200:
                raise RuntimeError(f"hook creation failed: {status} {hook}")
        for i in range(self.worker_count):
            self.start_worker(i)

    def _service(self, name, argv, env=None, ready=None):
        s = Service(name, argv, env or {}, self.dir, ready=ready)
        self.services.append(s)
        return s

    def worker_env_for(self, index):
        scale = self.rate_scale or 1000
        amqp_url = self.worker_amqp_urls[index] if index < len(self.worker_amqp_urls) else self.broker.url
        env = {"AMQP_URL": amqp_url, "ATTIO_BASE_URL": self.attio_url, "ATTIO_API_KEY": ATTIO_KEY,
               "LEMLIST_BASE_URL": self.lemlist_url, "LEMLIST_API_KEY": LEMLIST_KEY,
               "STATE_DIR": os.path.join(self.dir, "state"), "LOG_LEVEL": "info",
               "ATTIO_READS_PER_SECOND": str(100 * scale), "ATTIO_WRITES_PER_SECOND": str(25 * scale),
               "METRICS_LISTEN": f"127.0.0.1:{free_port()}"}
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        env.update(self.worker_env)
        return env

    def start_worker(self, index):
        env = self.worker_env_for(index)
        w = Service(f"sync-worker-{index}", [binary("sync-worker", "sync-worker"), "run"], env, self.dir)
        w.metrics_url = "http://" + env["METRICS_LISTEN"]
        self.services.append(w)
        if index < len(self.workers):
            self.workers[index] = w
        else:
            self.workers.append(w)
        wait_for(lambda: ready(w), 30, f"{w.name} ready")
        return w

    def worker_command(self, args, extra_env=None):
        env = dict(os.environ)
        env.update(self.worker_env_for(0))
        env.pop("METRICS_LISTEN")
        env.update(extra_env or {})
        p = subprocess.run([binary("sync-worker", "sync-worker")] + args, env=env, capture_output=True, text=True,
                           timeout=120)
        return p.returncode, p.stdout + p.stderr

    # -- campaign -----------------------------------------------------------------------
    def play(self, **spec):
        status, progress = http("POST", self.lemlist_url + "/__emulator/play", spec)
        if status != 200:
            raise RuntimeError(f"play refused: {status} {progress}")
        return progress["id"]

    def play_progress(self, play_id):
        return http("GET", f"{self.lemlist_url}/__emulator/play/{play_id}")[1]

    def wait_play(self, play_id, timeout=600):
        def done():
            p = self.play_progress(play_id)
            return p if p["state"] != "running" else None
        p = wait_for(done, timeout, "deliveries finished")
        return p

    def truth(self, play_id):
        events, offset = [], 0
        while True:
            _, page = http("GET", f"{self.lemlist_url}/__emulator/events?play={play_id}&offset={offset}&limit=2000")
            events += page["events"]
            offset += len(page["events"])
            if not page["events"] or offset >= page["total"]:
                return events

    def attio_entries(self):
        return http("GET", self.attio_url + "/__emulator/entries?list=lemlist_events", timeout=120)[1]

    def attio_people(self):
        return http("GET", self.attio_url + "/__emulator/people", timeout=120)[1]

    def settle_and_verify(self, play_id, timeout=600):
        """Waits until the play's events settled, then checks Attio and the DLQ against them:
        (problems, summary) as verify.verify gives them."""
        truth = self.truth(play_id)
        landing = sum(1 for e in truth if has_identity(e["body"]))
        self.wait_settled(landing, len(truth) - landing, timeout=timeout)
        return verify(truth, self.attio_entries()["data"], self.attio_people()["data"],
                      self.broker.take_all(EVENTS_DLQ))

    def fail_on(self, problems):
        """Logs every problem and exits FAIL (keeping the logs) when there is any."""
        if problems:
            self.failed = True
            for p in problems:
                log(f"PROBLEM: {p}")
            sys.exit("FAIL")

    def in_flight(self):
        """Deliveries the live workers hold unacknowledged (a queue's depth counts only the
        ready ones), plus the People whose state is still pending (written behind the ack)."""
        total = 0
        for w in self.workers:
            if not w.alive():
                continue
            _, text = http("GET", w.metrics_url + "/metrics", timeout=5)
            for line in str(text).splitlines():
                if line.startswith("worker_in_flight ") or line.startswith("worker_person_state_pending{"):
                    total += int(float(line.split()[1]))
        return total

    def wait_settled(self, expected_entries, dlq_expected, timeout=600):
        """Until the entries and the DLQ hold what they should, the queues are empty and no
        worker holds a delivery, twice in a row (a requeue can land between two readings)."""
        calm = {"n": 0}

        def settled():
            entries = entry_list(self.attio_entries())
            depths = self.broker.depths([EVENTS_QUEUE, EVENTS_DLQ] + RETRY_QUEUES)
            busy = sum(v for k, v in depths.items() if k != EVENTS_DLQ) + self.in_flight()
            if len(entries) >= expected_entries and depths[EVENTS_DLQ] >= dlq_expected and busy == 0:
                calm["n"] += 1
            else:
                calm["n"] = 0
            return calm["n"] >= 2 or None
        last = {"t": 0}

        def progress():
            if time.time() - last["t"] > 10:
                last["t"] = time.time()
                log(f"  entries={len(entry_list(self.attio_entries()))}/{expected_entries} "
                    f"queues={self.broker.depths([EVENTS_QUEUE, EVENTS_DLQ] + RETRY_QUEUES[:2])}")
            return settled()
        wait_for(progress, timeout, "pipeline settled", interval=1)


def entry_list(dump):
    return dump["data"]


def lemlist_auth():
    import base64
    return {"Authorization": "Basic " + base64.b64encode((":" + LEMLIST_KEY).encode()).decode()}


def ready(worker):
    if not worker.alive():
        raise RuntimeError(f"{worker.name} exited: {worker.tail()}")
    try:
        status, _ = http("GET", worker.metrics_url + "/readyz", timeout=2)
        return status == 200
    except OSError:
        return False


def wait_for(predicate, timeout, what, interval=0.25):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")


def flush_redis(url):
    m = re.match(r"redis://(?::[^@]*@)?([^:/]+):(\d+)", url)
    host, port = m.group(1), int(m.group(2))
    with socket.create_connection((host, port), timeout=5) as s:
        s.sendall(b"*1\r\n$8\r\nFLUSHALL\r\n")
        if not s.recv(64).startswith(b"+OK"):
            raise RuntimeError("Redis FLUSHALL failed")
