"""Every state change of the registry goes through a service function here: it checks permission
and state, writes inside a transaction (locking the row where two people can race), records the
decision, queues the notices, and raises DomainError with a message for the user when it can't.
Views never change a status themselves."""
