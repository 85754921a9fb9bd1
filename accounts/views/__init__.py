"""Staff pages of the accounts app, a module per concern: the registry, an account's lifecycle,
mandates, people and their trainings."""
