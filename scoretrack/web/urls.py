from django.contrib.auth import views as auth_views
from django.urls import path

from scoretrack.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("livez", views.livez, name="livez"),
    path("healthz", views.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language", views.set_language, name="set_language"),
    path("deleted/", views.deleted, name="deleted"),
    path("deleted/restore", views.restore, name="restore"),
]
