"""PDF of a report page: the same template and SVG charts, printed by WeasyPrint.

Printed while the request waits, once per built report: the PDF is kept in the
report cache beside the report it was drawn from (`reports/cache.py`,
`cached_pdf`), so downloading it again, or after viewing the page, reads it back.
"""

from __future__ import annotations

from typing import Any

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.text import slugify

from scoretrack.reports.cache import cached_pdf

PRINT_CSS = "css/reports-print.css"


def render_pdf(request: HttpRequest, template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import CSS, HTML

    html = render_to_string(template, {**context, "printing": True}, request=request)
    # Styles are read from the static files on disk: nothing is fetched over the network.
    stylesheet = CSS(filename=finders.find(PRINT_CSS))
    return HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(
        stylesheets=[stylesheet]
    )


def pdf_response(
    request: HttpRequest, template: str, context: dict[str, Any], *, name: str
) -> HttpResponse:
    """The report's PDF; `name` is the report's cache name (`reports/cache.py`)."""
    body = cached_pdf(
        request, name, context["as_of"], lambda: render_pdf(request, template, context)
    )
    response = HttpResponse(body, content_type="application/pdf")
    name = slugify(context.get("pdf_name") or template.rsplit("/", 1)[-1].split(".")[0])
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response
