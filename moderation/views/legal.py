"""Being written (issue 5)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


legal_list = legal_detail = legal_evidence_upload = _todo
