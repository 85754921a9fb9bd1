"""The permission rules per role and object (accounts/rules.py)."""

import datetime

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from accounts import rules
from accounts.models import Mandate
from accounts.tests.factories import MandateFactory, SocialAccountFactory
from conftest import give_mfa


def fresh(user):
    """Role facts are cached per user object (per request); a test that changes data asks anew."""
    user.__dict__.pop("_portal_roles", None)
    return user


@pytest.mark.django_db
class TestComms:
    def test_comms_with_mfa_may_use_comms_pages_and_edit(self, kommunikator, library_account):
        assert kommunikator.has_perm("portal.comms")
        assert kommunikator.has_perm("account.edit", library_account)

    def test_comms_without_mfa_is_only_an_employee_while_mfa_is_required(self, kommunikator_utan_mfa, library_account):
        assert rules.needs_mfa_step(kommunikator_utan_mfa)
        assert not kommunikator_utan_mfa.has_perm("portal.comms")
        assert not kommunikator_utan_mfa.has_perm("account.edit", library_account)
        assert kommunikator_utan_mfa.has_perm("account.view", library_account)
        give_mfa(kommunikator_utan_mfa)
        assert kommunikator_utan_mfa.has_perm("account.edit", library_account)

    @override_settings(COMMS_REQUIRE_MFA=False)
    def test_demo_setting_lifts_the_mfa_requirement(self, kommunikator_utan_mfa, library_account):
        assert not rules.needs_mfa_step(kommunikator_utan_mfa)
        assert kommunikator_utan_mfa.has_perm("account.edit", library_account)

    def test_group_model_permissions_do_not_bypass_mfa(self, kommunikator_utan_mfa):
        # The comms group holds Django model permissions for the admin; the portal's own
        # permission names must not be satisfied by them, and they wait for MFA too.
        assert not kommunikator_utan_mfa.has_perm("portal.comms")
        assert not kommunikator_utan_mfa.has_perm("accounts.change_socialaccount")
        give_mfa(kommunikator_utan_mfa)
        assert kommunikator_utan_mfa.has_perm("accounts.change_socialaccount")


@pytest.mark.django_db
class TestOtherRoles:
    @pytest.mark.parametrize("role", ["chef", "annan_chef", "redaktor", "annan_redaktor", "medarbetare"])
    def test_nobody_but_comms_edits_the_registry(self, request, role, library_account):
        user = request.getfixturevalue(role)
        assert user.has_perm("account.view", library_account)
        assert not user.has_perm("account.edit", library_account)
        assert not user.has_perm("portal.comms")

    def test_manager_manages_every_unit_below_their_own(self, chef, annan_chef, library_account, social_account):
        assert rules.manages_account(chef, library_account)  # Biblioteket is below Kultur
        assert not rules.manages_account(chef, social_account)
        assert rules.manages_account(annan_chef, social_account)
        assert not rules.manages_account(annan_chef, library_account)

    def test_editor_edits_only_the_account_of_their_mandate(self, redaktor, library_account, social_account):
        assert rules.edits_account(redaktor, library_account)
        assert not rules.edits_account(redaktor, social_account)

    def test_revoked_mandate_ends_the_right_at_once_r10(self, redaktor, library_account):
        Mandate.objects.filter(user=redaktor).update(revoked_at=timezone.now(), revoke_reason="Ny tjänst")
        assert not rules.edits_account(fresh(redaktor), library_account)

    def test_mandate_counts_on_its_first_and_last_day_r10(self, medarbetare):
        account = SocialAccountFactory()
        MandateFactory(
            user=medarbetare,
            account=account,
            valid_from=datetime.date(2026, 3, 2),
            valid_until=datetime.date(2026, 3, 31),
        )
        for moment, expected in [
            ("2026-03-01 23:59", False),
            ("2026-03-02 00:00", True),
            ("2026-03-31 23:59", True),
            ("2026-04-01 00:00", False),
        ]:
            # Local time in Europe/Stockholm decides the day.
            at = datetime.datetime.fromisoformat(moment).replace(tzinfo=timezone.get_current_timezone())
            with time_machine.travel(at, tick=False):
                assert rules.edits_account(fresh(medarbetare), account) is expected, moment

    def test_anonymous_has_no_role(self, library_account):
        from django.contrib.auth.models import AnonymousUser

        anonymous = AnonymousUser()
        assert not anonymous.has_perm("account.view", library_account)
        assert not anonymous.has_perm("account.list")
        assert not rules.edits_account(anonymous, library_account)

    def test_superuser_may_everything_once_mfa_is_passed(self, superuser, library_account):
        assert not superuser.has_perm("account.edit", library_account)
        give_mfa(superuser)
        assert superuser.has_perm("account.edit", library_account)
