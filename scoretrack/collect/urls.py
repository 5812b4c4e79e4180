"""Field collection at /collect/: the OpenRosa server, the forms' downloads, the review queue."""

from django.urls import path

from scoretrack.collect import webforms

app_name = "collect"
urlpatterns: list = [
    # The forms in the browser, offline (webforms.py): the worker's folder is its scope.
    path("fill/", webforms.index, name="fill-index"),
    path("fill/sw.js", webforms.worker, name="fill-worker"),
    path("fill/submission", webforms.submission, name="fill-submission"),
    path("fill/<slug:form_id>/", webforms.fill, name="fill"),
    path("fill/<slug:form_id>/media/<str:name>", webforms.media, name="fill-media"),
]
