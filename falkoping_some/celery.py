"""The Celery app. Tasks live in each app's tasks.py; schedules live in the database
(django-celery-beat), editable by comms in the admin."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "falkoping_some.settings")

app = Celery("falkoping_some")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
