"""What every app of the portal shares and none owns: the domain error, access to objects for the
user asking, form fields, private files, queueing, ISO weeks and beat schedules for migrations.

Nothing here defines a table or imports one of the portal's apps (import-linter holds it to that:
pyproject.toml), so any app may import it."""
