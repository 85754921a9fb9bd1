"""Being written (issue 4)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404
review_queue = flag_action = _todo
