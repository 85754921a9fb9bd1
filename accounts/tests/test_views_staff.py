"""Staff pages of the registry: who sees what, and forged POSTs that must change nothing."""

import pytest
from django.urls import reverse

from accounts.models import AccountStatus, SocialAccount
from accounts.tests.factories import SocialAccountFactory


@pytest.mark.django_db
class TestSignInRequired:
    @pytest.mark.parametrize(
        "name,args", [("dashboard", []), ("accounts:list", []), ("accounts:detail", [1]), ("accounts:edit", [1])]
    )
    def test_anonymous_is_sent_to_sign_in(self, client, name, args):
        url = reverse(name, args=args)
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
class TestAccountList:
    def test_lists_every_status_for_staff(self, client, medarbetare, library_account):
        closed = SocialAccountFactory(
            name="Gammalt konto", status=AccountStatus.CLOSED, closed_on="2025-01-01", closing_reason="on_request"
        )
        client.force_login(medarbetare)
        response = client.get(reverse("accounts:list"))
        assert response.status_code == 200
        assert library_account.name in response.text and closed.name in response.text

    def test_filters_by_status_unit_platform_and_search(
        self, client, medarbetare, library_account, social_account, kultur
    ):
        insta = SocialAccountFactory(name="Museet på Instagram", platform="instagram", unit=kultur)
        client.force_login(medarbetare)

        def names(**params):
            response = client.get(reverse("accounts:list"), params)
            return {a.name for a in response.context["page"]}

        assert names(platform="instagram") == {insta.name}
        assert names(unit=kultur.pk) == {insta.name, library_account.name}  # Biblioteket is below Kultur
        assert names(q="socialförvaltningen") == {social_account.name}
        assert names(q="FALKOPINGSBIBLIOTEK") == {library_account.name}
        assert names(status="requested") == set()
        # Swedish letters in any case, on SQLite too (whose LIKE folds only ASCII).
        gymnasiet = SocialAccountFactory(name="Ållebergsgymnasiet", unit=kultur)
        assert names(q="ålleberg") == {gymnasiet.name}
        assert names(q="ÅLLEBERGSGYMNASIET") == {gymnasiet.name}
        # A bad filter value is ignored, not an error page.
        assert client.get(reverse("accounts:list"), {"unit": "nonsense"}).status_code == 200

    def test_queries_do_not_grow_with_the_number_of_accounts(self, client, medarbetare, django_assert_max_num_queries):
        client.force_login(medarbetare)
        SocialAccountFactory.create_batch(3)
        with django_assert_max_num_queries(12) as few:
            client.get(reverse("accounts:list"))
        SocialAccountFactory.create_batch(60)
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(reverse("accounts:list"))


@pytest.mark.django_db
class TestAccountDetail:
    def test_shows_registry_entry_and_editors(self, client, medarbetare, redaktor, library_account, kommunikator):
        library_account.login_holders.add(kommunikator)
        client.force_login(medarbetare)
        response = client.get(reverse("accounts:detail", args=[library_account.pk]))
        assert response.status_code == 200
        assert str(redaktor) in response.text
        assert str(kommunikator) in response.text
        assert reverse("accounts:edit", args=[library_account.pk]) not in response.text

    def test_comms_gets_the_edit_link(self, client, kommunikator, library_account):
        client.force_login(kommunikator)
        response = client.get(reverse("accounts:detail", args=[library_account.pk]))
        assert reverse("accounts:edit", args=[library_account.pk]) in response.text

    def test_missing_account_is_404(self, client, medarbetare):
        client.force_login(medarbetare)
        assert client.get(reverse("accounts:detail", args=[999999])).status_code == 404


def edit_data(account, **changes):
    data = {
        "name": account.name,
        "platform": account.platform,
        "platform_other": account.platform_other,
        "handle": account.handle,
        "url": account.url,
        "unit": account.unit_id,
        "description": account.description,
        "purposes": account.purposes,
        "graphic_profile": account.graphic_profile,
        "special_profile_reference": account.special_profile_reference,
    }
    data.update(changes)
    return data


@pytest.mark.django_db
class TestAccountEdit:
    def test_comms_edits_the_registry_entry(self, client, kommunikator, library_account):
        client.force_login(kommunikator)
        url = reverse("accounts:edit", args=[library_account.pk])
        assert client.get(url).status_code == 200
        response = client.post(
            url, edit_data(library_account, description="Ny beskrivning", login_holders=[kommunikator.pk])
        )
        assert response.status_code == 302
        library_account.refresh_from_db()
        assert library_account.description == "Ny beskrivning"
        assert list(library_account.login_holders.all()) == [kommunikator]

    @pytest.mark.parametrize("role", ["medarbetare", "redaktor", "chef", "annan_chef"])
    def test_forged_post_by_non_comms_is_refused_and_changes_nothing(self, client, request, role, library_account):
        client.force_login(request.getfixturevalue(role))
        before = SocialAccount.objects.values().get(pk=library_account.pk)
        response = client.post(
            reverse("accounts:edit", args=[library_account.pk]),
            edit_data(library_account, name="Kapat konto", url="https://evil.example/x"),
        )
        assert response.status_code == 403
        assert "Du har inte behörighet till detta" in response.content.decode()
        assert SocialAccount.objects.values().get(pk=library_account.pk) == before

    def test_comms_without_mfa_is_sent_to_activate_it_and_nothing_changes(
        self, client, kommunikator_utan_mfa, library_account
    ):
        client.force_login(kommunikator_utan_mfa)
        response = client.post(
            reverse("accounts:edit", args=[library_account.pk]), edit_data(library_account, name="Ändrat")
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_activate_totp")
        library_account.refresh_from_db()
        assert library_account.name != "Ändrat"

    def test_http_link_is_refused_with_a_message_and_nothing_lost(self, client, kommunikator, library_account):
        client.force_login(kommunikator)
        response = client.post(
            reverse("accounts:edit", args=[library_account.pk]),
            edit_data(library_account, url="http://www.facebook.com/x", description="Behålls i formuläret"),
        )
        assert response.status_code == 200
        assert response.context["form"].errors["url"]
        assert "Behålls i formuläret" in response.text  # what the user typed is still there
        library_account.refresh_from_db()
        assert library_account.url == "https://www.facebook.com/falkopingsbibliotek"

    def test_a_link_already_in_the_registry_is_refused(self, client, kommunikator, library_account, social_account):
        client.force_login(kommunikator)
        response = client.post(
            reverse("accounts:edit", args=[library_account.pk]),
            edit_data(library_account, url="https://m.facebook.com/FalkopingSocial/"),
        )
        assert response.status_code == 200
        assert response.context["form"].non_field_errors()
        library_account.refresh_from_db()
        assert library_account.url == "https://www.facebook.com/falkopingsbibliotek"

    def test_login_holders_must_be_comms_r13(self, client, kommunikator, medarbetare, library_account):
        client.force_login(kommunikator)
        response = client.post(
            reverse("accounts:edit", args=[library_account.pk]),
            edit_data(library_account, login_holders=[medarbetare.pk]),
        )
        assert response.status_code == 200
        assert "login_holders" in response.context["form"].errors
        assert not library_account.login_holders.exists()


@pytest.mark.django_db
class TestDashboard:
    def test_each_role_sees_its_sections(self, client, kommunikator, chef, redaktor, medarbetare, library_account):
        client.force_login(kommunikator)
        assert client.get(reverse("dashboard")).context["status_counts"]
        client.force_login(chef)
        context = client.get(reverse("dashboard")).context
        assert list(context["managed_accounts"]) == [library_account]
        assert "status_counts" not in context
        client.force_login(redaktor)
        assert [m.account for m in client.get(reverse("dashboard")).context["my_mandates"]] == [library_account]
        client.force_login(medarbetare)
        context = client.get(reverse("dashboard")).context
        assert list(context["unit_accounts"]) == [library_account]
        assert not context["my_mandates"] and "managed_units" not in context


@pytest.mark.django_db
class TestAdmin:
    def test_admin_requires_mfa_for_staff(self, client, kommunikator_utan_mfa):
        client.force_login(kommunikator_utan_mfa)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")

    def test_comms_with_mfa_uses_the_admin_but_cannot_delete_accounts(self, client, kommunikator, library_account):
        client.force_login(kommunikator)
        assert client.get(reverse("admin:accounts_socialaccount_changelist")).status_code == 200
        change = client.get(reverse("admin:accounts_socialaccount_change", args=[library_account.pk]))
        assert change.status_code == 200 and 'name="name"' in change.text
        response = client.post(
            reverse("admin:accounts_socialaccount_delete", args=[library_account.pk]), {"post": "yes"}
        )
        assert response.status_code == 403
        assert SocialAccount.objects.filter(pk=library_account.pk).exists()

    def test_an_existing_accounts_lifecycle_is_not_changed_in_the_admin(self, client, kommunikator, redaktor):
        """R15: closing revokes the mandates, which only the lifecycle's service does; the admin
        sets the status only when an account that existed before the portal is entered."""
        account = redaktor.mandates.get().account
        client.force_login(kommunikator)
        url = reverse("admin:accounts_socialaccount_change", args=[account.pk])
        page = client.get(url)
        assert 'name="status"' not in page.text and 'name="closed_on"' not in page.text
        form = page.context["adminform"].form
        data = {name: form[name].value() or "" for name in form.fields}
        data.update(purposes=account.purposes, login_holders=[])
        data.update({"status": "closed", "closed_on": "2026-01-01", "closing_reason": "other", "closing_note": "x"})
        data.update({"mandates-TOTAL_FORMS": "0", "mandates-INITIAL_FORMS": "0"})
        assert client.post(url, data).status_code == 302  # saved: the rest of the form was valid
        account.refresh_from_db()
        assert account.status == "active" and account.closed_on is None
        assert account.mandates.filter(revoked_at__isnull=True).exists()
        assert 'name="status"' in client.get(reverse("admin:accounts_socialaccount_add")).text

    def test_anonymous_admin_goes_to_the_portal_sign_in(self, client):
        response = client.get(reverse("admin:index"), follow=True)
        assert response.redirect_chain[-1][0].startswith(reverse("account_login"))

    def test_employee_cannot_enter_the_admin(self, client, medarbetare):
        client.force_login(medarbetare)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302  # to the admin's login, which is the portal's sign-in again
        assert not response["Location"].startswith(reverse("admin:index") + "accounts")


@pytest.mark.django_db
def test_comms_reads_the_scheduled_checks_records_in_the_admin_without_changing_them(
    client, kommunikator, library_account
):
    from review.models import CheckRun, ReviewFlag
    from review.scheduled_checks import CHECKS, run_checks

    run_checks()  # the library account never posted and has no editor: three flags, a run per check
    client.force_login(kommunikator)
    for name in ["activity_weeklyactivity", "review_reviewflag", "review_checkrun", "activity_activityimport"]:
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200, name
    flag = ReviewFlag.objects.get(account=library_account, kind="no_active_editor")
    response = client.post(reverse("admin:review_reviewflag_delete", args=[flag.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert ReviewFlag.objects.filter(pk=flag.pk).exists() and CheckRun.objects.count() == len(CHECKS)
