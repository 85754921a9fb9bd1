from django.http import HttpResponse


def dashboard(request):
    return HttpResponse("")


account_list = account_detail = account_edit = dashboard
