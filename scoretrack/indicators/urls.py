from django.urls import path

from scoretrack.indicators import views

app_name = "indicators"
urlpatterns = [
    path("", views.definitions, name="definitions"),
]
