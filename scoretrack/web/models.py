"""Deletion sets: a record deleted together with what depended on it (web/deletion.py)."""

from __future__ import annotations

import uuid

from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

# The history rows a deletion set writes carry "deletion set <id>" as their change
# reason; those its restore writes, "restored from deletion set <id>".
SET_REASON = "deletion set "
RESTORE_REASON = "restored from deletion set "


class DeletionSet(models.Model):
    """One deletion of a record with its dependents, as one change.

    `items` says exactly what it did, so that one restore undoes all of it:
    `deleted`, parent first ({"model", "id"}; their last values are in the history
    rows this set wrote), `rows` without history kept by value ({"model",
    "values"}: a delivery's trainer links), and `unlinked` records kept but
    detached ({"model", "id", "field", "value"}: the value the field had).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    root_model = models.CharField(max_length=100, help_text="e.g. training.Delivery")
    root_id = models.UUIDField()
    root_name = models.CharField(max_length=300)
    items = models.JSONField(encoder=DjangoJSONEncoder)
    restored_at = models.DateTimeField(null=True, blank=True)
    restored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{SET_REASON}{self.id}: {self.root_name}"

    @property
    def reason(self) -> str:
        return f"{SET_REASON}{self.id}"

    @property
    def restore_reason(self) -> str:
        return f"{RESTORE_REASON}{self.id}"

    def root(self) -> models.Model:
        """The record the set was deleted for (once restored)."""
        return apps.get_model(self.root_model)._base_manager.get(pk=self.root_id)
