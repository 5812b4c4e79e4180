"""Report pages as a person gets them (issue 21): Debian's Chromium, through
Playwright, against `make run`'s server (`scoretrack serve`, its default processes),
time to first byte and largest contentful paint.

For each report page (benchmarks/reports.py's list), as a global admin:
- cold: the first load after a server start, with nothing kept (the data version
  moved on before the start, as after an import): the report computed;
- warm: the same page loaded again, from the report cache (REPORTS_CACHE_SECONDS);
- warm, computed: `fresh=1` on the warm server, every figure asked of the registry.
Beside them, the test-client figure of the same page computed (`fresh=1`, no
network, no browser: the "reports: server time" figure), measured with the
server stopped. Run as a child process of the harness:

    .venv/bin/python -m benchmarks.browser_pages --size 100000 --database sqlite

Goal: every report page under 1 s to its largest paint at 100,000 enterprises,
cold and warm.
"""

from __future__ import annotations

import argparse
import os
import signal
import time
from typing import Any

from benchmarks.common import Measure, Result, bench_user, django_setup, emit, say

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
    from benchmarks.api_load import free_port, start_server
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
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        context.add_cookies([{**cookie, "url": base}])
        for _ in range(runs):
            for name, url in pages:
                bump()  # nothing kept: the first load computes the report
                server = start_server(port)
                try:
                    cold = load(context, base + url)
                    warm = load(context, base + url)
                    computed = load(context, base + fresh(url))
                finally:
                    server.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
                    server.wait()
                for kind, got in (("cold", cold), ("warm", warm), ("computed", computed)):
                    figures[name][f"{kind} ttfb"].append(got["ttfb"])
                    figures[name][f"{kind} lcp"].append(got["lcp"])
                say(
                    f"  {database} {size:,}: {name}: cold {cold['lcp'] * 1000:.0f} ms,"
                    f" warm {warm['lcp'] * 1000:.0f} ms, computed {computed['lcp'] * 1000:.0f} ms"
                    " to largest paint"
                )
        browser.close()
    reference = test_client_times(pages, runs)
    results = []
    for name, url in pages:
        got = figures[name]
        for kind, label in (
            ("cold", "cold (first load after a start, nothing kept)"),
            ("warm", "warm (from the report cache)"),
            ("computed", "warm, computed (fresh=1)"),
        ):
            result = Result(
                "pages in the browser: largest paint",
                database,
                size,
                Measure(f"{name}, {label}", "s", got[f"{kind} lcp"]),
                Measure("test client, computed (fresh=1)", "s", reference[name]),
                goal=f"< {GOAL_S:g} s to largest paint at 100,000 enterprises",
                notes=[
                    f"{name} {label}: GET {url}; time to first byte "
                    + ", ".join(f"{s * 1000:.0f}" for s in got[f"{kind} ttfb"])
                    + " ms (median "
                    + f"{sorted(got[f'{kind} ttfb'])[len(got[f'{kind} ttfb']) // 2] * 1000:.0f} ms)"
                ],
            )
            result.met = result.subject.median < GOAL_S
            if size < BIG:
                result.met = None if result.met else False
            results.append(result)
    return results


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
    from django.conf import settings
    from django.test import Client

    from scoretrack.lib.freshness import bump

    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(bench_user())
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
