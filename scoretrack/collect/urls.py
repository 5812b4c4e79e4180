"""Field collection at /collect/: the OpenRosa server, the forms' downloads, the review queue."""

from django.urls import path

from scoretrack.collect import openrosa, review, views_forms, webforms

app_name = "collect"
urlpatterns: list = [
    # collect-forms: the forms' downloads (session-authenticated pages)
    path("forms/", views_forms.form_list, name="forms"),
    path("forms/<slug:form_id>/xlsform/", views_forms.form_xlsform, name="form-xlsform"),
    path("forms/<slug:form_id>/xform/", views_forms.form_xform, name="form-xform"),
    path("forms/<slug:form_id>/files/<str:name>", views_forms.form_media, name="form-media"),
    # webforms: the forms in the browser, offline (webforms.py); the worker's folder is
    # its scope.
    path("fill/", webforms.index, name="fill-index"),
    path("fill/sw.js", webforms.worker, name="fill-worker"),
    path("fill/submission", webforms.submission, name="fill-submission"),
    path("fill/<slug:form_id>/", webforms.fill, name="fill"),
    path("fill/<slug:form_id>/media/<str:name>", webforms.media, name="fill-media"),
]

# The OpenRosa endpoints, at /collect/ for Digest / Basic and at a collect key's
# per-user URL /collect/key/<token>/ (names prefixed "key-").
_openrosa = [
    ("formList", openrosa.form_list, "formlist"),
    ("forms/<str:form_id>/form.xml", openrosa.form_xml, "form-xml"),
    ("forms/<str:form_id>/manifest", openrosa.manifest, "manifest"),
    ("forms/<str:form_id>/media/<str:name>", openrosa.media, "media"),
    ("submission", openrosa.submission, "submission"),
]

urlpatterns += [path(route, view, name=name) for route, view, name in _openrosa]
urlpatterns += [
    path(f"key/<str:key>/{route}", view, name=f"key-{name}") for route, view, name in _openrosa
]

# The review queue and the collect password page.
urlpatterns += [
    path("review/", review.review_list, name="review"),
    path("review/<uuid:pk>/", review.review_detail, name="review-detail"),
    path("review/<uuid:pk>/accept", review.review_accept, name="review-accept"),
    path("review/<uuid:pk>/reject", review.review_reject, name="review-reject"),
    path("review/<uuid:pk>/files/<str:name>", review.attachment, name="review-attachment"),
    path("phone/", review.collect_key, name="key"),
    path("import/", review.csv_import, name="import"),
]
