"""Tools for developing the portal, not part of it: the demo runner of `make run` and the test
environment of `make test`."""
