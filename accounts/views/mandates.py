"""Being written (issue 3)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


mandate_list = mandate_grant = mandate_revoke = _todo
