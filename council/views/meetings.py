"""Being written (issue 6)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


council_index = meeting_create = meeting_detail = meeting_edit = meeting_publish = meeting_cancel = respond = (
    respond_by_token
) = _todo
