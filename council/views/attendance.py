"""Being written (issue 6)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


attendance_record = minutes_edit = attachment_upload = attachment_file = attendance_table = _todo
