#!/usr/bin/env python3
"""Fault: a 3-node RabbitMQ cluster loses the node holding the quorum queues' leader while a
campaign is delivered, then gets it back. The gateway publishes with confirms through another
node, two workers consume through the other two; every event answered 200 must land exactly
once, every Person's state must be what the events say.

The cluster is private (deploy/rabbitmq-cluster.sh, AMQP ports LAS_TEST_CLUSTER_PORT..+2,
default 5701) and stopped at the end whatever happens."""

import os
import shutil
import subprocess
import tempfile
import time

from harness import (EVENTS_QUEUE, RETRY_QUEUES, Broker, Sandbox, Service, binary, log, wait_for)

SOURCE = os.environ.get("LAS_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
FIRST_PORT = int(os.environ.get("LAS_TEST_CLUSTER_PORT", "5701"))
URLS = [f"amqp://guest:guest@127.0.0.1:{FIRST_PORT + i}/" for i in range(3)]


def cluster(*args):
    p = subprocess.run(["bash", os.path.join(SOURCE, "deploy", "rabbitmq-cluster.sh"), *map(str, args)],
                       env=dict(os.environ, LAS_CLUSTER_PORT=str(FIRST_PORT)), capture_output=True, text=True,
                       timeout=180)
    if p.returncode != 0:
        raise RuntimeError(f"rabbitmq-cluster.sh {' '.join(map(str, args))}: {p.stdout}{p.stderr}")
    return p.stdout.strip()


def declare_topology_on(url):
    """The services declare the topology when they connect, and a quorum queue's leader starts
    on the node its declarer is connected to: a gateway started once on node 1 puts every
    leader there, where no client of the test is connected."""
    workdir = tempfile.mkdtemp(prefix="las-e2e-cluster-declare-")
    g = Service("declare-gateway", [binary("ingest-gateway", "ingest-gateway")],
                {"GATEWAY_LISTEN": "127.0.0.1:0", "AMQP_URL": url, "SPOOL_DIR": os.path.join(workdir, "spool")},
                workdir, ready=r"listening on 127\.0\.0\.1:(\d+)")
    try:
        wait_for(lambda: Broker(url).depth(EVENTS_QUEUE) == 0 and queue_exists(url, EVENTS_QUEUE), 30,
                 "topology declared on node 1")
    finally:
        g.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def queue_exists(url, queue):
    import pika
    conn = pika.BlockingConnection(pika.URLParameters(url))
    try:
        conn.channel().queue_declare(queue, passive=True)
        return True
    except pika.exceptions.ChannelClosedByBroker:
        return False
    finally:
        if conn.is_open:
            conn.close()


def main():
    cluster("stop")  # leftovers of an interrupted run
    cluster("start")
    try:
        declare_topology_on(URLS[0])
        leader = int(cluster("leader", EVENTS_QUEUE))
        log(f"cluster up; {EVENTS_QUEUE} leader on node {leader}")
        others = [n for n in (1, 2, 3) if n != leader]
        gateway_url = URLS[others[0] - 1]
        worker_urls = [URLS[others[0] - 1], URLS[others[1] - 1]]
        with Sandbox("cluster", workers=2, redis=True, amqp_url=gateway_url, worker_amqp_urls=worker_urls,
                     worker_env={"CLAIM_LEASE_SECONDS": "5"}) as sb:
            play = sb.play(leads=150, seed=61, concurrency=4, rate=250)
            wait_for(lambda: sb.play_progress(play)["delivered"] > 300, 120, "a third of the campaign delivered")
            log(f"stopping node {leader} (the leader) at {sb.play_progress(play)['delivered']} deliveries")
            cluster("stop-node", leader)
            time.sleep(8)
            new_leader = int(cluster("leader", EVENTS_QUEUE))
            log(f"leader moved to node {new_leader}; deliveries go on: {sb.play_progress(play)['delivered']}")
            time.sleep(4)
            cluster("start-node", leader)
            log(f"node {leader} is back")
            progress = sb.wait_play(play)
            problems = []
            if progress["failed"]:
                problems.append(f"{progress['failed']} deliveries were not answered 200")
            if new_leader == leader:
                problems.append("the leader did not move: the test proved nothing")
            found, summary = sb.settle_and_verify(play, timeout=300)
            problems += found
            log(f"cluster failover: {summary}")
            sb.fail_on(problems)
    finally:
        cluster("stop")
    log("PASS")


if __name__ == "__main__":
    main()
