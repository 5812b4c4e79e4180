"""PDF of a report page: the same template and SVG charts, printed by WeasyPrint.

Rendered while the request waits: the demo programme's reports take a few
seconds (see benchmarks/reports.py); a worker task is the next step if real
programmes make them slow.
"""

from __future__ import annotations

from typing import Any

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.text import slugify

PRINT_CSS = "css/reports-print.css"


def render_pdf(request: HttpRequest, template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import CSS, HTML

    html = render_to_string(template, {**context, "printing": True}, request=request)
    # Styles are read from the static files on disk: nothing is fetched over the network.
    stylesheet = CSS(filename=finders.find(PRINT_CSS))
    return HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(
        stylesheets=[stylesheet]
    )


def pdf_response(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(render_pdf(request, template, context), content_type="application/pdf")
    name = slugify(context.get("pdf_name") or template.rsplit("/", 1)[-1].split(".")[0])
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response
