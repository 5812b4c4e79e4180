from django.urls import path

from scoretrack.quality import views

app_name = "quality"

urlpatterns = [
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/<str:code>/<str:period>/", views.approval, name="approval"),
    path("violations/", views.violations, name="violations"),
    path("run/", views.run, name="run"),
]
