from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The project package is an app too: it holds the base templates' helpers and the
    development runner command."""

    name = "falkoping_some"
    verbose_name = "SoMe-portalen"
