import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scoretrack.settings")
application = get_wsgi_application()
# The URLs, and with them the API's schemas (a second of pydantic models), are
# built as a server process starts, not during the first request it serves.
get_resolver().url_patterns  # noqa: B018
