"""Prefect flows and tasks: one document, a batch, the watched folder, scheduled re-runs."""
