"""Being written (issue 5)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


moderation_index = case_create = case_detail = evidence_upload = case_mark_removed = case_police_report = (
    evidence_file
) = _todo
