from django.apps import AppConfig


class CollectConfig(AppConfig):
    """Field collection: the field forms (XLSForms compiled by pyxform), the OpenRosa server
    ODK Collect and KoboCollect speak, the same forms in the browser, and the review queue."""

    name = "scoretrack.collect"
    label = "collect"
