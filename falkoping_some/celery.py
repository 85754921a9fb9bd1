"""The Celery app. Tasks live in each app's tasks.py; schedules live in the database
(django-celery-beat), editable by comms in the admin."""

import os

import kombu
from celery import Celery
from celery.app.amqp import AMQP

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "falkoping_some.settings")


class BrokerConnection(kombu.Connection):
    """kombu's connection, except that `collect()` also forgets the channel it has closed.

    Why: with Celery 5.7 and kombu 5.7 a worker whose Redis went away while it held a task it had
    not yet acknowledged (acks late: every task that is running) stopped for good with "Unrecoverable
    error: AttributeError: 'NoneType' object has no attribute 'hostname'". On a lost connection the
    worker's consumer calls `collect()`, which closes the default channel (its close gives up half
    way, on the BRPOP that was waiting on the dead socket, before the channel counts as closed) and
    then detaches the transport; Celery 5.7 then also calls `close()`, which closes that same
    channel again. The second time the channel tries to put its unacknowledged messages back through
    a new Redis pool built from the detached transport (`transport.client` is None): AttributeError,
    which the worker does not take for a connection error.

    After `collect()` the channel belongs to a transport that is gone, so forgetting it is what
    `collect()` ("clear out references") should do; the next use of the connection opens a new one.
    The messages lose nothing: Redis keeps each unacknowledged message until its task is
    acknowledged, and gives it to a worker again after the visibility timeout (settings).
    tests/test_faults.py stops Redis under a worker that is sending a notice."""

    def collect(self, socket_timeout=None):
        try:
            super().collect(socket_timeout)
        finally:
            self._default_channel = None


class PortalAMQP(AMQP):
    Connection = BrokerConnection


app = Celery("falkoping_some", amqp=PortalAMQP)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
