"""The API's per-caller rate limit, at the cost of a dict look-up per request.

ninja's `AuthRateThrottle` keeps every request's timestamp of the last period in
one cache entry, read, trimmed and written back whole by every request (at
600/min, 600 floats pickled and compressed per call; at a load test's rate, tens
of thousands: milliseconds each), and keeps that list on the throttle object,
which all the threads of a server process share.

This one counts requests per period (the "sliding window counter"): the requests
of the last full period are estimated as current + previous × the share of the
previous period still inside it. The counts are shared by every process of the
server through Django's cache (Redis, or the file cache of the data folder); each
process adds its requests to them and reads them back at most every
API_THROTTLE_SYNC_SECONDS, counting in memory in between. So a caller spreading
requests over several server processes may exceed the limit by what the others
accept within those seconds; with 0 (the tests) every request goes to the cache.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import AuthRateThrottle


@dataclass
class _Tally:
    period: int
    shared: int = 0  # the current period's count in the cache when last read
    previous: int = 0  # the previous period's
    pending: int = 0  # this process's requests not yet added to the cache
    synced_at: float = 0.0


class CallerRateThrottle(AuthRateThrottle):
    def __init__(self, rate: str | None = None) -> None:
        super().__init__(rate)
        self._lock = threading.Lock()
        self._tallies: dict[str, _Tally] = {}
        self._local = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        self._local.wait = None
        key = self.get_cache_key(request)
        if key is None or not self.num_requests or not self.duration:
            return True
        every = float(getattr(settings, "API_THROTTLE_SYNC_SECONDS", 1.0))
        now = time.time()
        period = int(now // self.duration)
        elapsed = now / self.duration - period  # share of the current period gone by
        with self._lock:
            tally = self._tallies.get(key)
            if tally is None or tally.period != period or now - tally.synced_at >= every:
                tally = self._sync(key, tally, period, now)
            estimate = tally.shared + tally.pending + tally.previous * (1 - elapsed)
            if estimate >= self.num_requests:
                self._local.wait = (1 - elapsed) * self.duration
                return False
            tally.pending += 1
            if every <= 0:
                self._sync(key, tally, period, now)
            return True

    def _sync(self, key: str, tally: _Tally | None, period: int, now: float) -> _Tally:
        """Add this process's pending requests to the cache and read the counts back."""
        if tally is not None and tally.pending:
            self._add(f"{key}:{tally.period}", tally.pending)
        if tally is None or tally.period != period:
            tally = self._tallies[key] = _Tally(period)
            if len(self._tallies) > 10_000:  # callers gone quiet: forget them
                self._tallies = {k: t for k, t in self._tallies.items() if t.period >= period}
        current, previous = f"{key}:{period}", f"{key}:{period - 1}"
        counts = self.cache.get_many([current, previous])
        tally.shared, tally.previous = counts.get(current, 0), counts.get(previous, 0)
        tally.pending, tally.synced_at = 0, now
        return tally

    def _add(self, name: str, count: int) -> None:
        timeout = 2 * self.duration + 1  # read again as the previous period's
        if self.cache.add(name, count, timeout=timeout):
            return
        try:
            self.cache.incr(name, count)
        except ValueError:  # expired in between
            self.cache.set(name, count, timeout=timeout)

    def wait(self) -> float | None:
        """Seconds until the current period ends (the Retry-After of a 429)."""
        wait = getattr(self._local, "wait", None)
        return None if wait is None else float(max(math.ceil(wait), 1))
