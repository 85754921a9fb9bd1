from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from accounts import views as account_views
from accounts.rules import in_comms_group
from falkoping_some import views as portal_views

# One sign-in for the whole portal (allauth's, with its rate limits and MFA): the admin's own
# login form is never shown.
admin.site.login = login_required(admin.site.login)
_staff_may_enter = admin.site.has_permission


def _comms_or_superuser_may_enter(request):
    """The admin is for comms and superusers only: a staff flag set by mistake on anyone else does
    not open it (AdminSite asks only is_active and is_staff). Comms' MFA is required by
    AdminRequiresMFAMiddleware."""
    user = request.user
    return _staff_may_enter(request) and (user.is_superuser or in_comms_group(user))


admin.site.has_permission = _comms_or_superuser_may_enter
admin.site.site_header = "SoMe-portalen – administration"
admin.site.site_title = "SoMe-portalen"

urlpatterns = [
    path("", account_views.dashboard, name="dashboard"),
    path("", include("accounts.public_urls")),
    path("", include("accounts.urls")),
    path("moderering/", include("moderation.urls")),
    path("someradet/", include("council.urls")),
    path("inloggning/", include("allauth.urls")),
    path("halsa", portal_views.health, name="health"),
    # Exempt from CSRF so that no page carries a token for the language switch alone, and the
    # public page is the same bytes for every anonymous visitor (accounts/public_page_cache.py). The
    # worst a forged post can do is switch someone's language; `next` stays on this site.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]
