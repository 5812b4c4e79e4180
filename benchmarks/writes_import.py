"""Benchmark: API writes during a 200,000-row import, beside the same writes on an idle database.

Run by the harness as a child process on one generated data set:

    .venv/bin/python -m benchmarks.writes_import --size 10000 --database sqlite

On a copy of the data set (its data folder copied on SQLite; `CREATE DATABASE
bench_writes_run TEMPLATE bench_SIZE_sSEED` on PostgreSQL) it starts `make run`'s
two processes, `scoretrack serve` (its default gunicorn processes) and `scoretrack
worker`, then measures the same API writes twice, from CLIENTS clients, each on a
kept-alive connection of its own, one request at a time: a new enterprise (POST
/api/v1/enterprises), then a change of it (PATCH with its version), and again.

1. idle: for IDLE_SECONDS, nothing else running (the reference);
2. during an import: from the upload of a workbook of ROWS rows to the end of its
   commit. The workbook is what a user imports to bring in a new cohort: a zip of
   CSV files with new enterprises, their enrolments in the data set's deliveries
   and two participants each (1 + 1 + 2 rows per firm). It is imported the way a
   user does it, through the web: log in, upload on /exchange/import/ (above
   IMPORT_BACKGROUND_BYTES, so the worker checks it), the job page polled every
   second as the browser does, the confirmation once checked (the worker commits
   it). `scoretrack import` in a subprocess would also load the database, but a
   user's import is the web's: its check and commit run in the worker beside the
   server, with the job's own writes (state, progress), as the issue measured.

Each write's latency and status are recorded: p50, p95, writes/s (answered 2xx)
and the count of each status class (2xx, 4xx, 503, other 5xx, no answer within
REQUEST_TIMEOUT) idle and during the import. Goals: no 5xx other than 503 (a
lock answered 503 + Retry-After, never 500); on PostgreSQL a p95 under 2 s
during the import.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import io
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from benchmarks.common import ROOT, Measure, Result, django_setup, emit, say
from benchmarks.datasets import Dataset, bench_dir, pg_server, psql

CLIENTS = 4
IDLE_SECONDS = 15.0
REQUEST_TIMEOUT = 180.0  # longer than gunicorn's 120 s: its own timeout shows as no answer
IMPORT_DEADLINE = 3600.0
P95_GOAL_S = 2.0
COPY_DB = "bench_writes_run"
CLASSES = ("2xx", "4xx", "503", "other 5xx", "no answer")


# --- the copy of the data set, its server and worker ---------------------------------


def copy_dataset(dataset: Dataset) -> dict[str, str]:
    """A fresh copy of the data set; the environment of processes working on it."""
    env = dataset.env()
    folder = bench_dir() / f"writes-{dataset.database}-run"
    shutil.rmtree(folder, ignore_errors=True)
    if dataset.database == "sqlite":
        shutil.copytree(dataset.data_dir, folder, ignore=shutil.ignore_patterns("cache", "imports"))
    else:
        folder.mkdir(parents=True)
        psql(f'DROP DATABASE IF EXISTS "{COPY_DB}"')
        psql(f'CREATE DATABASE "{COPY_DB}" TEMPLATE "{dataset.name}"')
        env["DATABASE_URL"] = f"{pg_server()}/{COPY_DB}"
    env["SCORETRACK_DATA_DIR"] = str(folder)
    env["API_THROTTLE"] = "100000000/min"  # the clients measure the database, not the throttle
    env["DEBUG"] = "0"
    return env


def drop_copy(database: str) -> None:
    shutil.rmtree(bench_dir() / f"writes-{database}-run", ignore_errors=True)
    if database == "postgresql":
        psql(f'DROP DATABASE IF EXISTS "{COPY_DB}"')


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(env: dict[str, str], port: int, log: Path) -> list[subprocess.Popen]:
    """`make run`'s server and worker; returns once the server answers /healthz."""
    scoretrack = str(Path(sys.executable).parent / "scoretrack")
    out = log.open("w")
    processes = [
        subprocess.Popen([scoretrack, "worker"], cwd=ROOT, env=env, stdout=out, stderr=out),
        subprocess.Popen(
            [scoretrack, "serve", "--port", str(port)], cwd=ROOT, env=env, stdout=out, stderr=out
        ),
    ]
    deadline = time.monotonic() + 300  # a first start collects the static files: a minute
    while time.monotonic() < deadline:
        if any(process.poll() is not None for process in processes):
            break
        try:
            if request(port, "GET", "/healthz", timeout=5)[0] == 200:
                return processes
        except OSError:
            time.sleep(0.2)
    stop(processes)
    raise SystemExit(f"the server or the worker did not start: see {log}")


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- HTTP ----------------------------------------------------------------------------


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = REQUEST_TIMEOUT,
    connection: http.client.HTTPConnection | None = None,
) -> tuple[int, bytes, http.client.HTTPResponse]:
    conn = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read(), response
    finally:
        if connection is None:
            conn.close()


def status_class(status: int | None) -> str:
    if status is None:
        return "no answer"
    if status == 503:
        return "503"
    if status >= 500:
        return "other 5xx"
    return f"{status // 100}xx"


@dataclass
class Writes:
    """The writes of one phase: (latency s, status class) of each, and its wall time."""

    samples: list[tuple[float, str]] = field(default_factory=list)
    wall: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, latency: float, status: int | None) -> None:
        with self.lock:
            self.samples.append((latency, status_class(status)))

    def latencies(self) -> list[float]:
        return [latency for latency, _ in self.samples]

    def counts(self) -> dict[str, int]:
        return {name: sum(1 for _, c in self.samples if c == name) for name in CLASSES}

    def percentile(self, share: int) -> float:
        values = self.latencies()
        if len(values) < 2:
            return values[0] if values else float("nan")
        return statistics.quantiles(values, n=100, method="inclusive")[share - 1]

    def rate(self) -> float:
        return self.counts()["2xx"] / self.wall if self.wall else 0.0

    def summary(self) -> str:
        counts = ", ".join(f"{n} {name}" for name, n in self.counts().items() if n)
        return (
            f"{len(self.samples):,} writes in {self.wall:.0f} s: p50 "
            f"{self.percentile(50) * 1000:.0f} ms, p95 {self.percentile(95) * 1000:.0f} ms, "
            f"{self.rate():.1f} writes/s answered 2xx ({counts})"
        )


def writer(
    port: int, token: str, country: str, name: str, writes: Writes, done: threading.Event
) -> None:
    """One client: create an enterprise, change it, again, until `done`."""
    head = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    n = 0
    try:
        while not done.is_set():
            n += 1
            key = f"{name}-{n}"
            body = {"key": key, "name": f"Write benchmark {key}", "country": country}
            status, answer = timed_write(
                conn, port, "POST", "/api/v1/enterprises", body, head, writes
            )
            if status != 201 or done.is_set():
                continue
            item = json.loads(answer)
            change = {"version": item["version"], "workforce_female": n % 50}
            path = f"/api/v1/enterprises/{item['id']}"
            timed_write(conn, port, "PATCH", path, change, head, writes)
    finally:
        conn.close()


def timed_write(
    conn: http.client.HTTPConnection,
    port: int,
    method: str,
    path: str,
    body: dict[str, Any],
    head: dict[str, str],
    writes: Writes,
) -> tuple[int | None, bytes]:
    started = time.perf_counter()
    try:
        status, answer, response = request(
            port, method, path, json.dumps(body).encode(), head, connection=conn
        )
        if response.will_close:
            conn.close()  # reopened by the next request
    except (OSError, http.client.HTTPException):
        conn.close()
        status, answer = None, b""
    writes.add(time.perf_counter() - started, status)
    return status, answer


def run_writers(
    port: int, token: str, country: str, phase: str, writes: Writes, done: threading.Event
) -> list[threading.Thread]:
    run = secrets.token_hex(3)
    threads = [
        threading.Thread(
            target=writer, args=(port, token, country, f"BW-{phase}-{run}-{i}", writes, done)
        )
        for i in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    return threads


# --- the user's import -----------------------------------------------------------------


def workbook(rows: int, deliveries: list[tuple[str, str]]) -> bytes:
    """A zip of CSV: ROWS rows in all, a new firm (1 row) enrolled in a delivery of its
    country (1 row) with two participants (2 rows), and again."""
    firms = rows // 4
    sheets = {
        "enterprises.csv": [["key", "name", "country", "sector", "workforce_female"]],
        "enrolments.csv": [["delivery", "enterprise", "status"]],
        "participants.csv": [["delivery", "enterprise", "sex", "role", "person", "satisfaction"]],
    }
    batch = uuid.uuid4().hex[:6]
    for n in range(firms):
        delivery, country = deliveries[n % len(deliveries)]
        key = f"IMP{batch}-{n:07d}"
        sheets["enterprises.csv"].append([key, f"Imported firm {n}", country, "Textiles", "12"])
        sheets["enrolments.csv"].append([delivery, key, "enrolled"])
        for person, (sex, role) in enumerate((("female", "manager"), ("male", "worker"))):
            row = [delivery, key, sex, role, f"{key}-P{person}", str(1 + n % 5)]
            sheets["participants.csv"].append(row)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, table in sheets.items():
            text = io.StringIO()
            csv.writer(text).writerows(table)
            archive.writestr(name, text.getvalue())
    return buffer.getvalue()


class Browser:
    """A user's browser: a session cookie and the CSRF token, one connection."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def send(
        self, method: str, path: str, body: bytes | None = None, kind: str | None = None
    ) -> tuple[int, bytes, http.client.HTTPResponse]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if kind:
            headers["Content-Type"] = kind
        if method == "POST":
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        status, answer, response = request(self.port, method, path, body, headers)
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return status, answer, response

    def log_in(self, email: str, password: str) -> None:
        self.send("GET", "/login/")
        form = urlencode({"username": email, "password": password}).encode()
        status, _, _ = self.send("POST", "/login/", form, "application/x-www-form-urlencoded")
        if status != 302:
            raise SystemExit(f"the benchmark's user could not log in ({status})")

    def upload(self, name: str, content: bytes) -> str:
        """The job id the upload redirects to."""
        boundary = uuid.uuid4().hex
        body = (
            (
                f"--{boundary}\r\n"
                f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'
                f"Content-Type: application/zip\r\n\r\n"
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        status, answer, response = self.send(
            "POST", "/exchange/import/", body, f"multipart/form-data; boundary={boundary}"
        )
        found = re.search(r"/exchange/import/([0-9a-f-]{36})/", response.getheader("Location", ""))
        if status != 302 or not found:
            raise SystemExit(f"the upload was refused ({status}): {answer[:500]!r}")
        return found.group(1)


@dataclass
class ImportRun:
    rows: int
    upload_s: float = 0.0
    check_s: float = 0.0
    commit_s: float = 0.0
    state: str = ""
    error: str = ""
    page_statuses: dict[int, int] = field(default_factory=dict)

    def summary(self) -> str:
        pages = ", ".join(f"{n} × {status}" for status, n in sorted(self.page_statuses.items()))
        return (
            f"the import of {self.rows:,} rows through the web and the worker: upload "
            f"{self.upload_s:.1f} s, check {self.check_s:.0f} s, commit {self.commit_s:.0f} s, "
            f"ended {self.state}{': ' + self.error[:200] if self.error else ''} "
            f"(job page polled each second: {pages})"
        )


def user_import(port: int, email: str, password: str, content: bytes, run: ImportRun) -> None:
    """Upload, wait for the check, confirm, wait for the commit, as a user in a browser."""
    from scoretrack.exchange.models import ImportJob
    from scoretrack.exchange.services import ImportReport

    browser = Browser(port)
    browser.log_in(email, password)
    began = time.monotonic()
    job_id = browser.upload("cohort.zip", content)
    run.upload_s = time.monotonic() - began
    run.state = wait_for(browser, job_id, ImportJob.State.CHECKING, run)
    run.check_s = time.monotonic() - began - run.upload_s
    job = ImportJob.objects.get(pk=job_id)
    if run.state != ImportJob.State.CHECKED or not ImportReport.from_dict(job.report).ok:
        # The workbook is the benchmark's own: a problem in it is the benchmark's bug.
        raise SystemExit(f"the check ended {run.state}: {job.error or job.report}"[:2000])
    confirmed = time.monotonic()
    status, _, _ = browser.send("POST", f"/exchange/import/{job_id}/confirm/")
    if status != 302:
        run.state, run.error = "not confirmed", f"the confirmation answered {status}"
        return
    run.state = wait_for(browser, job_id, ImportJob.State.IMPORTING, run)
    run.commit_s = time.monotonic() - confirmed
    run.error = ImportJob.objects.get(pk=job_id).error


def wait_for(browser: Browser, job_id: str, running: str, run: ImportRun) -> str:
    """The job's state once it leaves RUNNING (its page fetched each second meanwhile)."""
    from scoretrack.exchange.models import ImportJob

    deadline = time.monotonic() + IMPORT_DEADLINE
    while time.monotonic() < deadline:
        try:
            status = browser.send("GET", f"/exchange/import/{job_id}/")[0]
        except OSError:
            status = 0
        run.page_statuses[status] = run.page_statuses.get(status, 0) + 1
        state = ImportJob.objects.filter(pk=job_id).values_list("state", flat=True).first()
        if state != running and not (running == "importing" and state == "checked"):
            return str(state)
        time.sleep(1.0)
    return f"still {running} after {IMPORT_DEADLINE:.0f} s"


# --- the run ---------------------------------------------------------------------------


def measure(port: int, rows: int) -> tuple[Writes, Writes, ImportRun]:
    from scoretrack.accounts.models import ApiToken, User
    from scoretrack.training.models import Delivery

    user, _ = User.objects.get_or_create(
        email="bench-writes@example.org", defaults={"is_superuser": True, "is_staff": True}
    )
    password = secrets.token_urlsafe(16)
    user.set_password(password)
    user.save()
    _, token = ApiToken.issue(user=user, name="writes benchmark")
    deliveries = list(Delivery.objects.order_by("key").values_list("key", "country__code"))
    country = deliveries[0][1]
    content = workbook(rows, deliveries)
    say(f"writes: the workbook, {rows:,} rows, {len(content) / 1e6:.1f} MB zipped")

    idle, done = Writes(), threading.Event()
    began = time.monotonic()
    threads = run_writers(port, token, country, "idle", idle, done)
    time.sleep(IDLE_SECONDS)
    done.set()
    for thread in threads:
        thread.join()
    idle.wall = time.monotonic() - began
    say(f"writes idle: {idle.summary()}")

    busy, done, run = Writes(), threading.Event(), ImportRun(rows)
    began = time.monotonic()
    threads = run_writers(port, token, country, "import", busy, done)
    try:
        user_import(port, user.email, password, content, run)
    finally:
        done.set()
        for thread in threads:
            thread.join()
    busy.wall = time.monotonic() - began
    say(f"writes during the import: {busy.summary()}")
    say(f"writes: {run.summary()}")
    return idle, busy, run


def results(args: argparse.Namespace, idle: Writes, busy: Writes, run: ImportRun) -> list[Result]:
    postgresql = args.database == "postgresql"
    others = busy.counts()["other 5xx"] + idle.counts()["other 5xx"]
    p95 = busy.percentile(95)
    goal = "no 5xx but 503" + (f"; p95 < {P95_GOAL_S:g} s during the import" if postgresql else "")
    met = others == 0 and run.state == "done" and (p95 < P95_GOAL_S or not postgresql)
    label = f"{CLIENTS} clients writing"
    notes = [
        f"idle: {idle.summary()}",
        f"during the import: {busy.summary()}",
        run.summary(),
    ]
    common = {"benchmark": "writes: during an import", "database": args.database}
    return [
        Result(
            **common,
            size=args.size,
            subject=Measure(f"p95 latency during the import, {label}", "s", [p95]),
            reference=Measure("p95 latency idle, the same writes", "s", [idle.percentile(95)]),
            goal=goal,
            met=met,
            notes=notes,
        ),
        Result(
            **common,
            size=args.size,
            subject=Measure(f"p50 latency during the import, {label}", "s", [busy.percentile(50)]),
            reference=Measure("p50 latency idle", "s", [idle.percentile(50)]),
        ),
        Result(
            **common,
            size=args.size,
            subject=Measure("writes/s answered 2xx during the import", "writes/s", [busy.rate()]),
            reference=Measure("writes/s answered 2xx idle", "writes/s", [idle.rate()]),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--runs", type=int, default=1)  # one run is many samples
    parser.add_argument("--seed", type=int, default=int(os.environ.get("BENCH_SEED", "1")))
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    env = copy_dataset(Dataset(args.database, args.size, args.seed))
    try:
        os.environ.update(env)
        django_setup()
        port = free_port()
        log = bench_dir() / f"writes-{args.database}.log"
        processes = start(env, port, log)
        try:
            idle, busy, run = measure(port, args.rows)
        finally:
            stop(processes)
    finally:
        from django.db import connections

        connections.close_all()  # PostgreSQL drops no database still connected to
        drop_copy(args.database)
    emit(results(args, idle, busy, run))


if __name__ == "__main__":
    main()
