"""Being written (issue 3)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


account_request = manager_decision = comms_decision = account_activate = account_close = _todo
