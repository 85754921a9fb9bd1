"""The platform connectors (base.py says what one is; registry.py which ones there are)."""
