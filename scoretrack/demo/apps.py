from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo: the reference catalogue, the synthetic programme generator and
    the `demo` and `generate` commands. No models of its own."""

    name = "scoretrack.demo"
    label = "demo"
