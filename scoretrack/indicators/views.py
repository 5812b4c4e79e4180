"""The page of indicator definitions, which every figure on a page links to."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from scoretrack.indicators.disclosure import threshold
from scoretrack.indicators.registry import indicators


@login_required
def definitions(request: HttpRequest) -> HttpResponse:
    context = {"indicators": indicators(), "threshold": threshold()}
    return render(request, "indicators/definitions.html", context)
