"""The one exception a service raises when it refuses an action."""


class DomainError(Exception):
    """A refused action, with a message the view shows the user as it is (already translated).

    Every state change goes through a service function: it checks permission and state, writes
    inside a transaction (locking the row where two people can race), records the decision, queues
    the notices, and raises DomainError when it can't. Views never change a status themselves."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message
