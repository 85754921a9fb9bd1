"""Mandates (R10): granting and revoking them as a service, the rights they give on the exact days
they run, and the pages with forged POSTs that must change nothing."""

import datetime
import threading
import time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone, translation

from accounts import rules
from accounts.models import AccountStatus, Mandate
from accounts.services import mandates as service
from accounts.tests.factories import MandateFactory, OrgUnitFactory, SocialAccountFactory, TrainingFactory, UserFactory
from falkoping_some.lib.errors import DomainError

STOCKHOLM = ZoneInfo("Europe/Stockholm")
TODAY = datetime.date(2026, 3, 10)
DAY = datetime.timedelta(days=1)


def fresh(user):
    """Role facts are cached per user object (per request); a test that changes data asks anew."""
    user.__dict__.pop("_portal_roles", None)
    return user


def shown(response) -> list[str]:
    """The messages the page showed, as the user read them (in Swedish)."""
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 10, 12, 0, tzinfo=STOCKHOLM), tick=False)
    return TODAY


@pytest.fixture
def sent(monkeypatch):
    """The notices the service queues: (template, recipients, context)."""
    calls = []
    monkeypatch.setattr(
        service, "notify", lambda recipients, template, context: calls.append((template, set(recipients), context))
    )
    return calls


@pytest.fixture
def library_mandate(redaktor, library_account):
    return Mandate.objects.get(user=redaktor, account=library_account)


@pytest.mark.django_db
class TestGrant:
    def test_manager_of_a_unit_above_grants_for_its_account(self, today, chef, medarbetare, library_account, sent):
        # Biblioteket is below chef's Kultur unit.
        assert not rules.edits_account(fresh(medarbetare), library_account)
        TrainingFactory(trainee=medarbetare)  # R14: trained before
        mandate = service.grant_mandate(chef, library_account, medarbetare, today, today + 90 * DAY)
        assert (mandate.user, mandate.account, mandate.granted_by) == (medarbetare, library_account, chef)
        assert (mandate.valid_from, mandate.valid_until) == (today, today + 90 * DAY)
        assert mandate.on_behalf_of is None and mandate.given_by == chef
        assert rules.edits_account(fresh(medarbetare), library_account)
        assert sent == [
            (
                "mandate_granted",
                {medarbetare},
                {"mandate": mandate, "url": reverse("accounts:person", args=[medarbetare.pk])},
            )
        ]

    def test_comms_registers_one_for_any_unit_on_behalf_of_the_editors_manager(
        self, today, kommunikator, annan_chef, social, social_account, sent
    ):
        employee = UserFactory(unit=social)
        mandate = service.grant_mandate(kommunikator, social_account, employee, today, on_behalf_of=annan_chef)
        assert (mandate.granted_by, mandate.on_behalf_of, mandate.given_by) == (kommunikator, annan_chef, annan_chef)
        assert mandate.valid_until is None

    @pytest.mark.parametrize("role", ["annan_chef", "medarbetare", "redaktor", "kommunikator_utan_mfa"])
    def test_anyone_else_is_refused_and_nothing_is_written(self, request, today, role, library_account, sent):
        actor = request.getfixturevalue(role)
        employee = UserFactory(unit=library_account.unit)
        before = Mandate.objects.count()
        with pytest.raises(PermissionDenied):
            service.grant_mandate(actor, library_account, employee, today)
        assert Mandate.objects.count() == before
        assert sent == []

    def test_nobody_grants_a_mandate_to_themselves_not_even_comms_who_manages(
        self, today, kommunikator, kultur, library_account, sent
    ):
        kultur.managers.add(kommunikator)
        assert fresh(kommunikator).has_perm("mandate.grant", library_account)
        with pytest.raises(DomainError) as refused:
            service.grant_mandate(kommunikator, library_account, kommunikator, today)
        assert "Ingen kan ge sig själv ett uppdrag" in refused.value.message
        assert not Mandate.objects.filter(user=kommunikator).exists()
        assert sent == []

    def test_the_database_refuses_a_mandate_to_oneself_too(self, chef, library_account):
        with pytest.raises(IntegrityError), transaction.atomic():
            Mandate.objects.create(user=chef, account=library_account, valid_from=TODAY, granted_by=chef)

    def test_an_overlapping_mandate_is_refused(self, today, chef, redaktor, library_account, sent):
        # redaktor holds a mandate from 2024-01-01 until further notice.
        with pytest.raises(DomainError) as refused:
            service.grant_mandate(chef, library_account, redaktor, today + 30 * DAY, today + 60 * DAY)
        assert "har redan ett uppdrag för kontot" in refused.value.message
        assert Mandate.objects.filter(user=redaktor).count() == 1
        assert sent == []

    def test_overlap_is_counted_day_by_day(self, today, chef, medarbetare, library_account, sent):
        service.grant_mandate(chef, library_account, medarbetare, today, today + 10 * DAY)
        for start, end in [(today + 10 * DAY, None), (today - 5 * DAY, today), (today - 30 * DAY, None)]:
            with pytest.raises(DomainError):
                service.grant_mandate(chef, library_account, medarbetare, start, end)
        # The day after it ends, a new one may start; another account is another matter.
        service.grant_mandate(chef, library_account, medarbetare, today + 11 * DAY)
        service.grant_mandate(chef, SocialAccountFactory(unit=library_account.unit), medarbetare, today)
        assert Mandate.objects.filter(user=medarbetare).count() == 3

    def test_a_revoked_mandate_does_not_block_a_new_one(self, today, chef, redaktor, library_mandate, sent):
        service.revoke_mandate(chef, library_mandate, "Byter tjänst")
        service.grant_mandate(chef, library_mandate.account, redaktor, today)
        assert Mandate.objects.active_on(today).filter(user=redaktor).count() == 1

    @pytest.mark.parametrize(
        "status,extra",
        [
            (AccountStatus.CLOSED, {"closed_on": TODAY, "closing_reason": "on_request"}),
            (AccountStatus.REJECTED, {"url": ""}),
        ],
    )
    def test_no_mandate_for_a_closed_or_rejected_account(
        self, today, chef, medarbetare, biblioteket, status, extra, sent
    ):
        account = SocialAccountFactory(unit=biblioteket, status=status, **extra)
        with pytest.raises(DomainError):
            service.grant_mandate(chef, account, medarbetare, today)
        assert not Mandate.objects.filter(account=account).exists()

    def test_a_mandate_may_be_granted_before_the_account_starts(self, today, chef, medarbetare, biblioteket, sent):
        account = SocialAccountFactory(unit=biblioteket, status=AccountStatus.APPROVED, url="", activated_on=None)
        assert service.grant_mandate(chef, account, medarbetare, today).account == account

    def test_it_cannot_end_before_it_starts(self, today, chef, medarbetare, library_account, sent):
        with pytest.raises(DomainError):
            service.grant_mandate(chef, library_account, medarbetare, today, today - DAY)
        # Starting and ending on the same day is a one-day mandate.
        assert service.grant_mandate(chef, library_account, medarbetare, today, today).valid_until == today

    def test_not_to_someone_who_can_no_longer_sign_in(self, today, chef, medarbetare, library_account, sent):
        medarbetare.is_active = False
        medarbetare.save()
        with pytest.raises(DomainError):
            service.grant_mandate(chef, library_account, medarbetare, today)


@pytest.mark.django_db
class TestRevoke:
    def test_the_manager_revokes_with_a_reason_and_the_right_ends_at_once(
        self, today, chef, redaktor, library_account, library_mandate, sent
    ):
        assert rules.edits_account(fresh(redaktor), library_account)
        revoked = service.revoke_mandate(chef, library_mandate, "  Har slutat på biblioteket \n")
        assert revoked.revoked_by == chef and revoked.revoked_at is not None
        assert revoked.revoke_reason == "Har slutat på biblioteket"
        assert not rules.edits_account(fresh(redaktor), library_account)  # R10, the same day
        assert sent == [
            (
                "mandate_revoked",
                {redaktor},
                {"mandate": revoked, "url": reverse("accounts:person", args=[redaktor.pk])},
            )
        ]

    @pytest.mark.parametrize("reason", ["", "   \n ", None])
    def test_a_reason_is_required(self, today, chef, library_mandate, reason, sent):
        with pytest.raises(DomainError) as refused:
            service.revoke_mandate(chef, library_mandate, reason)
        assert refused.value.message == "Ange skälet till att uppdraget återkallas."
        library_mandate.refresh_from_db()
        assert library_mandate.revoked_at is None and sent == []

    def test_a_manager_of_another_unit_may_not(self, today, annan_chef, library_mandate, sent):
        with pytest.raises(PermissionDenied):
            service.revoke_mandate(annan_chef, library_mandate, "Fel")
        library_mandate.refresh_from_db()
        assert library_mandate.revoked_at is None and sent == []

    def test_not_twice(self, today, chef, kommunikator, library_mandate, sent):
        service.revoke_mandate(chef, library_mandate, "Ny tjänst")
        with pytest.raises(DomainError) as refused:
            service.revoke_mandate(kommunikator, library_mandate, "Igen")
        assert "Uppdraget har redan återkallats" in refused.value.message
        library_mandate.refresh_from_db()
        assert (library_mandate.revoked_by, library_mandate.revoke_reason) == (chef, "Ny tjänst")

    def test_a_mandate_that_has_ended_is_not_revoked(self, today, chef, medarbetare, library_account, sent):
        ended = MandateFactory(user=medarbetare, account=library_account, valid_until=today - DAY)
        with pytest.raises(DomainError):
            service.revoke_mandate(chef, ended, "För sent")

    def test_one_that_starts_later_can_be_revoked(self, today, chef, medarbetare, library_account, sent):
        later = MandateFactory(user=medarbetare, account=library_account, valid_from=today + 7 * DAY)
        assert service.revoke_mandate(chef, later, "Planerna ändrades").revoked_at is not None


@pytest.mark.django_db
def test_a_granted_mandate_gives_the_right_exactly_on_its_days_r10(chef, medarbetare, library_account, sent):
    TrainingFactory(trainee=medarbetare)  # R14: trained before
    with time_machine.travel(datetime.datetime(2026, 2, 20, 9, 0, tzinfo=STOCKHOLM), tick=False):
        service.grant_mandate(chef, library_account, medarbetare, datetime.date(2026, 3, 2), datetime.date(2026, 3, 31))
    for moment, expected in [
        ("2026-03-01 23:59", False),  # the day before valid_from
        ("2026-03-02 00:00", True),  # valid_from
        ("2026-03-31 23:59", True),  # valid_until
        ("2026-04-01 00:00", False),  # the day after
    ]:
        # Local time in Europe/Stockholm decides the day.
        at = datetime.datetime.fromisoformat(moment).replace(tzinfo=STOCKHOLM)
        with time_machine.travel(at, tick=False):
            assert rules.edits_account(fresh(medarbetare), library_account) is expected, moment


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_overlapping_grants_at_once_yield_exactly_one_mandate(
    chef, kommunikator, medarbetare, library_account, monkeypatch
):
    """Two transactions on PostgreSQL, started together: the account's lock makes the second see
    the first's mandate and refuse."""
    # Each grant lingers between its check and its commit, long enough for the other to check.
    monkeypatch.setattr(service, "notify", lambda *args: time.sleep(0.5))
    start = threading.Barrier(2)
    outcomes = {}

    def grant(actor):
        try:
            start.wait(timeout=10)
            # Comms registers it on chef's behalf (R10).
            on_behalf_of = chef if actor == kommunikator else None
            service.grant_mandate(actor, library_account, medarbetare, timezone.localdate(), on_behalf_of=on_behalf_of)
            outcomes[actor.email] = "granted"
        except DomainError as error:
            outcomes[actor.email] = error.message
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=grant, args=(actor,)) for actor in (chef, kommunikator)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(v == "granted" for v in outcomes.values()) == [False, True], outcomes
    assert Mandate.objects.filter(user=medarbetare).count() == 1


# The pages.


def grant_data(user, valid_from=TODAY, valid_until=None):
    return {"user": user.pk, "valid_from": valid_from.isoformat(), "valid_until": valid_until or ""}


@pytest.mark.django_db
class TestSignInRequired:
    @pytest.mark.parametrize(
        "name,args", [("accounts:mandate_list", []), ("accounts:mandate_grant", [1]), ("accounts:mandate_revoke", [1])]
    )
    def test_anonymous_is_sent_to_sign_in(self, client, name, args):
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
class TestGrantPage:
    def test_manager_grants_and_lands_on_the_account(self, client, today, chef, medarbetare, library_account):
        client.force_login(chef)
        url = reverse("accounts:mandate_grant", args=[library_account.pk])
        page = client.get(url)
        assert page.status_code == 200
        form = page.context["form"]
        assert form["valid_from"].value() == today
        employees = list(form.fields["user"].queryset)
        assert medarbetare in employees and chef not in employees  # never oneself
        assert f"{medarbetare} ({medarbetare.unit})" in page.text  # labelled with the unit

        response = client.post(url, grant_data(medarbetare, valid_until=today + 30 * DAY))
        assert response.status_code == 302 and response["Location"] == library_account.get_absolute_url()
        mandate = Mandate.objects.get(user=medarbetare)
        assert (mandate.granted_by, mandate.valid_until) == (chef, today + 30 * DAY)
        assert len(shown(response)) == 1

    def test_the_employee_list_holds_only_active_users_by_name(self, client, chef, biblioteket, library_account):
        gone = UserFactory(first_name="Åsa", is_active=False, unit=biblioteket)
        first, second = (
            UserFactory(first_name="Anna", unit=biblioteket),
            UserFactory(first_name="Bertil", unit=biblioteket),
        )
        client.force_login(chef)
        page = client.get(reverse("accounts:mandate_grant", args=[library_account.pk]))
        employees = list(page.context["form"].fields["user"].queryset)
        assert gone not in employees and employees.index(first) < employees.index(second)

    @pytest.mark.parametrize("role", ["medarbetare", "redaktor", "annan_chef", "kommunikator_utan_mfa"])
    def test_forged_post_is_refused_and_writes_nothing(self, client, request, today, role, library_account):
        client.force_login(request.getfixturevalue(role))
        employee = UserFactory(unit=library_account.unit)
        before = Mandate.objects.count()
        url = reverse("accounts:mandate_grant", args=[library_account.pk])
        assert client.get(url).status_code == 403
        response = client.post(url, grant_data(employee))
        assert response.status_code == 403
        assert Mandate.objects.count() == before

    def test_a_refusal_is_shown_and_the_input_kept(self, client, today, chef, redaktor, library_account):
        client.force_login(chef)
        before = Mandate.objects.count()
        response = client.post(
            reverse("accounts:mandate_grant", args=[library_account.pk]),
            grant_data(redaktor, valid_from=today + 3 * DAY, valid_until=today + 40 * DAY),
        )
        assert response.status_code == 200
        assert any("har redan ett uppdrag för kontot" in m for m in shown(response))
        assert Mandate.objects.count() == before
        assert f'value="{(today + 40 * DAY).isoformat()}"' in response.text
        assert f'<option value="{redaktor.pk}" selected>' in response.text

    def test_an_end_before_the_start_is_marked_on_the_field(self, client, today, chef, medarbetare, library_account):
        client.force_login(chef)
        response = client.post(
            reverse("accounts:mandate_grant", args=[library_account.pk]),
            grant_data(medarbetare, valid_until=today - DAY),
        )
        assert response.status_code == 200
        with translation.override("en"):
            assert list(response.context["form"].errors["valid_until"]) == ["A mandate cannot end before it starts."]
        assert not Mandate.objects.filter(user=medarbetare).exists()

    def test_a_forged_post_granting_oneself_is_refused(self, client, today, chef, library_account):
        client.force_login(chef)
        response = client.post(reverse("accounts:mandate_grant", args=[library_account.pk]), grant_data(chef))
        assert response.status_code == 200 and response.context["form"].errors["user"]
        assert not Mandate.objects.filter(user=chef).exists()


@pytest.mark.django_db
class TestRevokePage:
    def test_manager_confirms_with_a_reason(self, client, today, chef, redaktor, library_account, library_mandate):
        client.force_login(chef)
        url = reverse("accounts:mandate_revoke", args=[library_mandate.pk])
        page = client.get(url)
        assert page.status_code == 200
        assert str(redaktor) in page.text and library_account.name in page.text
        assert 'name="reason"' in page.text

        response = client.post(url, {"reason": ""})
        assert response.status_code == 200 and response.context["form"].errors["reason"]
        library_mandate.refresh_from_db()
        assert library_mandate.revoked_at is None

        response = client.post(url, {"reason": "Har bytt tjänst"})
        assert response.status_code == 302 and response["Location"] == reverse("accounts:mandate_list")
        library_mandate.refresh_from_db()
        assert (library_mandate.revoked_by, library_mandate.revoke_reason) == (chef, "Har bytt tjänst")
        assert not rules.edits_account(fresh(redaktor), library_account)

    def test_returns_to_the_page_it_came_from_but_never_off_site(self, client, today, chef, library_mandate):
        client.force_login(chef)
        url = reverse("accounts:mandate_revoke", args=[library_mandate.pk])
        response = client.post(url, {"reason": "Slut", "next": "https://evil.example/"})
        assert response["Location"] == reverse("accounts:mandate_list")
        other = MandateFactory(account=library_mandate.account)
        back = library_mandate.account.get_absolute_url()
        response = client.post(reverse("accounts:mandate_revoke", args=[other.pk]), {"reason": "Slut", "next": back})
        assert response["Location"] == back

    @pytest.mark.parametrize("role", ["annan_chef", "medarbetare", "redaktor"])
    def test_forged_post_is_refused_and_changes_nothing(self, client, request, today, role, library_mandate):
        client.force_login(request.getfixturevalue(role))
        url = reverse("accounts:mandate_revoke", args=[library_mandate.pk])
        before = Mandate.objects.values().get(pk=library_mandate.pk)
        assert client.get(url).status_code == 403
        assert client.post(url, {"reason": "Kapning"}).status_code == 403
        assert Mandate.objects.values().get(pk=library_mandate.pk) == before

    def test_an_already_revoked_mandate_offers_no_form(self, client, today, chef, library_mandate):
        library_mandate.revoked_at, library_mandate.revoke_reason = timezone.now(), "Slut"
        library_mandate.save()
        client.force_login(chef)
        url = reverse("accounts:mandate_revoke", args=[library_mandate.pk])
        assert 'name="reason"' not in client.get(url).text
        response = client.post(url, {"reason": "Igen"})
        assert response.status_code == 200 and any("Uppdraget har redan återkallats" in m for m in shown(response))


@pytest.mark.django_db
class TestMandateList:
    def test_a_manager_sees_their_units_in_force_ending_soonest_first(
        self, client, today, chef, library_account, annan_redaktor, kultur
    ):
        museum = SocialAccountFactory(name="Museet", unit=OrgUnitFactory(name="Museet", parent=kultur))
        open_ended = MandateFactory(account=library_account)
        in_30 = MandateFactory(account=museum, valid_until=today + 30 * DAY)
        in_5 = MandateFactory(account=library_account, valid_until=today + 5 * DAY)
        later = MandateFactory(account=museum, valid_from=today + 7 * DAY)
        ended = MandateFactory(account=library_account, valid_from=today - 60 * DAY, valid_until=today - DAY)
        revoked = MandateFactory(account=library_account, revoked_at=timezone.now(), revoke_reason="Slutat")
        client.force_login(chef)
        response = client.get(reverse("accounts:mandate_list"))
        assert response.status_code == 200
        assert response.context["in_force"] == [in_5, in_30, open_ended]
        assert list(response.context["others"]) == [later, ended, revoked]  # the latest start first
        assert str(annan_redaktor) not in response.text  # another administration's editor
        assert "Slutat" in response.text
        revoke = {m.pk: m.can_revoke for m in [*response.context["in_force"], *response.context["others"]]}
        assert revoke == {in_5.pk: True, in_30.pk: True, open_ended.pk: True, later.pk: True} | {
            ended.pk: False,
            revoked.pk: False,
        }
        assert reverse("accounts:mandate_revoke", args=[in_5.pk]) in response.text
        assert reverse("accounts:mandate_revoke", args=[ended.pk]) not in response.text

    def test_the_other_manager_sees_only_their_own(self, client, today, annan_chef, annan_redaktor, redaktor):
        client.force_login(annan_chef)
        response = client.get(reverse("accounts:mandate_list"))
        assert [m.user for m in response.context["in_force"]] == [annan_redaktor]
        # A unit outside their tree cannot be chosen as a filter to peek into it.
        response = client.get(reverse("accounts:mandate_list"), {"unit": redaktor.unit_id})
        assert [m.user for m in response.context["in_force"]] == [annan_redaktor]

    def test_comms_sees_every_unit_and_filters_by_unit(
        self, client, today, kommunikator, redaktor, annan_redaktor, biblioteket
    ):
        client.force_login(kommunikator)
        response = client.get(reverse("accounts:mandate_list"))
        assert {m.user for m in response.context["in_force"]} == {redaktor, annan_redaktor}
        assert response.context["show_filter"]
        response = client.get(reverse("accounts:mandate_list"), {"unit": biblioteket.pk})
        assert [m.user for m in response.context["in_force"]] == [redaktor]

    @pytest.mark.parametrize("role", ["medarbetare", "redaktor"])
    def test_an_employee_or_editor_may_not(self, client, request, role):
        client.force_login(request.getfixturevalue(role))
        assert client.get(reverse("accounts:mandate_list")).status_code == 403

    def test_comms_without_mfa_is_sent_to_activate_it(self, client, kommunikator_utan_mfa):
        client.force_login(kommunikator_utan_mfa)
        response = client.get(reverse("accounts:mandate_list"))
        assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")

    def test_queries_do_not_grow_with_the_number_of_mandates(
        self, client, today, kommunikator, library_account, django_assert_max_num_queries
    ):
        client.force_login(kommunikator)
        MandateFactory.create_batch(2, account=library_account)
        MandateFactory(account=library_account, valid_until=today - DAY)
        with django_assert_max_num_queries(20) as few:
            client.get(reverse("accounts:mandate_list"))
        MandateFactory.create_batch(20)
        MandateFactory.create_batch(20, valid_until=today - DAY)
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(reverse("accounts:mandate_list"))


@pytest.mark.django_db
class TestAccountPageInclude:
    def test_lists_the_accounts_mandates_and_offers_grant_and_revoke(self, today, chef, library_mandate):
        from django.template.loader import render_to_string

        ended = MandateFactory(account=library_mandate.account, valid_until=today - DAY)
        context = {"mandates": [library_mandate, ended], "account": library_mandate.account}
        with translation.override("en"):
            html = render_to_string("accounts/_mandates.html", context | {"can_grant": True})
            assert "Active" in html and "Ended" in html
            assert reverse("accounts:mandate_grant", args=[library_mandate.account_id]) in html
            assert reverse("accounts:mandate_revoke", args=[library_mandate.pk]) in html
            assert reverse("accounts:mandate_revoke", args=[ended.pk]) not in html
            html = render_to_string("accounts/_mandates.html", context | {"can_grant": False})
            assert "/uppdrag/" not in html


@pytest.mark.django_db
class TestTheEditorsOwnManagerR10:
    """R10: the mandate comes from the editor's own manager (of their unit or a unit above it);
    comms registers it on that manager's behalf, naming them."""

    def test_a_manager_of_the_account_who_is_not_the_editors_is_refused(
        self, today, chef, social, library_account, sent
    ):
        outsider = UserFactory(unit=social)  # Socialförvaltningen: not below chef's Kultur
        with pytest.raises(DomainError) as refused:
            service.grant_mandate(chef, library_account, outsider, today)
        assert "Ett uppdrag ges av redaktörens egen chef" in refused.value.message
        assert not Mandate.objects.filter(user=outsider).exists() and sent == []

    def test_comms_names_the_manager_or_is_refused(self, today, kommunikator, medarbetare, library_account, sent):
        with pytest.raises(DomainError) as refused:
            service.grant_mandate(kommunikator, library_account, medarbetare, today)
        assert refused.value.message == f"Ange vilken chef till {medarbetare} du registrerar uppdraget för (R10)."
        assert not Mandate.objects.filter(user=medarbetare).exists() and sent == []

    def test_comms_naming_another_units_manager_is_refused(
        self, today, kommunikator, chef, annan_chef, medarbetare, library_account, sent
    ):
        with pytest.raises(DomainError) as refused:
            service.grant_mandate(kommunikator, library_account, medarbetare, today, on_behalf_of=annan_chef)
        assert f"Det är inte {annan_chef}. Cheferna för {medarbetare}: {chef}." in refused.value.message
        assert not Mandate.objects.filter(user=medarbetare).exists()

    def test_comms_who_is_the_editors_manager_grants_as_themselves(
        self, today, kommunikator, kultur, medarbetare, library_account, sent
    ):
        kultur.managers.add(kommunikator)
        mandate = service.grant_mandate(fresh(kommunikator), library_account, medarbetare, today)
        assert (mandate.granted_by, mandate.on_behalf_of) == (kommunikator, None)

    def test_only_comms_registers_on_someone_elses_behalf(
        self, today, chef, kultur, medarbetare, library_account, sent
    ):
        other_manager = UserFactory(unit=kultur)
        kultur.managers.add(other_manager)
        with pytest.raises(DomainError, match="Bara kommunikationsavdelningen"):
            service.grant_mandate(chef, library_account, medarbetare, today, on_behalf_of=other_manager)
        assert not Mandate.objects.filter(user=medarbetare).exists()

    def test_nobody_grants_themselves_one_through_comms_either(self, today, kommunikator, chef, library_account, sent):
        # chef manages Kultur, their own unit, and is the only manager there.
        with pytest.raises(DomainError, match="Ingen kan ge sig själv ett uppdrag"):
            service.grant_mandate(kommunikator, library_account, chef, today, on_behalf_of=chef)
        assert not Mandate.objects.filter(user=chef).exists()
        with pytest.raises(IntegrityError), transaction.atomic():
            Mandate.objects.create(
                user=chef, account=library_account, valid_from=TODAY, granted_by=kommunikator, on_behalf_of=chef
            )

    def test_someone_in_no_unit_has_no_manager_to_give_it(
        self, today, kommunikator, chef, medarbetare, library_account, sent
    ):
        medarbetare.unit = None
        medarbetare.save()
        with pytest.raises(DomainError, match="hör inte till någon förvaltning"):
            service.grant_mandate(kommunikator, library_account, medarbetare, today, on_behalf_of=chef)

    def test_the_comms_form_asks_which_of_the_editors_managers(
        self, client, today, kommunikator, chef, annan_chef, medarbetare, library_account
    ):
        client.force_login(kommunikator)
        url = reverse("accounts:mandate_grant", args=[library_account.pk])
        page = client.get(url)
        assert {chef, annan_chef} <= set(page.context["form"].fields["on_behalf_of"].queryset)
        assert f"{chef} (chef för {chef.unit})" in page.text
        # Without a manager: refused, and the choices are now the employee's own managers.
        response = client.post(url, grant_data(medarbetare))
        assert response.status_code == 200
        assert any("Ange vilken chef" in m for m in shown(response))
        assert list(response.context["form"].fields["on_behalf_of"].queryset) == [chef]
        response = client.post(url, {**grant_data(medarbetare), "on_behalf_of": annan_chef.pk})
        assert response.status_code == 200 and response.context["form"].errors["on_behalf_of"]
        response = client.post(url, {**grant_data(medarbetare), "on_behalf_of": chef.pk})
        assert response.status_code == 302
        mandate = Mandate.objects.get(user=medarbetare)
        assert (mandate.granted_by, mandate.on_behalf_of) == (kommunikator, chef)
        # The account's page names the manager who gave it, and who registered it.
        page = client.get(library_account.get_absolute_url()).text
        assert f"registrerat av {kommunikator}" in page

    def test_a_manager_chooses_among_the_staff_of_their_units_only(
        self, client, today, chef, medarbetare, social, library_account
    ):
        outsider = UserFactory(unit=social)
        client.force_login(chef)
        form = client.get(reverse("accounts:mandate_grant", args=[library_account.pk])).context["form"]
        assert "on_behalf_of" not in form.fields
        employees = set(form.fields["user"].queryset)
        assert medarbetare in employees and outsider not in employees


@pytest.mark.django_db
class TestTrainingBeforeTheMandateTakesEffectR14:
    """R14: every editor has a recorded training in social media before their first mandate takes
    effect. The mandate is recorded at once and shows "awaiting training"; the rights begin when
    comms records the training."""

    def test_an_untrained_editor_has_no_rights_until_the_training_is_recorded(
        self, today, chef, kommunikator, medarbetare, library_account, sent
    ):
        from accounts.services.training import record_training

        mandate = service.grant_mandate(chef, library_account, medarbetare, today)
        assert mandate.awaiting_training and not mandate.is_active_on(today)
        assert not rules.edits_account(fresh(medarbetare), library_account)
        assert not fresh(medarbetare).has_perm("activity.log", library_account)
        assert not Mandate.objects.active().filter(user=medarbetare).exists()
        record_training(kommunikator, medarbetare, "general", today)
        assert rules.edits_account(fresh(medarbetare), library_account)
        mandate.refresh_from_db()
        assert not mandate.awaiting_training and mandate.is_active_on(today)

    def test_a_training_dated_later_than_a_day_does_not_count_for_that_day(self, today, library_account):
        mandate = MandateFactory(account=library_account, valid_from=today - 10 * DAY, trained=False)
        TrainingFactory(trainee=mandate.user, date=today - 3 * DAY)
        assert not Mandate.objects.active_on(today - 5 * DAY).filter(pk=mandate.pk).exists()
        assert Mandate.objects.active_on(today - 3 * DAY).filter(pk=mandate.pk).exists()

    def test_the_pages_show_awaiting_training(self, client, today, chef, library_account):
        waiting = MandateFactory(account=library_account, valid_from=today, trained=False)
        client.force_login(chef)
        page = client.get(library_account.get_absolute_url()).text
        assert "Väntar på utbildning" in page
        response = client.get(reverse("accounts:mandate_list"))
        assert waiting not in response.context["in_force"] and waiting in list(response.context["others"])
        assert "Väntar på utbildning" in response.text
        client.force_login(waiting.user)
        dashboard = client.get(reverse("dashboard"))
        assert list(dashboard.context["my_mandates"]) == []
        assert list(dashboard.context["my_mandates_awaiting_training"]) == [waiting]
        assert "Väntar på din utbildning (R14)" in dashboard.text

    def test_the_editor_is_told_it_awaits_training(self, today, chef, medarbetare, library_account):
        from accounts.models import Notification

        service.grant_mandate(chef, library_account, medarbetare, today)
        body = Notification.objects.get(recipient=medarbetare).body
        assert "Uppdraget börjar gälla när kommunikationsavdelningen har registrerat din utbildning" in body


@pytest.mark.django_db
def test_the_admin_shows_mandates_but_grants_or_changes_none(client, superuser, medarbetare, library_mandate):
    """R10, R14, R15: mandates are written by the services only, with their checks and notices."""
    from conftest import give_mfa

    client.force_login(give_mfa(superuser))
    assert client.get(reverse("admin:accounts_mandate_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_mandate_add")).status_code == 403
    data = {"user": medarbetare.pk, "account": library_mandate.account_id, "valid_from": "2026-01-01"}
    assert client.post(reverse("admin:accounts_mandate_add"), data).status_code == 403
    response = client.post(reverse("admin:accounts_mandate_change", args=[library_mandate.pk]), data)
    assert response.status_code == 403
    assert not Mandate.objects.filter(user=medarbetare).exists()
