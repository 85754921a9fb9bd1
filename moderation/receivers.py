"""What moderation does when capture tells it something (capture/signals.py)."""

from falkoping_some.lib.queueing import enqueue_on_commit


def find_questions_after_capture(sender, connection, account=None, **kwargs):
    """R20: a sync committed new items: find the questions among them in the worker, not in the sync.
    A lost message costs nothing: the hourly overdue check finds them first (scheduled_checks.py)."""
    from moderation.tasks import find_questions

    enqueue_on_commit(find_questions, connection.pk)
