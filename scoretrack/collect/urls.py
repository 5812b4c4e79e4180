"""Field collection at /collect/: the OpenRosa server, the forms' downloads, the review queue."""

app_name = "collect"
urlpatterns: list = []
