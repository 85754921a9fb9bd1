"""An account's lifecycle (R11, R13, R14, R15): the services, refused steps, the concurrent
decision on PostgreSQL, and the views with forged POSTs."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccountDecision, AccountStatus, Mandate, SocialAccount, Training
from accounts.selectors import public_accounts
from accounts.services import lifecycle
from accounts.tests.factories import MandateFactory, OrgUnitFactory, UserFactory
from falkoping_some.lib.errors import DomainError

# Issue 19: closing wants the final archive (records/tests/test_final_archive.py); these tests are
# about the lifecycle, so comms gives the reason for closing without one.
UNARCHIVED = "Kontot finns inte kvar på plattformen."
REQUEST = {
    "platform": "instagram", "platform_other": "", "name": "Biblioteket för unga", "purposes": ["tips", "events"],
    "target_audience": "Unga 13–19 år", "justification": "Bibliotekets Facebook når inte unga.",
    "graphic_profile": "municipal", "special_profile_reference": "", "description": "Boktips för unga.",
}  # fmt: skip


@pytest.fixture
def sent(monkeypatch):
    """The notices the services queue: (template, recipients, context)."""
    calls = []
    monkeypatch.setattr(
        lifecycle, "notify", lambda recipients, template, context: calls.append((template, set(recipients), context))
    )
    return calls


@pytest.fixture
def requested(medarbetare, chef, sent):
    return lifecycle.request_account(medarbetare, REQUEST)


@pytest.mark.django_db
class TestTheWholeFlow:
    def test_request_to_public_list_and_closing(self, medarbetare, chef, kommunikator, redaktor, sent):
        account = lifecycle.request_account(medarbetare, REQUEST, proposed_editors=[redaktor])
        assert account.status == AccountStatus.REQUESTED and account.unit == medarbetare.unit
        assert sent[-1][:2] == ("account_requested", {chef})  # Biblioteket has no manager: Kultur's

        lifecycle.manager_decide(chef, account, approve=True, comment="Bra idé")
        account.refresh_from_db()
        assert account.status == AccountStatus.MANAGER_APPROVED
        assert [(t, r) for t, r, _ in sent[-2:]] == [
            ("account_manager_approved", {kommunikator}),
            ("account_decided", {medarbetare}),
        ]

        lifecycle.comms_decide(kommunikator, account, approve=True)
        account.refresh_from_db()
        assert account.status == AccountStatus.APPROVED
        assert account.name not in {row["name"] for row in public_accounts()}

        MandateFactory(user=redaktor, account=account, valid_from=timezone.localdate(), granted_by=chef)
        lifecycle.activate_account(
            kommunikator, account, handle="@bibblaforunga", url="https://www.instagram.com/bibblaforunga/",
            login_holders=[kommunikator], first_editor=redaktor, record_training_on=timezone.localdate(),
        )  # fmt: skip
        account.refresh_from_db()
        assert account.status == AccountStatus.ACTIVE and account.activated_on == timezone.localdate()
        assert Training.objects.get(trainee=redaktor, account=account, kind="startup").trainer == kommunikator
        assert sent[-1][:2] == ("account_activated", {redaktor, medarbetare})
        assert account.name in {row["name"] for row in public_accounts()}

        lifecycle.close_account(kommunikator, account, "on_request", "Verksamheten slutar", waiver=UNARCHIVED)
        account.refresh_from_db()
        assert account.status == AccountStatus.CLOSED and account.closing_reason == "on_request"
        assert account.name not in {row["name"] for row in public_accounts()}
        assert not Mandate.objects.active().filter(account=account).exists()  # the editors' rights end
        assert sent[-1][:2] == ("account_closed", {redaktor, chef})

        steps = list(account.decisions.values_list("step", "outcome", "actor__email"))
        assert steps == [
            ("request", "done", medarbetare.email), ("manager", "approved", chef.email),
            ("comms", "approved", kommunikator.email), ("activation", "done", kommunikator.email),
            ("closing", "done", kommunikator.email),
        ]  # fmt: skip

    def test_rejection_by_the_manager_needs_a_reason_and_ends_the_request(self, requested, chef, kommunikator, sent):
        with pytest.raises(DomainError):
            lifecycle.manager_decide(chef, requested, approve=False, comment="  ")
        lifecycle.manager_decide(chef, requested, approve=False, comment="Använd bibliotekets konto")
        requested.refresh_from_db()
        assert requested.status == AccountStatus.REJECTED
        with pytest.raises(DomainError):
            lifecycle.comms_decide(kommunikator, requested, approve=True)


@pytest.mark.django_db
class TestRefusedSteps:
    def test_only_a_manager_of_the_unit_takes_the_first_step(self, requested, annan_chef, redaktor, kommunikator):
        for user in (annan_chef, redaktor):
            with pytest.raises(PermissionDenied):
                lifecycle.manager_decide(user, requested, approve=True)
        # Comms is not the manager: R11 wants both approvals.
        with pytest.raises(PermissionDenied):
            lifecycle.manager_decide(kommunikator, requested, approve=True)
        requested.refresh_from_db()
        assert requested.status == AccountStatus.REQUESTED
        assert requested.decisions.count() == 1

    def test_comms_cannot_decide_before_the_manager(self, requested, kommunikator):
        with pytest.raises(DomainError, match="Begärt|Requested"):
            lifecycle.comms_decide(kommunikator, requested, approve=True)
        assert requested.decisions.count() == 1

    def test_a_step_cannot_be_taken_twice(self, requested, chef):
        lifecycle.manager_decide(chef, requested, approve=True)
        with pytest.raises(DomainError):
            lifecycle.manager_decide(chef, requested, approve=False, comment="Ångrar mig")
        assert requested.decisions.filter(step="manager").count() == 1

    def test_activation_needs_a_mandate_and_the_startup_training_r14(self, requested, chef, kommunikator, redaktor):
        lifecycle.manager_decide(chef, requested, approve=True)
        lifecycle.comms_decide(kommunikator, requested, approve=True)
        args = {"handle": "x", "url": "https://www.instagram.com/x/", "login_holders": [kommunikator]}
        with pytest.raises(DomainError, match="uppdrag|mandate"):
            lifecycle.activate_account(kommunikator, requested, first_editor=redaktor, **args)
        MandateFactory(user=redaktor, account=requested, valid_from=timezone.localdate())
        with pytest.raises(DomainError, match="R14"):
            lifecycle.activate_account(kommunikator, requested, first_editor=redaktor, **args)
        with pytest.raises(DomainError, match="R13"):
            lifecycle.activate_account(
                kommunikator, requested, first_editor=redaktor, record_training_on=timezone.localdate(),
                **{**args, "login_holders": []},
            )  # fmt: skip
        requested.refresh_from_db()
        assert requested.status == AccountStatus.APPROVED
        assert not Training.objects.filter(account=requested).exists()  # the refused attempt left nothing

    def test_only_active_accounts_close_and_only_by_comms(self, library_account, chef, kommunikator):
        with pytest.raises(PermissionDenied):
            lifecycle.close_account(chef, library_account, "on_request", waiver=UNARCHIVED)
        with pytest.raises(DomainError):
            lifecycle.close_account(kommunikator, library_account, "other", "", waiver=UNARCHIVED)
        lifecycle.close_account(kommunikator, library_account, "inactive_6_months", waiver=UNARCHIVED)
        with pytest.raises(DomainError):
            lifecycle.close_account(kommunikator, library_account, "on_request", waiver=UNARCHIVED)

    def test_employee_without_a_unit_is_told_why(self, medarbetare):
        medarbetare.unit = None
        with pytest.raises(DomainError):
            lifecycle.request_account(medarbetare, REQUEST)
        assert not SocialAccount.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_managers_deciding_at_once_yield_exactly_one_decision(medarbetare, chef, kultur, monkeypatch):
    """Two transactions on PostgreSQL, started together: one decides, the other is refused."""
    monkeypatch.setattr(lifecycle, "notify", lambda *args: [])
    other_manager = type(chef).objects.create_user("chef2@example.falkoping.se", unit=kultur)
    kultur.managers.add(other_manager)
    account = lifecycle.request_account(medarbetare, REQUEST)
    start = threading.Barrier(2)
    outcomes = {}

    def decide(user, approve):
        try:
            start.wait(timeout=10)
            lifecycle.manager_decide(
                user, SocialAccount.objects.get(pk=account.pk), approve, comment="Nej" if not approve else ""
            )
            outcomes[user.email] = "decided"
        except DomainError as error:
            outcomes[user.email] = error.message
        finally:
            connection.close()  # each thread has its own connection

    threads = [
        threading.Thread(target=decide, args=(chef, True)),
        threading.Thread(target=decide, args=(other_manager, False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(v == "decided" for v in outcomes.values()) == [False, True], outcomes
    assert AccountDecision.objects.filter(account=account, step="manager").count() == 1
    winner = AccountDecision.objects.get(account=account, step="manager")
    account.refresh_from_db()
    assert account.status == ("manager_approved" if winner.outcome == "approved" else "rejected")


@pytest.mark.django_db
class TestViews:
    def test_employee_requests_in_the_browser_form(self, client, medarbetare, chef, sent):
        client.force_login(medarbetare)
        assert client.get(reverse("accounts:request")).status_code == 200
        data = {**REQUEST, "purposes": ["tips"]}
        response = client.post(reverse("accounts:request"), data)
        account = SocialAccount.objects.get(name=REQUEST["name"])
        assert response.status_code == 302 and response["Location"] == account.get_absolute_url()
        assert account.requested_by == medarbetare and account.status == "requested"

    def test_a_bad_request_keeps_what_was_typed(self, client, medarbetare):
        client.force_login(medarbetare)
        response = client.post(reverse("accounts:request"), {**REQUEST, "justification": "", "purposes": []})
        assert response.status_code == 200
        assert set(response.context["form"].errors) == {"justification", "purposes"}
        assert REQUEST["target_audience"] in response.content.decode()
        assert not SocialAccount.objects.exists()

    def test_the_manager_decides_on_the_account_page(self, client, requested, chef):
        client.force_login(chef)
        page = client.get(requested.get_absolute_url())
        assert page.context["manager_form"] is not None
        response = client.post(reverse("accounts:manager_decision", args=[requested.pk]), {"decision": "approve"})
        assert response.status_code == 302
        requested.refresh_from_db()
        assert requested.status == "manager_approved"
        timeline = client.get(requested.get_absolute_url()).content.decode()
        assert str(chef) in timeline

    def test_rejecting_without_a_reason_shows_the_form_again(self, client, requested, chef):
        client.force_login(chef)
        response = client.post(reverse("accounts:manager_decision", args=[requested.pk]), {"decision": "reject"})
        assert response.status_code == 200
        assert "comment" in response.context["manager_form"].errors
        requested.refresh_from_db()
        assert requested.status == "requested"

    @pytest.mark.parametrize("role", ["annan_chef", "redaktor", "medarbetare"])
    def test_forged_manager_decision_is_403_and_changes_nothing(self, client, request, requested, role):
        client.force_login(request.getfixturevalue(role))
        response = client.post(reverse("accounts:manager_decision", args=[requested.pk]), {"decision": "approve"})
        assert response.status_code == 403
        requested.refresh_from_db()
        assert requested.status == "requested" and requested.decisions.count() == 1

    @pytest.mark.parametrize("name", ["comms_decision", "activate", "close"])
    @pytest.mark.parametrize("role", ["chef", "redaktor", "medarbetare"])
    def test_forged_comms_steps_are_403_and_change_nothing(self, client, request, library_account, name, role):
        client.force_login(request.getfixturevalue(role))
        before = SocialAccount.objects.values().get(pk=library_account.pk)
        data = {"decision": "approve", "reason": "on_request", "handle": "x", "url": "https://x.example/"}
        response = client.post(reverse(f"accounts:{name}", args=[library_account.pk]), data)
        assert response.status_code == 403
        assert SocialAccount.objects.values().get(pk=library_account.pk) == before
        assert not AccountDecision.objects.exists()

    def test_comms_activates_and_closes_in_the_browser_forms(self, client, requested, chef, kommunikator, redaktor):
        lifecycle.manager_decide(chef, requested, approve=True)
        lifecycle.comms_decide(kommunikator, requested, approve=True)
        MandateFactory(user=redaktor, account=requested, valid_from=timezone.localdate())
        client.force_login(kommunikator)
        url = reverse("accounts:activate", args=[requested.pk])
        assert client.get(url).status_code == 200
        response = client.post(url, {
            "handle": "@bibblaforunga", "url": "https://www.instagram.com/bibblaforunga/",
            "login_holders": [kommunikator.pk], "first_editor": redaktor.pk,
            "record_training": "on", "training_date": timezone.localdate().isoformat(),
        })  # fmt: skip
        assert response.status_code == 302
        requested.refresh_from_db()
        assert requested.status == "active"
        response = client.post(reverse("accounts:close", args=[requested.pk]), {"reason": "other", "note": ""})
        assert response.status_code == 200 and "note" in response.context["form"].errors
        response = client.post(reverse("accounts:close", args=[requested.pk]), {"reason": "on_request"})
        assert response.status_code == 200 and "waiver" in response.context["form"].errors  # issue 19
        response = client.post(
            reverse("accounts:close", args=[requested.pk]), {"reason": "on_request", "waiver": UNARCHIVED}
        )
        assert response.status_code == 302
        requested.refresh_from_db()
        assert requested.status == "closed" and requested.closed_on == timezone.localdate()

    def test_pending_requests_wait_on_the_dashboards(self, client, requested, chef, annan_chef, kommunikator):
        client.force_login(chef)
        assert list(client.get(reverse("dashboard")).context["pending"]) == [requested]
        client.force_login(annan_chef)
        assert not client.get(reverse("dashboard")).context["pending"]
        client.force_login(kommunikator)
        assert not client.get(reverse("dashboard")).context["pending"]
        lifecycle.manager_decide(chef, requested, approve=True)
        assert list(client.get(reverse("dashboard")).context["pending"]) == [requested]


@pytest.mark.django_db
class TestSeparationOfDutiesR11:
    """R11: two approvals, the manager's and comms', by two different people, neither of them the
    requester; a person who is both a manager and in comms gives one of them only."""

    @pytest.fixture
    def chef_in_comms(self, chef, kommunikator):
        group = kommunikator.groups.get()
        chef.groups.add(group)
        from conftest import give_mfa

        return give_mfa(chef)

    def test_a_manager_does_not_approve_their_own_request(self, chef, kultur, sent):
        account = lifecycle.request_account(chef, REQUEST)
        for approve in (True, False):
            with pytest.raises(DomainError) as refused:
                lifecycle.manager_decide(chef, account, approve=approve, comment="Nej")
            assert refused.value.message.startswith("Du begärde själv det här kontot. Enligt R11")
        account.refresh_from_db()
        assert account.status == AccountStatus.REQUESTED and account.decisions.count() == 1

    def test_comms_does_not_approve_their_own_request(self, medarbetare, chef, kommunikator, sent):
        kommunikator.unit = medarbetare.unit
        account = lifecycle.request_account(kommunikator, REQUEST)
        lifecycle.manager_decide(chef, account, approve=True)
        with pytest.raises(DomainError, match="Du begärde själv"):
            lifecycle.comms_decide(kommunikator, account, approve=True)
        account.refresh_from_db()
        assert account.status == AccountStatus.MANAGER_APPROVED

    def test_a_manager_in_comms_gives_one_approval_only(self, requested, chef_in_comms, kommunikator, sent):
        lifecycle.manager_decide(chef_in_comms, requested, approve=True)
        with pytest.raises(DomainError) as refused:
            lifecycle.comms_decide(chef_in_comms, requested, approve=True)
        assert refused.value.message.startswith("Du gav chefens godkännande av den här begäran.")
        requested.refresh_from_db()
        assert requested.status == AccountStatus.MANAGER_APPROVED
        # Another member of comms gives the second approval.
        lifecycle.comms_decide(kommunikator, requested, approve=True)
        requested.refresh_from_db()
        assert requested.status == AccountStatus.APPROVED

    def test_the_database_refuses_one_person_in_two_steps(self, requested, medarbetare):
        with pytest.raises(IntegrityError), transaction.atomic():
            AccountDecision.objects.create(
                account=requested, step="manager", outcome="approved", actor=medarbetare, role="Chef"
            )

    def test_a_manager_who_requests_leaves_it_to_a_manager_above(self, kultur, chef, sent):
        unit_manager = UserFactory(unit=OrgUnitFactory(name="Museet", parent=kultur))
        unit_manager.unit.managers.add(unit_manager)
        account = lifecycle.request_account(unit_manager, REQUEST)
        assert sent[-1][:2] == ("account_requested", {chef})
        assert list(lifecycle.pending_for(unit_manager)) == []
        assert list(lifecycle.pending_for(chef)) == [account]
        lifecycle.manager_decide(chef, account, approve=True)

    def test_the_pages_explain_instead_of_offering_the_decision(self, client, requested, chef_in_comms, kommunikator):
        lifecycle.manager_decide(chef_in_comms, requested, approve=True)
        client.force_login(chef_in_comms)
        assert list(client.get(reverse("dashboard")).context["pending"]) == []
        page = client.get(requested.get_absolute_url())
        assert "comms_form" not in page.context
        assert "Du gav chefens godkännande av den här begäran." in page.text
        response = client.post(reverse("accounts:comms_decision", args=[requested.pk]), {"decision": "approve"})
        assert response.status_code == 302
        requested.refresh_from_db()
        assert requested.status == AccountStatus.MANAGER_APPROVED
        client.force_login(kommunikator)
        assert list(client.get(reverse("dashboard")).context["pending"]) == [requested]


@pytest.mark.django_db
class TestClosingRevokesEachMandateR15:
    def test_each_mandate_is_revoked_with_its_own_audit_entry(
        self, kommunikator, redaktor, chef, library_account, sent
    ):
        from auditlog.context import set_actor
        from auditlog.models import LogEntry

        today = timezone.localdate()
        in_force = Mandate.objects.get(user=redaktor, account=library_account)
        later = MandateFactory(account=library_account, valid_from=today + datetime.timedelta(days=7))
        untrained = MandateFactory(account=library_account, trained=False)
        ended = MandateFactory(account=library_account, valid_until=today - datetime.timedelta(days=1))
        with set_actor(kommunikator):  # as AuditlogMiddleware does on the portal's pages
            lifecycle.close_account(
                kommunikator, library_account, "on_request", "Verksamheten slutar", waiver=UNARCHIVED
            )
        for mandate in (in_force, later, untrained):
            mandate.refresh_from_db()
            assert (mandate.revoked_by, mandate.revoke_reason) == (kommunikator, "Kontot avslutades.")
            [entry] = LogEntry.objects.get_for_object(mandate).filter(action=LogEntry.Action.UPDATE)
            assert entry.actor == kommunikator and "revoked_at" in entry.changes_dict
        ended.refresh_from_db()
        assert ended.revoked_at is None  # it had ended: nothing to revoke
        assert not LogEntry.objects.get_for_object(ended).filter(action=LogEntry.Action.UPDATE).exists()
        assert sent[-1][0] == "account_closed" and {redaktor, later.user, untrained.user} <= sent[-1][1]


@pytest.mark.django_db
def test_an_untrained_first_editor_is_trained_at_the_activation_r14(requested, chef, kommunikator, sent):
    lifecycle.manager_decide(chef, requested, approve=True)
    lifecycle.comms_decide(kommunikator, requested, approve=True)
    mandate = MandateFactory(account=requested, valid_from=timezone.localdate(), trained=False, granted_by=chef)
    assert mandate.awaiting_training
    lifecycle.activate_account(
        kommunikator, requested, handle="x", url="https://www.instagram.com/x/", login_holders=[kommunikator],
        first_editor=mandate.user, record_training_on=timezone.localdate(),
    )  # fmt: skip
    assert Mandate.objects.active().filter(pk=mandate.pk).exists()
