"""Field collection at /collect/: the OpenRosa server, the forms' downloads, the review queue."""

from django.urls import path

from scoretrack.collect import views_forms

app_name = "collect"
urlpatterns: list = [
    # collect-forms: the forms' downloads (session-authenticated pages)
    path("forms/", views_forms.form_list, name="forms"),
    path("forms/<slug:form_id>/xlsform/", views_forms.form_xlsform, name="form-xlsform"),
    path("forms/<slug:form_id>/xform/", views_forms.form_xform, name="form-xform"),
    path("forms/<slug:form_id>/files/<str:name>", views_forms.form_media, name="form-media"),
]
