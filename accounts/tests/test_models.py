import datetime

import pytest
from django.db import IntegrityError, transaction

from accounts.models import AccountStatus, GraphicProfile, Mandate, OrgUnit, Platform, SocialAccount
from accounts.tests.factories import MandateFactory, OrgUnitFactory, SocialAccountFactory


@pytest.mark.django_db
class TestOrgUnitTree:
    def test_path_follows_the_tree(self, kultur, biblioteket):
        assert kultur.path == f"{kultur.pk}/"
        assert biblioteket.path == f"{kultur.pk}/{biblioteket.pk}/"
        assert biblioteket.root_id == kultur.pk
        assert set(kultur.subtree()) == {kultur, biblioteket}

    def test_moving_a_unit_carries_its_subtree(self, kultur, biblioteket, social):
        barn = OrgUnitFactory(name="Barnavdelningen", parent=biblioteket)
        biblioteket.parent = social
        biblioteket.save()
        barn.refresh_from_db()
        assert barn.path == f"{social.pk}/{biblioteket.pk}/{barn.pk}/"
        assert set(social.subtree()) == {social, biblioteket, barn}
        assert set(kultur.subtree()) == {kultur}


@pytest.mark.django_db
class TestSocialAccountConstraints:
    def _violates(self, **fields):
        with pytest.raises(IntegrityError), transaction.atomic():
            SocialAccountFactory(**fields)

    def test_other_platform_needs_a_name(self):
        self._violates(platform=Platform.OTHER, platform_other="")
        assert SocialAccountFactory(platform=Platform.OTHER, platform_other="Flickr").platform_name == "Flickr"

    def test_special_profile_needs_its_decision_r4(self):
        self._violates(graphic_profile=GraphicProfile.SPECIAL, special_profile_reference="")

    def test_active_account_needs_url_and_activation_date(self):
        self._violates(status=AccountStatus.ACTIVE, activated_on=None)
        self._violates(status=AccountStatus.ACTIVE, url="")

    def test_closed_account_needs_date_and_reason_r15(self):
        self._violates(status=AccountStatus.CLOSED, closed_on=None, closing_reason="on_request")
        self._violates(status=AccountStatus.CLOSED, closed_on=datetime.date(2025, 1, 1), closing_reason="")

    def test_one_live_account_per_link_but_a_closed_link_may_return(self):
        SocialAccountFactory(url="https://www.facebook.com/Falkoping/")
        self._violates(url="https://m.facebook.com/falkoping")
        SocialAccount.objects.update(
            status=AccountStatus.CLOSED, closed_on=datetime.date(2025, 1, 1), closing_reason="on_request"
        )
        assert SocialAccountFactory(url="https://facebook.com/falkoping").normalized_url == "facebook.com/falkoping"

    def test_renaming_a_unit_keeps_its_accounts_findable(self, kultur):
        account = SocialAccountFactory(unit=kultur)
        assert SocialAccount.objects.search("kultur- och fritid").get() == account
        kultur.name = "Förvaltningen för Äventyr"
        kultur.save()
        assert SocialAccount.objects.search("äventyr").get() == account
        assert not SocialAccount.objects.search("kultur- och fritid").exists()

    def test_save_keeps_normalised_link_and_handle(self):
        account = SocialAccountFactory(
            url="https://www.Instagram.com/Falkoping_Museum/?hl=sv", handle="@Falkoping_Museum"
        )
        assert account.normalized_url == "instagram.com/falkoping_museum"
        assert account.normalized_handle == "falkoping_museum"
        assert SocialAccount.objects.active().count() == 1
        assert OrgUnit.objects.count() == 1


@pytest.mark.django_db
class TestMandate:
    def test_cannot_end_before_it_starts(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            MandateFactory(valid_from=datetime.date(2025, 3, 1), valid_until=datetime.date(2025, 2, 28))

    def test_active_on_its_edges_r10(self):
        mandate = MandateFactory(valid_from=datetime.date(2025, 3, 1), valid_until=datetime.date(2025, 3, 31))
        for day, expected in [
            (datetime.date(2025, 2, 28), False),
            (datetime.date(2025, 3, 1), True),
            (datetime.date(2025, 3, 31), True),
            (datetime.date(2025, 4, 1), False),
        ]:
            assert mandate.is_active_on(day) is expected
            assert Mandate.objects.active_on(day).filter(pk=mandate.pk).exists() is expected

    def test_revoked_mandate_is_not_active_and_has_a_reason(self):
        mandate = MandateFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            Mandate.objects.filter(pk=mandate.pk).update(revoked_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC))
        Mandate.objects.filter(pk=mandate.pk).update(
            revoked_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC), revoke_reason="Slutat"
        )
        assert not Mandate.objects.active_on(datetime.date(2025, 6, 1)).exists()
