"""Simulated social media platforms on loopback (server.py), for the tests and the demo.

Not a product app: nothing in the portal imports it (import-linter, pyproject.toml). The portal
reaches a simulator only as a connection's base address, over HTTP, as it would a real platform.
"""
