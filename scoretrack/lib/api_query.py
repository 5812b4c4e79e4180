"""A query string's parameters checked against those an endpoint takes.

django-ninja ignores a parameter it does not know, so `?sector=x` on an endpoint
without that filter answered everything, as if no filter had been asked for.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any


def parameter_problems(
    query: Any, known: Iterable[str], *, noun: str, repeatable: Collection[str] = ()
) -> list[dict[str, Any]]:
    """`{"field", "message"}` for each parameter of `query` (a QueryDict) that is
    not `known`, or is given more than once and not `repeatable`."""
    known = list(known)
    listed = f"the {noun}s are {', '.join(known)}" if known else "there are none"
    problems = []
    for name in query:
        count = len(query.getlist(name))
        if name not in known:
            problems.append({"field": name, "message": f"unknown {noun} '{name}': {listed}"})
        elif count > 1 and name not in repeatable:
            problems.append({"field": name, "message": f"given {count} times: give it once"})
    return problems
