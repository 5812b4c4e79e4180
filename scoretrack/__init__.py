"""scoretrack: monitoring, evaluation and management of an enterprise training programme."""
