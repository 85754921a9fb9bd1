"""Public records (R3, R25): the records export, retention and disposal, the audit pages."""
