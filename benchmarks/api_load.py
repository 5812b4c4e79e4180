"""Benchmark: the JSON API under load, 16 concurrent clients on loopback.

Run by the harness as a child process on one generated data set:

    .venv/bin/python -m benchmarks.api_load --size 100000 --database sqlite

It starts `scoretrack serve` (`make run`'s server, with its default processes
and threads) on a free port of 127.0.0.1 for the data set's database, issues an
API token to a global administrator, then sends a fixed number of requests per
endpoint from 16 clients (kept-alive connections driven by one asyncio loop, so
that the client costs the shared cores little; the server is another process)
and reports p50 / p95 latency and requests/s for:
- list: `GET /api/v1/enterprises?limit=100`, pages spread over the table;
- detail: `GET /api/v1/enterprises/{id}` of ids taken from the list;
- indicator values: `GET /api/v1/indicators/values?code=smes_trained&by=country`;
- the reference, a bare Django view returning a constant: `GET /livez` (no auth,
  no query): the cost of the server and Django's middleware, the floor of any
  request;
- the catalogue, `GET /api/v1/indicators`: token auth, throttle and JSON rendering
  of the API, no query of the data.
Goal (issue 7): p95 under 100 ms for lists, under 30 ms for details.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.common import ROOT, Measure, Result, bench_user, django_setup, emit, say

CLIENTS = 16
REQUESTS = 2000  # per endpoint, shared by the clients
SLOW_REQUESTS = 400  # for the indicator values, a whole-programme count each
GOALS_MS = {"list": 100.0, "detail": 30.0}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int) -> subprocess.Popen:
    env = {**os.environ, "API_THROTTLE": "100000000/min", "DEBUG": "0"}
    command = [str(Path(sys.executable).parent / "scoretrack"), "serve", "--port", str(port)]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 300  # a collect of the static files first: a minute
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start")


class Client:
    """One kept-alive HTTP/1.1 connection on asyncio streams, reopened when closed.

    The load generator shares the machine's cores with the server, so it must
    cost little per request: one event loop in one thread, requests written and
    responses read as bytes (no GIL handed between 16 client threads, whose waits
    would count as the server's latency).
    """

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.head = f"Host: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n\r\n".encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> tuple[int, bytes]:
        for attempt in (1, 2):
            try:
                if self.writer is None:
                    self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
                assert self.reader is not None
                self.writer.write(b"GET " + path.encode() + b" HTTP/1.1\r\n" + self.head)
                head = await self.reader.readuntil(b"\r\n\r\n")
                status, length, closes = parse_head(head)
                body = await self.reader.readexactly(length)
                if closes:
                    self.close()
                return status, body
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def parse_head(head: bytes) -> tuple[int, int, bool]:
    """Status, Content-Length and whether the server closes, from a response's head."""
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    fields = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        fields[name.strip().lower()] = value.strip()
    if "content-length" not in fields:
        raise SystemExit(f"a response without Content-Length: {lines[0]}")
    return status, int(fields["content-length"]), fields.get("connection", "").lower() == "close"


def load(
    port: int, token: str, paths: Callable[[int], str], count: int
) -> tuple[list[float], float]:
    """Latencies (s) of `count` requests from CLIENTS clients, and the wall time."""
    return asyncio.run(_load(port, token, paths, count))


async def _load(
    port: int, token: str, paths: Callable[[int], str], count: int
) -> tuple[list[float], float]:
    latencies: list[float] = []
    counter = iter(range(count))

    async def work() -> None:
        client = Client(port, token)
        try:
            for n in counter:  # shared: each request is taken by one client
                start = time.perf_counter()
                status, _body = await client.get(paths(n))
                latencies.append(time.perf_counter() - start)
                if status != 200:
                    raise SystemExit(f"{paths(n)} answered {status}")
        finally:
            client.close()

    began = time.perf_counter()
    await asyncio.gather(*(work() for _ in range(CLIENTS)))
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
        cursors = [None]
        for _ in range(7):  # a few pages' cursors, so that lists read across the table
            path = f"/api/v1/enterprises?limit=100&cursor={cursors[-1] or ''}"
            _status, body = asyncio.run(Client(port, token).get(path))
            cursors.append(json.loads(body)["next"])
        cursors = [c for c in cursors if c] or [""]
        endpoints: dict[str, Callable[[int], str]] = {
            "bare view": lambda n: "/livez",
            "catalogue": lambda n: "/api/v1/indicators",
            "list": lambda n: f"/api/v1/enterprises?limit=100&cursor={cursors[n % len(cursors)]}",
            "detail": lambda n: f"/api/v1/enterprises/{ids[n % len(ids)]}",
            "indicator values": lambda n: "/api/v1/indicators/values?code=smes_trained&by=country",
        }
        measured = {}
        for name, paths in endpoints.items():
            count = SLOW_REQUESTS if name == "indicator values" else REQUESTS
            load(port, token, paths, count // 4)  # warm: connections, caches, the page cache
            latencies, wall = load(port, token, paths, count)
            measured[name] = (latencies, wall)
            say(
                f"api {name}: p50 {percentile(latencies, 50) * 1000:.1f} ms, "
                f"p95 {percentile(latencies, 95) * 1000:.1f} ms, {count / wall:.0f} req/s"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    emit(results(args, measured))


def results(args: argparse.Namespace, measured: dict[str, tuple[list[float], float]]) -> list:
    bare = measured["bare view"][0]
    ref_p95 = Measure("p95 of a bare Django view (/livez, a constant)", "s", [percentile(bare, 95)])
    catalogue = measured["catalogue"][0]
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
                    f"{len(latencies) / wall:.0f} requests/s ({len(latencies)} requests); "
                    f"the API's own floor, the catalogue (token, throttle, JSON, no data "
                    f"query): p95 {percentile(catalogue, 95) * 1000:.1f} ms"
                ],
            )
        )
    return out


if __name__ == "__main__":
    main()
