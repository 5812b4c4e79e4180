"""`scoretrack users add|list|remove`: users and their role assignments."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from scoretrack.accounts.models import Role, RoleAssignment, User
from scoretrack.accounts.services import role_assign


class Command(BaseCommand):
    help = "Manage users and their roles: add EMAIL --role ROLE [...], list, remove EMAIL."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="add a role (and the user, if new)")
        add.add_argument("email")
        add.add_argument("--role", required=True, choices=Role.values)
        add.add_argument("--country", help="ISO code (country_team; narrows the key look-ups)")
        add.add_argument("--organisation", help="organisation key (partner, lead_buyer)")
        add.add_argument("--enterprise", help="enterprise key (enterprise)")
        add.add_argument("--trainer", help="trainer key (trainer)")
        add.add_argument("--password", help="initial password of a new user")
        sub.add_parser("list", help="list users and their roles")
        remove = sub.add_parser("remove", help="remove every role of a user (and deactivate it)")
        remove.add_argument("email")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _add(self, options: dict[str, Any]) -> None:
        try:
            user, assignment = role_assign(
                email=options["email"],
                role=options["role"],
                country=options["country"],
                organisation=options["organisation"],
                enterprise=options["enterprise"],
                trainer=options["trainer"],
                password=options["password"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"{user.email}: {assignment}")

    def _list(self, options: dict[str, Any]) -> None:
        roles = RoleAssignment.objects.select_related(
            "user", "country", "organisation", "trainer", "enterprise"
        ).order_by("user__email", "role")
        for assignment in roles:
            self.stdout.write(f"{assignment.user.email}\t{assignment}")

    def _remove(self, options: dict[str, Any]) -> None:
        user = User.objects.filter(email__iexact=options["email"]).first()
        if user is None:
            raise CommandError(f"no user with e-mail {options['email']!r}")
        count, _ = user.roles.all().delete()
        user.is_active = False
        user.save(update_fields=["is_active"])
        self.stdout.write(f"{user.email}: {count} role(s) removed, user deactivated")
