"""`scoretrack worker`: run background tasks (imports of big workbooks) from the database queue."""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker


class Command(DatabaseWorker):
    help = "Run queued background tasks (big imports). `make run` starts one beside the server."
