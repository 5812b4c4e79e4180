"""`scoretrack token create USER`: an API token, printed once and stored hashed."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from scoretrack.accounts.models import ApiToken, clear_token_cache
from scoretrack.accounts.services import token_create


class Command(BaseCommand):
    help = "API tokens: create USER [--name N] (printed once), list, revoke PREFIX."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("user", help="the user's e-mail")
        create.add_argument("--name", default="")
        sub.add_parser("list")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "create":
            try:
                token = token_create(email=options["user"], name=options["name"])
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
            self.stdout.write(token)
            self.stderr.write("Store it now: only its hash is kept, it cannot be shown again.")
        elif options["action"] == "list":
            for t in ApiToken.objects.select_related("user"):
                state = "revoked" if t.revoked_at else "active"
                self.stdout.write(f"{t.prefix}…\t{t.user.email}\t{t.name}\t{state}")
        else:
            count = ApiToken.objects.filter(
                prefix=options["prefix"], revoked_at__isnull=True
            ).update(revoked_at=timezone.now())
            clear_token_cache()  # this process's; a server's workers see it within seconds
            if not count:
                raise CommandError(f"no active token starting with {options['prefix']!r}")
            self.stdout.write(f"{count} token(s) revoked")
