"""Sign-in with allauth: by email, no public sign-up, password reset by email, MFA for comms."""

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from accounts.models import SocialAccount, User
from conftest import totp_code


@pytest.mark.django_db
class TestSignIn:
    def test_sign_in_by_email_lands_on_the_dashboard(self, client, medarbetare):
        response = client.post(
            reverse("account_login"), {"login": "MEDARBETARE@example.falkoping.se", "password": "falkoping-test"}
        )
        assert response.status_code == 302 and response["Location"] == reverse("dashboard")
        assert client.get(reverse("dashboard")).context["user"] == medarbetare

    def test_wrong_password_is_refused(self, client, medarbetare):
        response = client.post(reverse("account_login"), {"login": medarbetare.email, "password": "fel-lösenord"})
        assert response.status_code == 200
        assert response.context["form"].errors
        assert not response.context["user"].is_authenticated

    def test_comms_with_mfa_must_give_the_code_from_their_app(self, client, kommunikator):
        response = client.post(reverse("account_login"), {"login": kommunikator.email, "password": "falkoping-test"})
        assert response["Location"] == reverse("mfa_authenticate")
        assert client.post(reverse("mfa_authenticate"), {"code": "000000"}).status_code == 200
        response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
        assert response.status_code == 302
        assert (
            client.get(
                reverse(
                    "accounts:edit",
                    args=[
                        SocialAccount.objects.create(
                            name="x", platform="facebook", unit=kommunikator.unit, purposes=["services"]
                        ).pk
                    ],
                )
            ).status_code
            == 200
        )

    def test_there_is_no_public_sign_up(self, client):
        response = client.post(
            reverse("account_signup"), {"email": "ny@example.com", "password1": "Ett-långt-lösen-42"}
        )
        assert not User.objects.filter(email="ny@example.com").exists()
        assert response.status_code == 200
        assert "account/signup_closed.html" in [t.name for t in response.templates]

    def test_password_reset_sends_a_link_by_email(self, client, medarbetare):
        response = client.post(reverse("account_reset_password"), {"email": medarbetare.email})
        assert response.status_code == 302
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == [medarbetare.email]
        assert "/inloggning/password/reset/key/" in mail.outbox[0].body


@pytest.mark.django_db
class TestSeedDemo:
    def test_refused_in_production_settings(self):
        with override_settings(DEBUG=False, DEMO_MODE=False), pytest.raises(CommandError):
            call_command("seed_demo")
        assert not User.objects.exists()

    @override_settings(DEMO_MODE=True)
    def test_idempotent_with_every_status_and_role(self, client):
        call_command("seed_demo")
        first = (
            User.objects.count(),
            SocialAccount.objects.count(),
            list(SocialAccount.objects.values_list("status", flat=True).order_by("pk")),
        )
        call_command("seed_demo")
        assert (
            User.objects.count(),
            SocialAccount.objects.count(),
            list(SocialAccount.objects.values_list("status", flat=True).order_by("pk")),
        ) == first
        assert set(first[2]) == {"requested", "manager_approved", "approved", "active", "closed", "rejected"}
        assert 18 <= first[1] <= 25
        assert not User.objects.filter(unit__isnull=True).exists()

        chef = User.objects.get(email="chef@demo.falkoping.se")
        assert chef.managed_units.get().name == "Kultur- och fritidsförvaltningen"
        redaktor = User.objects.get(email="redaktor@demo.falkoping.se")
        assert redaktor.mandates.filter(account__status="active", account__unit__name="Biblioteket").exists()
        assert User.objects.get(email="medarbetare@demo.falkoping.se").unit.name == "Biblioteket"

        for email in ["kommunikator", "chef", "redaktor", "medarbetare", "admin"]:
            assert client.login(email=f"{email}@demo.falkoping.se", password="falkoping-demo"), email

    @override_settings(DEMO_MODE=True)
    def test_the_demo_case_s_screenshot_was_taken_before_removal_and_added_when_opened(self):
        """R22 in the demo's own data: what a newcomer sees on the case page is a case in order."""
        from moderation.models import Evidence

        call_command("seed_demo")
        (evidence,) = Evidence.objects.filter(case__isnull=False)
        assert evidence.taken_at < evidence.case.removed_at
        assert evidence.uploaded_at == evidence.case.opened_at
