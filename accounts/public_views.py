# Placeholder: replaced by the public page implementation.
from django.http import HttpResponse


def public_list(request):
    return HttpResponse("")


public_json = public_csv = public_list
