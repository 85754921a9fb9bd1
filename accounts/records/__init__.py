"""Public records and archiving (R3, R25): the records export (export.py), retention rules and
recorded disposal (retention.py), and the guard that refuses every other deletion (guard.py)."""
