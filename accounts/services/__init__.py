"""Every state change of the registry goes through a service function here: it checks permission
and state, writes inside a transaction (locking the row where two people can race), records the
decision, queues the notices, and raises DomainError with a message for the user when it can't.
Views never change a status themselves."""


class DomainError(Exception):
    """A refused action, with a message the view shows the user as it is (already translated)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message
