"""The indicator definitions, one module per group; importing them registers them."""

from __future__ import annotations

from importlib import import_module

# The order of INDICATORS.md, which the catalogue and the definitions page follow.
GROUPS = ("reach", "trainers", "money", "outcomes", "changes", "awareness")


def load() -> None:
    for group in GROUPS:
        import_module(f"{__name__}.{group}")
