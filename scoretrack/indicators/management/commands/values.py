"""`scoretrack values`: the registry's figures on the console, as the API gives them."""

from __future__ import annotations

import datetime as dt
import json
from argparse import Action, ArgumentParser, ArgumentTypeError, Namespace
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from scoretrack.indicators.registry import Request, evaluate
from scoretrack.lib.commands import DataCommand


class Console:
    """The console's own identity: programme-wide scope, like a global admin."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    pk = None


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise ArgumentTypeError(f"not an ISO date: {text!r}") from exc


class Once(Action):
    """A single-valued option given twice is an error, not the last one silently."""

    def __call__(
        self,
        parser: ArgumentParser,
        namespace: Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        if getattr(namespace, self.dest) is not None:
            parser.error(f"{option_string} given twice: give it once")
        setattr(namespace, self.dest, values)


class Command(DataCommand):
    help = "Print indicator figures for filters (the JSON of /api/v1/indicators/values)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--code", action="append", required=True, help="repeat for several")
        once: dict[str, Any] = {"action": Once}
        parser.add_argument("--country", help="ISO 3166 code", **once)
        parser.add_argument("--partner", help="key of the delivery organiser", **once)
        parser.add_argument("--sector", help="sector name", **once)
        parser.add_argument("--lead-buyer", dest="lead_buyer", help="lead buyer's key", **once)
        parser.add_argument("--phase", help="phase name", **once)
        parser.add_argument("--year", type=int, **once)
        parser.add_argument("--half", type=int, help="1 or 2, with --year", **once)
        parser.add_argument("--quarter", type=int, help="1 to 4, with --year", **once)
        parser.add_argument(
            "--from",
            dest="date_from",
            type=iso_date,
            help="not for lead buyers and viewers: they ask for a fixed period",
            **once,
        )
        parser.add_argument("--to", dest="date_to", type=iso_date, **once)
        parser.add_argument("--by", help="one disaggregation", **once)
        parser.add_argument(
            "--user", "--as", dest="email", help="compute within this user's scope", **once
        )
        parser.add_argument(
            "--approved-only",
            dest="approved_only",
            action="store_true",
            help="only records dated in periods approved for their country",
        )
        parser.add_argument("--json", action="store_true", help="print the API's JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        request = Request(
            codes=options["code"],
            **{
                name: options[name]
                for name in (
                    "country",
                    "partner",
                    "sector",
                    "lead_buyer",
                    "phase",
                    "year",
                    "half",
                    "quarter",
                    "date_from",
                    "date_to",
                    "by",
                    "approved_only",
                )
            },
        )
        try:
            result = evaluate(self.user(options["email"]), request)
        except ValidationError as exc:
            problems = "; ".join(
                f"{name}: {message}"
                for name, messages in exc.message_dict.items()
                for message in messages
            )
            raise CommandError(problems, returncode=2) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(table(result))

    def user(self, email: str | None) -> Any:
        if email is None:
            return Console()
        from scoretrack.accounts.models import User

        user = User.objects.filter(email=email.lower(), is_active=True).first()
        if user is None:
            raise CommandError(f"user: no active user {email}", returncode=2)
        return user


def table(result: dict[str, Any]) -> str:
    """A readable table: one line per figure, or per group of a disaggregation."""
    rows = [("indicator", "key", "value", "target")]
    for code, value in result["values"].items():
        target = result["targets"].get(code)
        hidden = result.get("hidden", {}).get(code, {})
        groups = value.items() if isinstance(value, dict) else [("", value)]
        for index, (key, figure) in enumerate(groups):
            shown_target = "" if target is None or index else fmt(target)
            why = hidden.get(key) if key else hidden or None
            shown = f"hidden: {why['label']}" if why else fmt(figure)
            rows.append((code, key, shown, shown_target))
        if isinstance(value, dict) and not value:
            rows.append((code, "", "-", "" if target is None else fmt(target)))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [f"filters: {json.dumps(result['filters'], ensure_ascii=False)}"]
    for row in rows:
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    return "\n".join(line.rstrip() for line in lines)


def fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)
