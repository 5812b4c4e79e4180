from django.urls import path

from scoretrack.exchange import views

app_name = "exchange"

urlpatterns = [
    path("import/", views.import_page, name="import"),
    path("import/<uuid:job_id>/", views.import_job, name="import-job"),
    path("import/<uuid:job_id>/confirm/", views.import_confirm, name="import-confirm"),
    path("import/<uuid:job_id>/retry/", views.import_retry, name="import-retry"),
    path("export/", views.export_page, name="export"),
    path("export/template.xlsx", views.template_download, name="template"),
]
