"""Trainings (R14): comms records them, as a service and through its form; a person's page shows
their mandates (R10) and trainings."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Training, TrainingKind
from accounts.services.training import record_training
from accounts.tests.factories import EDITOR_TRAINED_ON, MandateFactory
from falkoping_some.lib.errors import DomainError

TODAY = datetime.date(2026, 3, 10)
DAY = datetime.timedelta(days=1)


def recorded():
    """The trainings recorded in the test: the editor of the fixtures was trained before (R14)."""
    return Training.objects.exclude(date=EDITOR_TRAINED_ON)


@pytest.fixture
def today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 10, 12, 0, tzinfo=ZoneInfo("Europe/Stockholm")), tick=False)
    return TODAY


@pytest.mark.django_db
class TestRecordTraining:
    def test_comms_records_a_start_up_training_and_is_the_trainer(self, today, kommunikator, redaktor, library_account):
        training = record_training(
            kommunikator, redaktor, TrainingKind.STARTUP, today, account=library_account, note=" Genomgång \n"
        )
        assert (training.trainee, training.trainer, training.recorded_by) == (redaktor, kommunikator, kommunikator)
        assert (training.kind, training.account, training.date, training.note) == (
            TrainingKind.STARTUP,
            library_account,
            today,
            "Genomgång",
        )

    def test_another_trainer_and_a_general_training_without_account(self, today, kommunikator, redaktor, chef):
        training = record_training(kommunikator, redaktor, TrainingKind.GENERAL, today - 30 * DAY, trainer=chef)
        assert (training.trainer, training.recorded_by, training.account) == (chef, kommunikator, None)

    def test_a_start_up_training_names_its_account(self, today, kommunikator, redaktor):
        with pytest.raises(DomainError) as refused, translation.override("en"):
            record_training(kommunikator, redaktor, TrainingKind.STARTUP, today)
        assert str(refused.value.message) == "A start-up training is for one account: choose it."
        assert not recorded().exists()

    def test_not_for_a_day_that_has_not_come(self, today, kommunikator, redaktor):
        with pytest.raises(DomainError):
            record_training(kommunikator, redaktor, TrainingKind.GENERAL, today + DAY)
        assert not recorded().exists()

    @pytest.mark.parametrize("role", ["chef", "medarbetare", "redaktor", "kommunikator_utan_mfa"])
    def test_only_comms_records(self, request, today, role, redaktor):
        with pytest.raises(PermissionDenied):
            record_training(request.getfixturevalue(role), redaktor, TrainingKind.GENERAL, today)
        assert not recorded().exists()


def training_data(trainee, kind=TrainingKind.GENERAL, date=TODAY, account=None, note=""):
    return {
        "trainee": trainee.pk,
        "kind": kind,
        "date": date.isoformat(),
        "account": account.pk if account else "",
        "note": note,
    }


@pytest.mark.django_db
class TestTrainingPage:
    def test_comms_records_from_a_prefilled_form_and_lands_on_the_persons_page(
        self, client, today, kommunikator, redaktor, library_account
    ):
        client.force_login(kommunikator)
        url = reverse("accounts:training_create")
        page = client.get(url, {"person": redaktor.pk, "account": library_account.pk})
        assert page.status_code == 200
        form = page.context["form"]
        assert form["trainee"].value() == redaktor.pk and form["account"].value() == library_account.pk
        assert form["kind"].value() == TrainingKind.STARTUP and form["date"].value() == today

        response = client.post(
            f"{url}?person={redaktor.pk}",
            training_data(redaktor, TrainingKind.STARTUP, account=library_account, note="Första passet"),
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:person", args=[redaktor.pk])
        training = recorded().get()
        assert (training.trainer, training.account, training.note) == (kommunikator, library_account, "Första passet")

    def test_a_start_up_training_without_account_is_refused_with_a_clear_message_and_the_input_kept(
        self, client, today, kommunikator, redaktor
    ):
        client.force_login(kommunikator)
        response = client.post(
            reverse("accounts:training_create"),
            training_data(redaktor, TrainingKind.STARTUP, note="Anteckningen finns kvar"),
        )
        assert response.status_code == 200
        with translation.override("en"):
            assert list(response.context["form"].errors["account"]) == [
                "A start-up training is for one account: choose it."
            ]
        assert "Anteckningen finns kvar" in response.text
        assert f'<option value="{redaktor.pk}" selected>' in response.text
        assert not recorded().exists()

    def test_a_future_date_is_marked_on_the_field(self, client, today, kommunikator, redaktor):
        client.force_login(kommunikator)
        response = client.post(reverse("accounts:training_create"), training_data(redaktor, date=today + DAY))
        assert response.status_code == 200 and response.context["form"].errors["date"]
        assert not recorded().exists()

    @pytest.mark.parametrize("role", ["medarbetare", "redaktor", "chef"])
    def test_anyone_but_comms_gets_403_and_a_forged_post_writes_nothing(self, client, request, today, role, redaktor):
        client.force_login(request.getfixturevalue(role))
        url = reverse("accounts:training_create")
        assert client.get(url).status_code == 403
        assert client.post(url, training_data(redaktor)).status_code == 403
        assert not recorded().exists()

    def test_comms_without_mfa_is_sent_to_activate_it(self, client, today, kommunikator_utan_mfa, redaktor):
        client.force_login(kommunikator_utan_mfa)
        url = reverse("accounts:training_create")
        for response in (client.get(url), client.post(url, training_data(redaktor))):
            assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
        assert not recorded().exists()

    def test_anonymous_is_sent_to_sign_in(self, client):
        for url in (reverse("accounts:training_create"), reverse("accounts:person", args=[1])):
            response = client.get(url)
            assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
class TestPersonPage:
    def test_shows_the_editors_mandates_and_trainings(
        self, client, today, medarbetare, redaktor, library_account, social_account, kommunikator
    ):
        ended = MandateFactory(
            user=redaktor, account=social_account, valid_from=today - 90 * DAY, valid_until=today - DAY
        )
        Training.objects.create(
            trainee=redaktor, trainer=kommunikator, recorded_by=kommunikator, kind=TrainingKind.STARTUP,
            account=library_account, date=today - 5 * DAY,
        )  # fmt: skip
        redaktor.title = "Bibliotekarie"
        redaktor.save()
        client.force_login(medarbetare)
        response = client.get(reverse("accounts:person", args=[redaktor.pk]))
        assert response.status_code == 200
        text = response.text
        assert str(redaktor) in text and "Bibliotekarie" in text and redaktor.unit.name in text
        assert [m.account for m in response.context["mandates"]] == [library_account, ended.account]  # in force first
        assert social_account.name in text and library_account.name in text
        assert [t.kind for t in response.context["trainings"]] == [TrainingKind.STARTUP, TrainingKind.GENERAL]
        assert str(kommunikator) in text
        # A colleague may look, but neither revoke nor record.
        assert "/aterkalla/" not in text and reverse("accounts:training_create") not in text

    def test_comms_gets_the_record_training_link(self, client, kommunikator, redaktor):
        client.force_login(kommunikator)
        response = client.get(reverse("accounts:person", args=[redaktor.pk]))
        assert f"{reverse('accounts:training_create')}?person={redaktor.pk}" in response.text

    def test_why_a_mandate_was_revoked_is_for_the_editor_and_those_who_answer_for_it(
        self, client, today, chef, medarbetare, redaktor
    ):
        mandate = redaktor.mandates.get()
        mandate.revoked_at, mandate.revoke_reason = timezone.now(), "Ett känsligt skäl"
        mandate.save()
        url = reverse("accounts:person", args=[redaktor.pk])
        for viewer, sees in [(medarbetare, False), (redaktor, True), (chef, True)]:
            client.force_login(viewer)
            assert ("Ett känsligt skäl" in client.get(url).text) is sees, viewer

    def test_the_manager_may_revoke_from_the_page(self, client, today, chef, redaktor):
        client.force_login(chef)
        response = client.get(reverse("accounts:person", args=[redaktor.pk]))
        assert reverse("accounts:mandate_revoke", args=[redaktor.mandates.get().pk]) in response.text

    def test_a_success_message_after_recording(self, client, today, kommunikator, redaktor):
        client.force_login(kommunikator)
        response = client.post(reverse("accounts:training_create"), training_data(redaktor), follow=True)
        assert response.status_code == 200 and len(list(get_messages(response.wsgi_request))) == 1
