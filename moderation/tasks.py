"""Celery wrappers of moderation's background work (the plain functions are in services/)."""

from celery import shared_task

from capture.models import Connection


@shared_task(name="moderation.tasks.find_questions")
def find_questions(connection_pk: int):
    """R20: the questions among what a sync of this connection captured (services/questions.py)."""
    from moderation.services.questions import find_questions as find

    connection = Connection.objects.select_related("account").filter(pk=connection_pk).first()
    if connection is None:
        return None
    result = find(connection)
    return {"found": result.found, "answered": result.answered}
