"""Running the data-quality rules: on demand (a button, `scoretrack quality`) and
nightly by the worker. A run keeps `RuleViolation` rows exact: what the rules find
is opened (or opened again), what they no longer find is cleared."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from scoretrack.quality.models import QualityRun, RuleViolation
from scoretrack.quality.rules import RULES, Found

BATCH = 2000
UPDATED = ("country_id", "date", "message", "params", "page", "page_id", "state", "cleared_at")


def _key(rule: str, record_model: str, record_id: Any, key: str) -> tuple[str, str, str, str]:
    return rule, record_model, str(record_id), key


@transaction.atomic
def quality_run(*, country_id: Any = None, user: Any = None, run_id: Any = None) -> QualityRun:
    """Run every rule (over one country, or all) and bring the violations up to date;
    `run_id`: the nightly run claimed beforehand (`nightly_claim`)."""
    now = timezone.now()
    if run_id is not None:
        run = QualityRun.objects.select_for_update().get(pk=run_id)
        run.started_at = now
    else:
        run = QualityRun.objects.create(started_at=now, country_id=country_id, user=user)
    found: dict[tuple[str, str, str, str], Found] = {}
    for rule in RULES.values():
        for item in rule.find(country_id):
            found[_key(rule.code, item.record_model, item.record_id, item.key)] = item
    kept = RuleViolation.objects.all()
    if country_id is not None:
        kept = kept.filter(country_id=country_id)
    existing = {_key(v.rule, v.record_model, v.record_id, v.key): v for v in kept.iterator()}
    creates, updates = [], []
    for key, item in found.items():
        values = {
            "country_id": item.country_id,
            "date": item.date,
            "message": item.message,
            "params": item.params,
            "page": item.page,
            "page_id": item.page_id,
            "state": RuleViolation.State.OPEN,
            "cleared_at": None,
        }
        violation = existing.get(key)
        if violation is None:
            creates.append(
                RuleViolation(
                    rule=key[0],
                    record_model=key[1],
                    record_id=item.record_id,
                    key=key[3],
                    found_at=now,
                    **values,
                )
            )
            continue
        if violation.state == RuleViolation.State.CLEARED:
            run.opened += 1
            violation.found_at = now
        changed = [name for name, value in values.items() if getattr(violation, name) != value]
        for name in changed:
            setattr(violation, name, values[name])
        if changed:
            updates.append(violation)
    RuleViolation.objects.bulk_create(creates, batch_size=BATCH)
    RuleViolation.objects.bulk_update(updates, [*UPDATED, "found_at"], batch_size=BATCH)
    gone = [
        v.pk
        for key, v in existing.items()
        if key not in found and v.state == RuleViolation.State.OPEN
    ]
    for start in range(0, len(gone), BATCH):
        RuleViolation.objects.filter(pk__in=gone[start : start + BATCH]).update(
            state=RuleViolation.State.CLEARED, cleared_at=now
        )
    run.opened += len(creates)
    run.cleared = len(gone)
    run.finished_at = timezone.now()
    run.save()
    return run


NIGHTLY_HOUR = 2  # the nightly run starts from this hour (TIME_ZONE) on


def nightly_claim(now: dt.datetime | None = None) -> QualityRun | None:
    """Tonight's run, claimed by the one worker that records it first (the others,
    and any worker before NIGHTLY_HOUR or once it is claimed, get None)."""
    now = timezone.localtime(now)
    if now.hour < NIGHTLY_HOUR or QualityRun.objects.filter(day=now.date()).exists():
        return None
    try:
        with transaction.atomic():
            return QualityRun.objects.create(started_at=timezone.now(), day=now.date())
    except IntegrityError:
        return None
