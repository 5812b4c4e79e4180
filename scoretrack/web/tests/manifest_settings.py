"""The production settings with Django's manifest storage, uncompressed: the static
files tests' subprocesses collect in a second or two what whitenoise's compressed
storage collects in 20 to 60 s (brotli), through the same code path."""

from __future__ import annotations

from scoretrack.settings import *  # noqa: F403
from scoretrack.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
