"""The portal's dates and times in Swedish (falkoping_some/formats/portal.py)."""

from django.conf.locale.sv.formats import *  # noqa: F403 (Django's input formats and separators)

from falkoping_some.formats.portal import *  # noqa: F403 (the portal's formats, the same in every language)
