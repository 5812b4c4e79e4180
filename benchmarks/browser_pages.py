"""Report pages as a person gets them (issue 21): Debian's Chromium, through
Playwright, against `make run`'s server (`scoretrack serve`, its default processes),
time to first byte and largest contentful paint.

As `make run` serves them: `scoretrack serve` and `scoretrack worker` side by side,
logged in as a global admin. First each page is read once (as people read them
before a change: the warm-up makes again the pages read lately, the year's page
among them), then the data version is moved on (as after an
import: nothing kept) and both are started: the worker makes the reports ahead of
their readers (reports/warm.py) and says when it is done (`warm.is_warm`); how long
that took is a figure of its own. Then, `--runs` times, both are restarted and, once
the worker's warm-up has finished (reading back what is kept), each report page is
loaded:
- cold: the first load after the start;
- warm: the same page again;
and last, on the running server, each page computed with nothing kept (`fresh=1`,
every figure asked of the registry), which has no goal. Beside them, the test-client
figure of the same page computed (`fresh=1`, no network, no browser: the "reports:
server time" figure), measured with the server stopped. Run as a child process of
the harness:

    .venv/bin/python -m benchmarks.browser_pages --size 100000 --database sqlite

Goal: every report page under 1 s to its largest paint at 100,000 enterprises,
cold and warm.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, Measure, Result, bench_user, django_setup, emit, say

GOAL_S = 1.0
BIG = 100_000
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# As the browser tests launch it (e2e/conftest.py).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
# Navigation timing and the largest contentful paint of the page just loaded, in
# seconds from the navigation's start; the observer reads the buffered entries.
PAINT_JS = """() => new Promise(resolve => {
  let lcp = 0;
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) lcp = Math.max(lcp, entry.startTime);
  }).observe({type: 'largest-contentful-paint', buffered: true});
  setTimeout(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    resolve({ttfb: nav.responseStart / 1000, lcp: lcp / 1000, load: nav.loadEventEnd / 1000});
  }, 300);
})"""


def measure(size: int, database: str, country: str, runs: int) -> list[Result]:
    from playwright.sync_api import sync_playwright

    from benchmarks import reports
    from benchmarks.api_load import free_port
    from scoretrack.lib.freshness import bump

    cookie = session_cookie()
    pages = [(name, url.format(country=country)) for name, url in reports.PAGES]
    figures: dict[str, dict[str, list[float]]] = {
        name: {
            f"{kind} {what}": []
            for kind in ("cold", "warm", "computed")
            for what in ("ttfb", "lcp")
        }
        for name, _ in pages
    }
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    read_before(pages)
    bump()  # nothing kept, as after an import: the worker's warm-up makes it all
    with running(port) as started:
        warm_up = wait_warm(started)
    say(f"  {database} {size:,}: the worker's warm-up after a change took {warm_up:.1f} s")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        context.add_cookies([{**cookie, "url": base}])
        for run in range(runs):
            with running(port) as started:
                wait_warm(started)  # a restart: the warm-up reads back what is kept
                for kind in ("cold", "warm"):
                    for name, url in pages:
                        got = load(context, base + url)
                        figures[name][f"{kind} ttfb"].append(got["ttfb"])
                        figures[name][f"{kind} lcp"].append(got["lcp"])
                if run == runs - 1:  # last: a fresh build replaces the kept report
                    for _ in range(runs):
                        for name, url in pages:
                            got = load(context, base + fresh(url))
                            figures[name]["computed ttfb"].append(got["ttfb"])
                            figures[name]["computed lcp"].append(got["lcp"])
            for name, _url in pages:
                cold, warm = figures[name]["cold lcp"][-1], figures[name]["warm lcp"][-1]
                say(
                    f"  {database} {size:,}: {name}: cold {cold * 1000:.0f} ms,"
                    f" warm {warm * 1000:.0f} ms to largest paint"
                )
        browser.close()
    reference = test_client_times(pages, runs)
    results = [
        Result(
            "pages in the browser: largest paint",
            database,
            size,
            Measure(
                "the worker's warm-up after a change (every page, then every PDF)", "s", [warm_up]
            ),
            notes=[
                "from the start of `scoretrack worker` after a change of the data until"
                " it said so (reports/warm.py, is_warm)"
            ],
        )
    ]
    for name, url in pages:
        got = figures[name]
        for kind, label in (
            ("cold", "cold (first load after a restart, the warm-up done)"),
            ("warm", "warm (loaded again)"),
            ("computed", "computed, nothing kept (fresh=1)"),
        ):
            result = Result(
                "pages in the browser: largest paint",
                database,
                size,
                Measure(f"{name}, {label}", "s", got[f"{kind} lcp"]),
                Measure("test client, computed (fresh=1)", "s", reference[name]),
                goal=f"< {GOAL_S:g} s to largest paint at 100,000 enterprises"
                if kind != "computed"
                else "",
                notes=[
                    f"{name} {label}: GET {url}; time to first byte "
                    + ", ".join(f"{s * 1000:.0f}" for s in got[f"{kind} ttfb"])
                    + " ms (median "
                    + f"{sorted(got[f'{kind} ttfb'])[len(got[f'{kind} ttfb']) // 2] * 1000:.0f} ms)"
                ],
            )
            if kind != "computed":
                result.met = result.subject.median < GOAL_S
                if size < BIG:
                    result.met = None if result.met else False
            results.append(result)
    return results


def admin_client() -> Any:
    """The test client, logged in as the harness's administrator, on any host."""
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(bench_user())
    return client


def read_before(pages: list[tuple[str, str]]) -> None:
    """Each page read once by the administrator before the change, as people read
    them: the warm-up makes the pages read lately again after a change
    (`reports.warm.note_read`), which the year's page needs (the fixed plan has all
    time and the phases only)."""
    from scoretrack.web.staticfiles import collect_if_changed

    collect_if_changed(log=say)  # the pages name their static files (as `serve` does)
    client = admin_client()
    for _name, url in pages:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"GET {url}: HTTP {response.status_code}")


@contextlib.contextmanager
def running(port: int) -> Iterator[float]:
    """`make run`'s two processes, `scoretrack serve` and `scoretrack worker`, until
    the block ends; yields when the server answers (time.monotonic() of the start)."""
    from benchmarks.api_load import start_server

    started = time.monotonic()
    env = {**os.environ, "DEBUG": "0"}
    worker = subprocess.Popen(
        [str(Path(sys.executable).parent / "scoretrack"), "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        server = start_server(port)
        try:
            yield started
        finally:
            server.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
            server.wait()
    finally:
        worker.send_signal(signal.SIGINT)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def wait_warm(started: float, timeout: float = 6 * 3600) -> float:
    """Wait until the worker says the reports of the current data are made (pages and
    PDFs, `reports.warm.is_warm`); the seconds since `started`."""
    from scoretrack.lib.freshness import data_version
    from scoretrack.reports.warm import is_warm

    deadline = started + timeout
    while not is_warm(data_version()):
        if time.monotonic() > deadline:
            raise SystemExit("the worker's warm-up did not finish")
        time.sleep(0.5)
    return time.monotonic() - started


def load(context: Any, url: str) -> dict[str, float]:
    page = context.new_page()
    try:
        response = page.goto(url, wait_until="load", timeout=120_000)
        if response is None or response.status != 200:
            raise SystemExit(f"GET {url}: HTTP {response.status if response else '?'}")
        return page.evaluate(PAINT_JS)
    finally:
        page.close()


def fresh(url: str) -> str:
    return url + ("&" if "?" in url else "?") + "fresh=1"


def session_cookie() -> dict[str, Any]:
    """A logged-in session of the harness's administrator, for the browser."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(bench_user())
    name = settings.SESSION_COOKIE_NAME
    return {"name": name, "value": client.cookies[name].value}


def test_client_times(pages: list[tuple[str, str]], runs: int) -> dict[str, list[float]]:
    from scoretrack.lib.freshness import bump

    client = admin_client()
    times: dict[str, list[float]] = {}
    for name, url in pages:
        client.get(fresh(url))  # warm: connection, templates
        times[name] = []
        for _ in range(runs):
            bump()
            started = time.perf_counter()
            client.get(fresh(url))
            times[name].append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--country", default="ID")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop beside the ORM
    django_setup()
    emit(measure(args.size, args.database, args.country, args.runs))


if __name__ == "__main__":
    main()
