"""Being written (issue 5)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


inquiry_list = inquiry_detail = _todo
