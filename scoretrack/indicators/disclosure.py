"""Disclosure control: what an aggregates-only user (lead buyer, viewer) may learn.

A figure about firms or persons is hidden from such a user when it rests on fewer
than DISCLOSURE_THRESHOLD of them, and when it could be worked out from figures
the user may see (see `protect`). A hidden number comes back as a `Hidden`
marker, which says why; the API and the pages show it as hidden, never as 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

Reason = Literal["few", "differencing", "single"]
Who = Literal["enterprises", "trainers", "persons"]


def threshold() -> int:
    return settings.DISCLOSURE_THRESHOLD


@dataclass(frozen=True)
class Hidden:
    """A number withheld from an aggregates-only user, and why.

    `reason` is "few" (the figure rests on fewer than the threshold's firms or
    persons), "differencing" (it would let a hidden figure be worked out from
    figures the user may see) or "single" (the figure is one firm's own value, as
    the smallest or largest change is, however many firms it is chosen among);
    `who` names what is counted (enterprises, trainers, persons). It is falsy, and prints as a dash.
    """

    reason: Reason
    who: Who = "enterprises"

    def __bool__(self) -> bool:
        return False

    def __str__(self) -> str:
        return "–"

    def label(self) -> str:
        """Why it is hidden, in the page's language."""
        n = threshold()
        if self.reason == "few":
            if self.who == "trainers":
                return ngettext("fewer than %(n)d trainer", "fewer than %(n)d trainers", n) % {
                    "n": n
                }
            if self.who == "persons":
                return ngettext("fewer than %(n)d person", "fewer than %(n)d persons", n) % {"n": n}
            return ngettext("fewer than %(n)d enterprise", "fewer than %(n)d enterprises", n) % {
                "n": n
            }
        if self.reason == "single":
            return _("the value of a single enterprise")
        return _("hidden so that a hidden figure cannot be worked out from it")

    def as_json(self) -> dict[str, str]:
        return {"reason": self.reason, "who": self.who, "label": self.label()}


def plain(value: object) -> object:
    """`value` with every Hidden marker (alone or in a dict) replaced by None."""
    if isinstance(value, Hidden):
        return None
    if isinstance(value, dict):
        return {key: None if isinstance(item, Hidden) else item for key, item in value.items()}
    return value
