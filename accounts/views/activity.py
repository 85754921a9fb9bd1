"""Being written (issue 4)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404
activity_log = activity_import = activity_import_status = _todo
