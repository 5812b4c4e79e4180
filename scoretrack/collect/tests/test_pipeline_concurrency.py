"""Two phones (or one phone retrying) sending the same instance at the same moment:
the unique instanceID decides, one submission and one record are written."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from scoretrack.collect import pipeline
from scoretrack.collect.models import Submission
from scoretrack.collect.tests.standin_forms import instance, standin  # noqa: F401
from scoretrack.training.models import ConsultingVisit

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("standin"),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"
    ),
]


def test_two_concurrent_sends_write_once(world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    user = world.users["trainer"]
    # Both look before either has committed: neither finds the other.
    monkeypatch.setattr(pipeline, "_existing", lambda instance_id: None)
    barrier = threading.Barrier(2)
    kept: list[Submission] = []

    def send(hours: str) -> None:
        try:
            barrier.wait()
            kept.append(pipeline.receive(user, instance("uuid:same", hours=hours)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(h,)) for h in ("3", "5")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(kept) == 2
    assert kept[0].pk == kept[1].pk
    assert sorted(s.duplicate for s in kept) == [False, True]
    assert Submission.objects.count() == 1
    assert ConsultingVisit.objects.filter(date="2016-01-05").count() == 1
