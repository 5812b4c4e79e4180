"""Benchmark: the JSON API under load, 16 concurrent clients on loopback.

Run by the harness as a child process on one generated data set:

    .venv/bin/python -m benchmarks.api_load --size 100000 --database sqlite

It starts `scoretrack serve` on a free port of 127.0.0.1 for the data set's
database, issues an API token to a global administrator, then sends a fixed
number of requests per endpoint from 16 clients (threads with a kept-alive
connection each; the GIL is held only between requests, the server is another
process) and reports p50 / p95 latency and requests/s for:
- list: `GET /api/v1/enterprises?limit=100`, pages spread over the table;
- detail: `GET /api/v1/enterprises/{id}` of ids taken from the list;
- indicator values: `GET /api/v1/indicators/values?code=smes_trained&by=country`;
- the reference: `GET /api/v1/indicators` (the catalogue: auth, throttle and JSON
  rendering, no query of the data), the floor of any API call here.
Goal (issue 7): p95 under 100 ms for lists, under 30 ms for details.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.common import ROOT, Measure, Result, bench_user, django_setup, emit, say

CLIENTS = 16
REQUESTS = 800  # per endpoint, shared by the clients
GOALS_MS = {"list": 100.0, "detail": 30.0}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int) -> subprocess.Popen:
    env = {**os.environ, "API_THROTTLE": "100000000/min", "DEBUG": "0"}
    command = [str(Path(sys.executable).parent / "scoretrack"), "serve", "--port", str(port)]
    command += ["--threads", str(CLIENTS)]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 300  # collectstatic first: a minute on a busy machine
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start")


class Client:
    """One kept-alive connection, reopened when the server closes it."""

    def __init__(self, port: int, token: str) -> None:
        self.port, self.headers = port, {"Authorization": f"Bearer {token}"}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def get(self, path: str) -> tuple[int, bytes]:
        for attempt in (1, 2):
            try:
                self.conn.request("GET", path, headers=self.headers)
                response = self.conn.getresponse()
                return response.status, response.read()
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def load(port: int, token: str, paths: Callable[[int], str]) -> tuple[list[float], float]:
    """Latencies (s) of REQUESTS requests from CLIENTS clients, and the wall time."""
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(REQUESTS))

    def work() -> None:
        client = Client(port, token)
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            start = time.perf_counter()
            status, _body = client.get(paths(n))
            took = time.perf_counter() - start
            if status != 200:
                raise SystemExit(f"{paths(n)} answered {status}")
            with lock:
                latencies.append(took)

    began = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        for future in [pool.submit(work) for _ in range(CLIENTS)]:
            future.result()
    return latencies, time.perf_counter() - began


def percentile(samples: list[float], share: float) -> float:
    return statistics.quantiles(samples, n=100)[int(share) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--runs", type=int, default=1)  # one load run is many samples
    args = parser.parse_args()
    django_setup()
    from scoretrack.accounts.models import ApiToken
    from scoretrack.enterprises.models import Enterprise

    _, token = ApiToken.issue(user=bench_user())
    ids = [str(pk) for pk in Enterprise.objects.values_list("id", flat=True)[:REQUESTS]]
    port = free_port()
    server = start_server(port)
    try:
        first = Client(port, token)
        cursors = [None]
        for _ in range(7):  # a few pages' cursors, so that lists read across the table
            _status, body = first.get(f"/api/v1/enterprises?limit=100&cursor={cursors[-1] or ''}")
            cursors.append(json.loads(body)["next"])
        cursors = [c for c in cursors if c] or [""]
        endpoints: dict[str, Callable[[int], str]] = {
            "reference": lambda n: "/api/v1/indicators",
            "list": lambda n: f"/api/v1/enterprises?limit=100&cursor={cursors[n % len(cursors)]}",
            "detail": lambda n: f"/api/v1/enterprises/{ids[n % len(ids)]}",
            "indicator values": lambda n: "/api/v1/indicators/values?code=smes_trained&by=country",
        }
        measured = {}
        for name, paths in endpoints.items():
            load(port, token, paths)  # warm: connections, caches, the page cache
            latencies, wall = load(port, token, paths)
            measured[name] = (latencies, wall)
            say(
                f"api {name}: p50 {percentile(latencies, 50) * 1000:.1f} ms, "
                f"p95 {percentile(latencies, 95) * 1000:.1f} ms, {REQUESTS / wall:.0f} req/s"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    emit(results(args, measured))


def results(args: argparse.Namespace, measured: dict[str, tuple[list[float], float]]) -> list:
    reference = measured["reference"][0]
    ref_p95 = Measure("p95 of the catalogue (no data query)", "s", [percentile(reference, 95)])
    out = []
    for name in ("list", "detail", "indicator values"):
        latencies, wall = measured[name]
        p95 = percentile(latencies, 95)
        goal = GOALS_MS.get(name)
        out.append(
            Result(
                benchmark=f"api: {name}",
                database=args.database,
                size=args.size,
                subject=Measure(f"p95 latency, {CLIENTS} clients", "s", [p95]),
                reference=ref_p95,
                goal=f"p95 < {goal:.0f} ms" if goal else "",
                met=(p95 * 1000 < goal) if goal else None,
                notes=[
                    f"p50 {percentile(latencies, 50) * 1000:.1f} ms, "
                    f"{REQUESTS / wall:.0f} requests/s ({REQUESTS} requests)"
                ],
            )
        )
    return out


if __name__ == "__main__":
    main()
