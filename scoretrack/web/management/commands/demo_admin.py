"""`scoretrack demo_admin`: make sure the demo administrator exists and print its login."""

from __future__ import annotations

import os
from typing import Any

from scoretrack.accounts.models import User
from scoretrack.lib.commands import DataCommand

DEMO_EMAIL = "admin@scoretrack.local"


class Command(DataCommand):
    help = "Create the demo administrator if missing and print its login."

    def handle(self, *args: Any, **options: Any) -> None:
        email = os.environ.get("DEMO_ADMIN_EMAIL", DEMO_EMAIL)
        password = os.environ.get("DEMO_ADMIN_PASSWORD", "scoretrack-demo")
        user, created = User.objects.get_or_create(
            email=email, defaults={"is_staff": True, "is_superuser": True}
        )
        if created:
            user.set_password(password)
            user.save()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo administrator: {email} / password: "
                f"{password if created or user.check_password(password) else '(unchanged)'}"
            )
        )
