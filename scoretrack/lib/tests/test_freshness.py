"""Cached reports never outlive the data: the data version moves on every write."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client

from scoretrack.lib.freshness import KEY, data_version
from scoretrack.reference.models import CountryProgramme


@pytest.mark.django_db(transaction=True)
def test_a_save_and_a_delete_move_the_data_version_on_commit() -> None:
    before = data_version()
    peru = CountryProgramme.objects.create(code="PE", name="Peru")
    after_save = data_version()
    peru.delete()
    assert before < after_save < data_version()


def test_inside_a_transaction_the_version_waits_for_the_commit(db: object) -> None:
    before = data_version()
    CountryProgramme.objects.create(code="PE", name="Peru")
    assert data_version() == before  # the test's transaction never commits


@pytest.mark.django_db(transaction=True)
def test_a_cached_report_is_rebuilt_after_a_change(settings: object) -> None:
    from scoretrack.accounts.models import User

    settings.REPORTS_CACHE_SECONDS = 300  # type: ignore[attr-defined]
    user = User.objects.create_superuser(email="hq@x.org", password="pw")
    client = Client()
    client.force_login(user)
    first = client.get("/reports/programme/").content.decode()
    assert "Ghana" not in first
    CountryProgramme.objects.create(code="GH", name="Ghana")
    assert "Ghana" in client.get("/reports/programme/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_many_saves_in_one_transaction_move_the_version_once() -> None:
    """Each move rewrites the cache entry (a file with the file cache): an import
    saving 2,500 records one by one spent 8 s on it."""
    before = data_version()
    with transaction.atomic():
        for code in ("PE", "EC", "CL"):
            CountryProgramme.objects.create(code=code, name=code)
    assert data_version() == before + 1


@pytest.mark.django_db(transaction=True)
def test_a_save_after_a_rolled_back_savepoint_still_moves_the_version() -> None:
    before = data_version()
    with transaction.atomic():
        try:
            with transaction.atomic():
                CountryProgramme.objects.create(code="PE", name="Peru")
                raise RuntimeError("undo the savepoint")
        except RuntimeError:
            pass
        assert data_version() == before
        CountryProgramme.objects.create(code="EC", name="Ecuador")
    assert data_version() == before + 1


@pytest.mark.django_db(transaction=True)
def test_a_version_lost_by_the_cache_is_never_given_again(settings: object) -> None:
    """The file cache, once full (MAX_ENTRIES), deletes a third of its entries at
    random on the next write (Django's cull), the data version's among them; so may
    Redis evict it. Started again from 1, the version named reports kept before a
    change: one kept at version 1, records changed (version 2), the version lost,
    and the old report was served again as current."""
    from scoretrack.accounts.models import User

    settings.REPORTS_CACHE_SECONDS = 300  # type: ignore[attr-defined]
    cache.delete(KEY)  # a cache that never held the version (a new server, say)
    user = User.objects.create_superuser(email="hq@x.org", password="pw")
    client = Client()
    client.force_login(user)
    given = {data_version()}
    assert "Ghana" not in client.get("/reports/programme/").content.decode()
    CountryProgramme.objects.create(code="GH", name="Ghana")
    given.add(data_version())
    cache.delete(KEY)  # culled
    assert data_version() not in given
    assert "Ghana" in client.get("/reports/programme/").content.decode()
