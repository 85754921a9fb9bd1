"""The worker's autodiscovery reads each app's tasks module: the CSV import's task lives beside the
import code (csv_import.py) and is named here so that the worker finds it."""

from .csv_import import run_activity_import

__all__ = ["run_activity_import"]
