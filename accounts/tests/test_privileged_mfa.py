"""Privileged users (superusers, staff, comms) pass two-step verification before any privileged
page or action, and the portal's sign-in is the only door (README, "Signing in, sessions and the
admin").

"Passed" means in this session: allauth records how a session signed in, and a privileged user
needs a record of the second step ("mfa") beside an authenticator that is still active. Tests
sign in with force_login, which records what the portal's sign-in would (conftest.py);
sign_in_without_mfa_step() gives a session that skipped it.
"""

import pytest
from allauth.account.authentication import get_authentication_records
from django.contrib.auth import SESSION_KEY
from django.test import override_settings
from django.urls import reverse
from django.utils.http import urlencode

from accounts import rules
from accounts.models import SocialAccount
from accounts.tests.factories import UserFactory
from conftest import give_mfa, sign_in_without_mfa_step, totp_code
from moderation.evidence import store_evidence
from moderation.models import ModerationCase
from moderation.tests.files import png
from moderation.tests.files.storage import private_media

# Comms pages, the records export and the disposal form (R3, R25): what a superuser reached with a
# password alone.
PRIVILEGED_PAGES = ["review:queue", "records:index", "records:disposal_list", "council:attendance_table"]


def pass_mfa_url(next_path):
    return f"{reverse('mfa_reauthenticate')}?{urlencode({'next': next_path})}"


@pytest.fixture
def staff_outside_comms(db):
    """The staff flag, set on someone who is neither comms nor a superuser."""
    return UserFactory(email="personal@example.falkoping.se", is_staff=True)


@pytest.mark.django_db
class TestRules:
    def test_a_superuser_without_mfa_gets_only_what_any_staff_member_gets(self, superuser, library_account):
        assert rules.needs_mfa_step(superuser)
        # Not the rules' permissions, not Django's model permissions (the admin's).
        assert not superuser.has_perm("portal.comms")
        assert not superuser.has_perm("account.edit", library_account)
        assert not superuser.has_perm("records.dispose")
        assert not superuser.has_perm("accounts.change_socialaccount")
        assert not superuser.has_module_perms("accounts")
        assert superuser.has_perm("account.view", library_account)

    def test_with_mfa_a_superuser_may_everything(self, superuser, library_account):
        give_mfa(superuser)
        assert not rules.needs_mfa_step(superuser)
        assert superuser.has_perm("account.edit", library_account)
        assert superuser.has_perm("accounts.change_socialaccount")

    def test_staff_and_comms_are_privileged_plain_employees_are_not(
        self, staff_outside_comms, kommunikator_utan_mfa, medarbetare, chef, redaktor
    ):
        assert rules.needs_mfa_step(staff_outside_comms)
        assert rules.needs_mfa_step(kommunikator_utan_mfa)
        for person in (medarbetare, chef, redaktor):
            assert not rules.needs_mfa_step(person)

    def test_the_comms_groups_model_permissions_wait_for_mfa_too(self, kommunikator_utan_mfa):
        assert not kommunikator_utan_mfa.has_perm("accounts.change_socialaccount")
        give_mfa(kommunikator_utan_mfa)
        assert kommunikator_utan_mfa.has_perm("accounts.change_socialaccount")

    @override_settings(COMMS_REQUIRE_MFA=False)
    def test_the_demo_setting_lifts_it(self, superuser, library_account):
        assert not rules.needs_mfa_step(superuser)
        assert superuser.has_perm("account.edit", library_account)


@pytest.mark.django_db
class TestPages:
    @pytest.mark.parametrize("name", PRIVILEGED_PAGES)
    def test_a_superuser_without_mfa_is_sent_to_activate_it(self, client, superuser, name):
        client.force_login(superuser)
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")

    def test_nor_does_a_superuser_without_mfa_read_evidence(
        self, client, tmp_path, superuser, redaktor, library_account
    ):
        with private_media(tmp_path):
            case = ModerationCase.objects.create(
                account=library_account, content_kind="comment", category="spam", description="x", opened_by=redaktor
            )
            evidence = store_evidence(redaktor, png(), case=case)
            client.force_login(superuser)
            assert client.get(reverse("moderation:evidence_file", args=[evidence.pk])).status_code == 403
            client.force_login(give_mfa(superuser))
            assert client.get(reverse("moderation:evidence_file", args=[evidence.pk])).status_code == 200

    @pytest.mark.parametrize("who", ["superuser", "kommunikator_utan_mfa"])
    def test_mfa_active_but_not_passed_in_this_session_is_sent_to_pass_it(self, client, request, who):
        user = give_mfa(request.getfixturevalue(who))
        sign_in_without_mfa_step(client, user)
        page = reverse("review:queue")
        response = client.get(page)
        assert response.status_code == 302 and response["Location"] == pass_mfa_url(page)
        admin = client.get(reverse("admin:index"))
        assert admin.status_code == 302 and admin["Location"] == pass_mfa_url(reverse("admin:index"))

        # The code from the app, and back where they were going.
        response = client.post(pass_mfa_url(page), {"code": totp_code()})
        assert response.status_code == 302 and response["Location"] == page
        assert client.get(page).status_code == 200
        assert client.get(reverse("admin:index")).status_code == 200

    def test_a_post_without_the_step_changes_nothing(self, client, kommunikator, library_account):
        sign_in_without_mfa_step(client, kommunikator)
        # A valid closing (issue 19: with the reason for closing without the final archive), but no step.
        data = {"reason": "on_request", "waiver": "Kontot finns inte kvar på plattformen."}
        response = client.post(reverse("accounts:close", args=[library_account.pk]), data)
        assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_reauthenticate"))
        assert SocialAccount.objects.get(pk=library_account.pk).status == library_account.status

    def test_an_authenticator_removed_since_the_step_counts_no_more(self, client, kommunikator):
        client.force_login(kommunikator)
        assert client.get(reverse("review:queue")).status_code == 200
        kommunikator.authenticator_set.all().delete()
        response = client.get(reverse("review:queue"))
        assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")

    def test_comms_without_mfa_activate_it_then_pass_it(self, client, kommunikator_utan_mfa):
        """Comms without MFA are sent to activate it, as before; then, as at every sign-in, the
        code from the app opens the privileged pages for the session."""
        client.force_login(kommunikator_utan_mfa)
        page = reverse("review:queue")
        assert client.get(page)["Location"] == reverse("mfa_activate_totp")
        # allauth asks for the password again before MFA changes.
        client.post(reverse("account_reauthenticate"), {"password": "falkoping-test"})
        secret = client.get(reverse("mfa_activate_totp")).context["form"].secret
        assert client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)}).status_code == 302
        assert client.get(page)["Location"] == pass_mfa_url(page)
        assert client.post(pass_mfa_url(page), {"code": totp_code(secret)})["Location"] == page
        assert client.get(page).status_code == 200


@pytest.mark.django_db
class TestOneSignInDoor:
    """The admin's own login form was a second door: no limits, no two-step verification, and a
    signed-in employee could sign in there as someone else."""

    def test_the_admins_login_sends_to_the_portals_sign_in(self, client):
        response = client.get(reverse("admin:login") + "?next=/admin/accounts/")
        assert response.status_code == 302
        assert response["Location"] == reverse("account_login") + "?next=/admin/accounts/"

    def test_a_password_posted_to_it_signs_nobody_in(self, client, superuser):
        for _attempt in range(8):
            client.post(reverse("admin:login"), {"username": superuser.email, "password": "fel"})
        response = client.post(reverse("admin:login"), {"username": superuser.email, "password": "falkoping-test"})
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
        assert SESSION_KEY not in client.session

    def test_a_signed_in_employee_cannot_sign_in_there_as_someone_else(self, client, medarbetare, superuser):
        client.force_login(medarbetare)
        page = client.get(reverse("admin:login"))
        assert page.status_code == 403 and 'name="password"' not in page.content.decode()
        response = client.post(reverse("admin:login"), {"username": superuser.email, "password": "falkoping-test"})
        assert response.status_code == 403
        assert client.session[SESSION_KEY] == str(medarbetare.pk)

    def test_whoever_may_enter_goes_on_to_the_admin(self, client, kommunikator):
        client.force_login(kommunikator)
        response = client.get(reverse("admin:login") + "?next=/admin/accounts/")
        assert response.status_code == 302 and response["Location"] == "/admin/accounts/"
        assert client.get(reverse("admin:login") + "?next=https://evil.example/")["Location"] == reverse("admin:index")

    def test_the_portals_sign_in_asks_a_superuser_for_the_code(self, client, superuser):
        give_mfa(superuser)
        response = client.post(reverse("account_login"), {"login": superuser.email, "password": "falkoping-test"})
        assert response["Location"] == reverse("mfa_authenticate")
        response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
        assert response.status_code == 302
        records = get_authentication_records(response.wsgi_request, superuser)
        assert [r["method"] for r in records] == ["password", "mfa"]
        assert client.get(reverse("admin:index")).status_code == 200
