from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import include, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from accounts.rules import in_comms_group
from falkoping_some import pages
from falkoping_some import views as portal_views


def _admin_login(request, extra_context=None):
    """One sign-in door for the whole portal, its own (allauth's, with its limits and MFA): the
    admin's login form is never shown and takes no password. The signed-out are sent to the
    portal's sign-in, whoever may enter goes on to the admin, anyone else signed in is refused."""
    next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = reverse("admin:index")
    if not request.user.is_authenticated:
        return redirect_to_login(next_url)
    if admin.site.has_permission(request):
        return redirect(next_url)
    raise PermissionDenied


admin.site.login = _admin_login
_staff_may_enter = admin.site.has_permission


def _comms_or_superuser_may_enter(request):
    """The admin is for comms and superusers only: a staff flag set by mistake on anyone else does
    not open it (AdminSite asks only is_active and is_staff). Their MFA is required by
    AdminRequiresMFAMiddleware."""
    user = request.user
    return _staff_may_enter(request) and (user.is_superuser or in_comms_group(user))


admin.site.has_permission = _comms_or_superuser_may_enter
admin.site.site_header = "SoMe-portalen – administration"
admin.site.site_title = "SoMe-portalen"

urlpatterns = [
    path("", pages.dashboard, name="dashboard"),
    path("", include("accounts.public_urls")),
    path("", include("publicinfo.urls")),
    path("", include("accounts.urls")),
    path("", include("activity.urls")),
    path("", include("review.urls")),
    path("", include("records.urls")),
    path("", include("capture.urls")),
    path("moderering/", include("moderation.urls")),
    path("someradet/", include("council.urls")),
    path("inloggning/", include("allauth.urls")),
    path("halsa", portal_views.health, name="health"),
    path("favicon.ico", portal_views.favicon, name="favicon"),
    # Exempt from CSRF so that no page carries a token for the language switch alone, and the
    # public page is the same bytes for every anonymous visitor (accounts/public_page_cache.py). The
    # worst a forged post can do is switch someone's language; `next` stays on this site.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]
