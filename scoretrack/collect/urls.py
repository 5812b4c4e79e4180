"""Field collection at /collect/: the OpenRosa server, the forms' downloads, the review queue."""

from django.urls import path

from scoretrack.collect import views_forms, webforms

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
