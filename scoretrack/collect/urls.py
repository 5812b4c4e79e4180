"""Field collection at /collect/: the OpenRosa server, the forms' downloads, the review queue."""

from django.urls import path

from scoretrack.collect import openrosa

app_name = "collect"

# The OpenRosa endpoints, at /collect/ for Digest / Basic and at a collect key's
# per-user URL /collect/key/<token>/ (names prefixed "key-").
_openrosa = [
    ("formList", openrosa.form_list, "formlist"),
    ("forms/<str:form_id>/form.xml", openrosa.form_xml, "form-xml"),
    ("forms/<str:form_id>/manifest", openrosa.manifest, "manifest"),
    ("forms/<str:form_id>/media/<str:name>", openrosa.media, "media"),
    ("submission", openrosa.submission, "submission"),
]

urlpatterns: list = [path(route, view, name=name) for route, view, name in _openrosa]
urlpatterns += [
    path(f"key/<str:key>/{route}", view, name=f"key-{name}") for route, view, name in _openrosa
]
