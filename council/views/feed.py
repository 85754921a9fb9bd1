"""Being written (issue 6)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


feed = feed_settings = feed_renew = meeting_ics = _todo
