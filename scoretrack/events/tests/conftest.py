from scoretrack.lib.tests.pages import world  # noqa: F401  (the shared page-test world)
