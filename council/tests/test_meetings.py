"""The SoMe council's meetings (R17, R24): planning, publishing with invitations to exactly the
editors, the edges of who is invited, moving and cancelling with calendar updates, answers, and
the pages with forged requests that must change nothing."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from icalendar import Calendar

from accounts.models import Notification
from accounts.notifications import deliver
from accounts.services.mandates import grant_mandate
from accounts.tests.factories import MandateFactory, UserFactory
from conftest import give_mfa
from council.models import CouncilMeeting, Invitation, MeetingStatus, Response
from council.services import meetings as services
from council.views.meetings import editor_network
from falkoping_some.lib.errors import DomainError

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOW = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=STOCKHOLM)
MEETING_DAY = datetime.date(2026, 3, 20)
DAY = datetime.timedelta(days=1)


def at(day, hour, minute=0):
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=STOCKHOLM)


def meeting_data(**changes):
    data = {
        "title": "SoMe-rådet mars",
        "starts_at": at(MEETING_DAY, 13),
        "ends_at": at(MEETING_DAY, 15),
        "place": "Stadshuset, sal A",
        "online_link": "",
    }
    data.update(changes)
    return data


def fresh(user):
    user.__dict__.pop("_portal_roles", None)
    return user


def ics(notification) -> Calendar:
    assert notification.attachment_name == "someradet.ics"
    assert notification.attachment_type.startswith("text/calendar; method=")
    return Calendar.from_ical(bytes(notification.attachment))


def ics_notices(after=0):
    """The notices with a calendar event, newer than the notice with pk `after`."""
    return Notification.objects.filter(attachment_name="someradet.ics", pk__gt=after).order_by("pk")


def last_pk():
    return Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def event(calendar):
    return next(c for c in calendar.walk("VEVENT"))


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def draft(now, kommunikator):
    return services.plan_meeting(kommunikator, meeting_data(), [("Nyheter från kommunikation", "Anna"), ("Frågor", "")])


@pytest.fixture
def published(draft, kommunikator, redaktor, annan_redaktor):
    return services.publish_meeting(kommunikator, draft)


@pytest.mark.django_db
class TestPlanAndPublish:
    def test_comms_plans_a_draft_with_its_agenda(self, draft, kommunikator):
        assert draft.status == MeetingStatus.DRAFT and draft.created_by == kommunikator
        assert [(i.order, i.title, i.presenter) for i in draft.agenda_items.all()] == [
            (1, "Nyheter från kommunikation", "Anna"),
            (2, "Frågor", ""),
        ]
        assert not draft.invitations.exists()

    @pytest.mark.parametrize("role", ["redaktor", "medarbetare", "chef", "kommunikator_utan_mfa"])
    def test_only_comms_plans_publishes_and_cancels(self, request, now, draft, role):
        actor = request.getfixturevalue(role)
        with pytest.raises(PermissionDenied):
            services.plan_meeting(actor, meeting_data(), [])
        with pytest.raises(PermissionDenied):
            services.publish_meeting(actor, draft)
        with pytest.raises(PermissionDenied):
            services.cancel_meeting(actor, draft, "Krock")
        draft.refresh_from_db()
        assert draft.status == MeetingStatus.DRAFT and CouncilMeeting.objects.count() == 1

    def test_it_must_end_after_it_starts_and_have_a_place_or_link(self, now, kommunikator):
        with pytest.raises(DomainError):
            services.plan_meeting(kommunikator, meeting_data(ends_at=at(MEETING_DAY, 13)), [])
        with pytest.raises(DomainError):
            services.plan_meeting(kommunikator, meeting_data(place="", online_link=""), [])

    def test_publish_invites_exactly_the_mandate_holders_once_each(
        self, draft, kommunikator, redaktor, annan_redaktor, medarbetare, social_account, settings
    ):
        MandateFactory(user=redaktor, account=social_account)  # two accounts: still one invitation
        MandateFactory(user=medarbetare, valid_from=NOW.date() - 30 * DAY, valid_until=NOW.date() - DAY)  # ended
        revoked = MandateFactory(user=UserFactory(), revoked_at=NOW - DAY, revoke_reason="Slutat")
        inactive = MandateFactory(user=UserFactory(is_active=False))
        meeting = services.publish_meeting(kommunikator, draft)
        assert meeting.status == MeetingStatus.PUBLISHED and meeting.published_at == NOW
        assert {i.user for i in meeting.invitations.all()} == {redaktor, annan_redaktor}
        assert revoked.user not in {i.user for i in meeting.invitations.all()}
        assert inactive.user not in {i.user for i in meeting.invitations.all()}

        notices = ics_notices().order_by("recipient__email")
        assert [n.recipient for n in notices] == [annan_redaktor, redaktor]
        for notice in notices:
            invitation = Invitation.objects.get(meeting=meeting, user=notice.recipient)
            link = settings.SITE_URL + reverse("council:respond_by_token", args=[invitation.token])
            assert f"{link}?svar=ja" in notice.body and f"{link}?svar=nej" in notice.body
            assert f"{link}?svar=ombud" in notice.body
            calendar = ics(notice)
            assert str(calendar["METHOD"]) == "REQUEST"
            assert str(event(calendar)["UID"]) == meeting.uid

        # Sent as an email with the calendar event attached.
        for notice in notices:
            assert deliver(notice.pk)
        assert len(mail.outbox) == 2
        name, content, mimetype = mail.outbox[0].attachments[0]
        assert name == "someradet.ics" and mimetype.startswith("text/calendar")
        assert Calendar.from_ical(content)["METHOD"] == "REQUEST"

    def test_only_a_draft_in_the_future_is_published(self, draft, kommunikator, redaktor):
        services.publish_meeting(kommunikator, draft)
        with pytest.raises(DomainError):
            services.publish_meeting(kommunikator, draft)
        assert Invitation.objects.count() == 1
        late = services.plan_meeting(kommunikator, meeting_data(starts_at=NOW - DAY, ends_at=NOW - DAY / 2), [])
        with pytest.raises(DomainError):
            services.publish_meeting(kommunikator, late)
        late.refresh_from_db()
        assert late.status == MeetingStatus.DRAFT


@pytest.mark.django_db
class TestWhoIsInvited:
    """The edges of R24's invitation, on the meeting of 2026-03-20 published on 2026-03-10."""

    def test_a_mandate_in_force_at_publication_that_ends_the_day_before_the_meeting_invites(
        self, draft, kommunikator, medarbetare
    ):
        MandateFactory(user=medarbetare, valid_from=NOW.date(), valid_until=MEETING_DAY - DAY)
        services.publish_meeting(kommunikator, draft)
        assert draft.invitations.filter(user=medarbetare).exists()

    def test_a_mandate_ending_the_day_before_publication_does_not(self, draft, kommunikator, medarbetare):
        MandateFactory(user=medarbetare, valid_from=NOW.date() - 30 * DAY, valid_until=NOW.date() - DAY)
        services.publish_meeting(kommunikator, draft)
        assert not draft.invitations.filter(user=medarbetare).exists()

    def test_a_mandate_granted_earlier_that_starts_by_the_meeting_day_invites_at_publication(
        self, draft, kommunikator, medarbetare, annan_redaktor
    ):
        MandateFactory(user=medarbetare, valid_from=MEETING_DAY)
        later = MandateFactory(user=UserFactory(), valid_from=MEETING_DAY + DAY)
        services.publish_meeting(kommunikator, draft)
        assert draft.invitations.filter(user=medarbetare).exists()
        assert not draft.invitations.filter(user=later.user).exists()

    def test_a_mandate_granted_after_publication_invites_its_editor(
        self, published, chef, medarbetare, library_account
    ):
        grant_mandate(chef, library_account, medarbetare, NOW.date())
        invitation = Invitation.objects.get(meeting=published, user=medarbetare)
        notice = ics_notices().get(recipient=medarbetare)
        assert invitation.token in notice.body and str(ics(notice)["METHOD"]) == "REQUEST"

    @pytest.mark.parametrize(
        ("valid_from", "valid_until", "invited"),
        [
            (NOW.date(), MEETING_DAY - DAY, False),  # ends the day before the meeting
            (NOW.date(), MEETING_DAY, True),  # ends on the meeting's day
            (MEETING_DAY, None, True),  # starts on the meeting's day
            (MEETING_DAY + DAY, None, False),  # starts after it
        ],
    )
    def test_a_new_mandate_invites_only_if_in_force_on_the_meeting_day(
        self, published, chef, medarbetare, library_account, valid_from, valid_until, invited
    ):
        grant_mandate(chef, library_account, medarbetare, valid_from, valid_until)
        assert Invitation.objects.filter(meeting=published, user=medarbetare).exists() is invited

    def test_a_second_mandate_does_not_invite_twice(self, published, chef, redaktor, social_account, kommunikator):
        before = Notification.objects.filter(recipient=redaktor).count()
        grant_mandate(kommunikator, social_account, redaktor, NOW.date(), on_behalf_of=chef)  # R10: for chef
        assert Invitation.objects.filter(meeting=published, user=redaktor).count() == 1
        assert Notification.objects.filter(recipient=redaktor).count() == before + 1  # only mandate_granted

    def test_past_draft_and_cancelled_meetings_do_not_invite(
        self, published, kommunikator, chef, medarbetare, library_account
    ):
        services.plan_meeting(kommunikator, meeting_data(), [])  # a draft
        services.cancel_meeting(kommunikator, published, "Krock")
        with time_machine.travel(at(MEETING_DAY + DAY, 9), tick=False):
            grant_mandate(chef, library_account, medarbetare, MEETING_DAY + DAY)
        assert not Invitation.objects.filter(user=medarbetare).exists()

    def test_a_mandate_granted_after_the_meeting_started_does_not_invite(
        self, published, chef, medarbetare, library_account
    ):
        with time_machine.travel(at(MEETING_DAY, 13, 30), tick=False):
            grant_mandate(chef, library_account, medarbetare, MEETING_DAY)
        assert not Invitation.objects.filter(user=medarbetare).exists()


@pytest.mark.django_db
class TestMoveAndCancel:
    def test_moving_a_published_meeting_bumps_sequence_and_tells_every_invitee(
        self, published, kommunikator, redaktor, annan_redaktor
    ):
        mark = last_pk()
        meeting = services.update_meeting(
            kommunikator, published, meeting_data(starts_at=at(MEETING_DAY, 14), ends_at=at(MEETING_DAY, 16)), []
        )
        assert meeting.sequence == 1
        notices = ics_notices(mark)
        assert {n.recipient for n in notices} == {redaktor, annan_redaktor}
        calendar = ics(notices[0])
        assert str(calendar["METHOD"]) == "REQUEST"
        assert int(event(calendar)["SEQUENCE"]) == 1
        assert event(calendar).decoded("DTSTART") == at(MEETING_DAY, 14)

    def test_changing_only_the_agenda_or_title_tells_nobody(self, published, kommunikator):
        mark = last_pk()
        meeting = services.update_meeting(kommunikator, published, meeting_data(title="Nytt namn"), [("Ny punkt", "")])
        assert meeting.sequence == 0 and meeting.title == "Nytt namn"
        assert [i.title for i in meeting.agenda_items.all()] == ["Ny punkt"]
        assert not ics_notices(mark).exists()

    def test_moving_a_draft_tells_nobody(self, draft, kommunikator):
        meeting = services.update_meeting(kommunikator, draft, meeting_data(place="Biblioteket"), [])
        assert meeting.sequence == 0 and not Notification.objects.exists()

    def test_cancel_sends_a_cancel_to_the_invitees(self, published, kommunikator, redaktor, annan_redaktor):
        mark = last_pk()
        meeting = services.cancel_meeting(kommunikator, published, "Krockar med budgetdagen")
        assert meeting.status == MeetingStatus.CANCELLED and meeting.sequence == 1
        notices = ics_notices(mark)
        assert {n.recipient for n in notices} == {redaktor, annan_redaktor}
        assert "Krockar med budgetdagen" in notices[0].body
        calendar = ics(notices[0])
        assert str(calendar["METHOD"]) == "CANCEL"
        assert str(event(calendar)["UID"]) == meeting.uid and int(event(calendar)["SEQUENCE"]) == 1

    def test_cancel_needs_a_reason_and_happens_once(self, published, kommunikator):
        with pytest.raises(DomainError):
            services.cancel_meeting(kommunikator, published, "  ")
        services.cancel_meeting(kommunikator, published, "Krock")
        with pytest.raises(DomainError):
            services.cancel_meeting(kommunikator, published, "Krock")
        with pytest.raises(DomainError):
            services.update_meeting(kommunikator, published, meeting_data(), [])


@pytest.mark.django_db
class TestRespond:
    def invitation(self, meeting, user):
        return Invitation.objects.get(meeting=meeting, user=user)

    def test_the_invitee_answers_and_may_change_it(self, published, redaktor):
        invitation = services.respond(redaktor, self.invitation(published, redaktor), Response.DELEGATE, "Eva Ek")
        assert (invitation.response, invitation.delegate, invitation.responded_at) == (Response.DELEGATE, "Eva Ek", NOW)
        invitation = services.respond(redaktor, invitation, Response.YES, "Eva Ek")
        assert (invitation.response, invitation.delegate) == (Response.YES, "")

    def test_delegate_needs_a_name(self, published, redaktor):
        with pytest.raises(DomainError):
            services.respond(redaktor, self.invitation(published, redaktor), Response.DELEGATE, " ")
        assert self.invitation(published, redaktor).response == Response.NONE

    def test_no_answer_once_the_meeting_started(self, published, redaktor):
        invitation = self.invitation(published, redaktor)
        with time_machine.travel(at(MEETING_DAY, 12, 59), tick=False):
            services.respond(redaktor, invitation, Response.NO)
        with time_machine.travel(at(MEETING_DAY, 13), tick=False), pytest.raises(DomainError):
            services.respond(redaktor, invitation, Response.YES)
        assert self.invitation(published, redaktor).response == Response.NO

    def test_only_ones_own_invitation(self, published, redaktor, annan_redaktor, kommunikator):
        for someone in (annan_redaktor, kommunikator):
            with pytest.raises(PermissionDenied):
                services.respond(someone, self.invitation(published, redaktor), Response.NO)
        assert self.invitation(published, redaktor).response == Response.NONE

    def test_nobody_answers_on_anothers_behalf_not_even_a_superuser(self, published, redaktor, superuser):
        """R24 is each editor's own participation: a superuser passes every has_perm, but not this."""
        with pytest.raises(PermissionDenied):
            services.respond(give_mfa(superuser), self.invitation(published, redaktor), Response.NO)
        assert self.invitation(published, redaktor).response == Response.NONE

    def test_no_answer_to_a_cancelled_meeting(self, published, kommunikator, redaktor):
        services.cancel_meeting(kommunikator, published, "Krock")
        with pytest.raises(DomainError):
            services.respond(redaktor, self.invitation(published, redaktor), Response.YES)


@pytest.mark.django_db
class TestPages:
    def form(self, **changes):
        data = {
            "title": "SoMe-rådet april",
            "starts_at": "2026-04-02T09:00",
            "ends_at": "2026-04-02T11:00",
            "place": "Stadshuset",
            "online_link": "",
            "agenda": "Välkommen\nNyheter – Anna Svensson\nFrågor - Per",
        }
        data.update(changes)
        return data

    @pytest.mark.parametrize(
        ("name", "args"), [("council:index", []), ("council:meeting_create", []), ("council:respond_by_token", ["x"])]
    )
    def test_anonymous_is_sent_to_sign_in(self, client, db, name, args):
        url = reverse(name, args=args)
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].endswith(f"?next={url}")

    def test_comms_plans_with_swedish_local_times_and_a_text_agenda(self, client, now, kommunikator):
        client.force_login(kommunikator)
        assert client.get(reverse("council:meeting_create")).status_code == 200
        response = client.post(reverse("council:meeting_create"), self.form())
        meeting = CouncilMeeting.objects.get()
        assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
        assert meeting.starts_at == datetime.datetime(2026, 4, 2, 9, 0, tzinfo=STOCKHOLM)
        assert [(i.title, i.presenter) for i in meeting.agenda_items.all()] == [
            ("Välkommen", ""),
            ("Nyheter", "Anna Svensson"),
            ("Frågor", "Per"),
        ]
        edit = client.get(reverse("council:meeting_edit", args=[meeting.pk]))
        assert 'value="2026-04-02T09:00"' in edit.text and "Nyheter – Anna Svensson" in edit.text

    def test_a_form_with_the_end_before_the_start_saves_nothing(self, client, now, kommunikator):
        client.force_login(kommunikator)
        response = client.post(reverse("council:meeting_create"), self.form(ends_at="2026-04-02T08:00"))
        assert response.status_code == 200 and not CouncilMeeting.objects.exists()

    @pytest.mark.parametrize("role", ["redaktor", "medarbetare", "chef"])
    def test_non_comms_cannot_create_edit_publish_or_cancel(self, request, client, draft, role):
        client.force_login(request.getfixturevalue(role))
        assert client.post(reverse("council:meeting_create"), self.form()).status_code == 403
        assert client.post(reverse("council:meeting_edit", args=[draft.pk]), self.form()).status_code == 403
        assert client.post(reverse("council:meeting_publish", args=[draft.pk])).status_code == 403
        assert client.post(reverse("council:meeting_cancel", args=[draft.pk]), {"reason": "x"}).status_code == 403
        draft.refresh_from_db()
        assert draft.status == MeetingStatus.DRAFT and draft.title == "SoMe-rådet mars"
        assert CouncilMeeting.objects.count() == 1
        # A draft is comms' own.
        assert client.get(draft.get_absolute_url()).status_code == 404

    def test_comms_without_mfa_is_sent_to_activate_it(self, client, draft, kommunikator_utan_mfa):
        client.force_login(kommunikator_utan_mfa)
        for response in (
            client.get(reverse("council:meeting_create")),
            client.post(reverse("council:meeting_publish", args=[draft.pk])),
        ):
            assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
        draft.refresh_from_db()
        assert draft.status == MeetingStatus.DRAFT

    def test_comms_publishes_and_cancels_from_the_page(self, client, draft, kommunikator, redaktor):
        client.force_login(kommunikator)
        client.post(reverse("council:meeting_publish", args=[draft.pk]))
        page = client.get(draft.get_absolute_url())
        assert str(redaktor) in page.text and page.context["answers"]["none"] == 1
        # A cancellation without a reason changes nothing.
        client.post(reverse("council:meeting_cancel", args=[draft.pk]), {"reason": ""})
        draft.refresh_from_db()
        assert draft.status == MeetingStatus.PUBLISHED
        client.post(reverse("council:meeting_cancel", args=[draft.pk]), {"reason": "Krock"})
        draft.refresh_from_db()
        assert draft.status == MeetingStatus.CANCELLED

    def test_index_shows_meetings_and_the_network_in_few_queries(
        self,
        client,
        published,
        redaktor,
        annan_redaktor,
        library_account,
        social_account,
        django_assert_num_queries,
    ):
        client.force_login(redaktor)
        page = client.get(reverse("council:index"))
        assert page.status_code == 200
        assert page.context["next_meeting"] == published
        network = {a.name: [m.user for m in a.mandates_in_force] for a in page.context["network"]}
        assert network[library_account.name] == [redaktor]
        assert network[social_account.name] == [annan_redaktor]
        assert page.context["editor_count"] == 2
        # The network is one list from two queries however many accounts and editors there are.
        for _ in range(3):
            MandateFactory()
        with django_assert_num_queries(2):
            assert len([m for a in editor_network(NOW.date()) for m in a.mandates_in_force]) == 5

    def test_the_invitee_answers_on_the_page(self, client, published, redaktor):
        client.force_login(redaktor)
        response = client.post(reverse("council:respond", args=[published.pk]), {"response": "no"})
        assert response.status_code == 302
        assert Invitation.objects.get(user=redaktor).response == Response.NO

    def test_a_forged_answer_by_someone_not_invited_changes_nothing(self, client, published, medarbetare, redaktor):
        client.force_login(medarbetare)
        response = client.post(reverse("council:respond", args=[published.pk]), {"response": "yes"})
        assert response.status_code == 404
        assert not Invitation.objects.filter(user=medarbetare).exists()
        assert Invitation.objects.get(user=redaktor).response == Response.NONE

    def test_the_email_link_preselects_the_answer_and_records_it(self, client, published, redaktor):
        invitation = Invitation.objects.get(user=redaktor)
        url = reverse("council:respond_by_token", args=[invitation.token])
        client.force_login(redaktor)
        page = client.get(url + "?svar=ombud")
        assert page.status_code == 200 and page.context["form"].initial["response"] == Response.DELEGATE
        response = client.post(url, {"response": "delegate", "delegate": ""})
        assert response.status_code == 200
        assert Invitation.objects.get(pk=invitation.pk).response == Response.NONE
        response = client.post(url, {"response": "delegate", "delegate": "Eva Ek"})
        assert response.status_code == 302 and response["Location"] == published.get_absolute_url()
        invitation.refresh_from_db()
        assert (invitation.response, invitation.delegate) == (Response.DELEGATE, "Eva Ek")

    def test_the_email_link_for_someone_else(self, client, published, redaktor, annan_redaktor):
        invitation = Invitation.objects.get(user=redaktor)
        url = reverse("council:respond_by_token", args=[invitation.token])
        client.force_login(annan_redaktor)
        assert client.get(url + "?svar=ja").status_code == 403
        assert client.post(url, {"response": "yes"}).status_code == 403
        assert client.get(reverse("council:respond_by_token", args=["fel-token"])).status_code == 404
        invitation.refresh_from_db()
        assert invitation.response == Response.NONE

    def test_the_email_link_opened_by_a_superuser_answers_nothing(self, client, published, redaktor, superuser):
        invitation = Invitation.objects.get(user=redaktor)
        url = reverse("council:respond_by_token", args=[invitation.token])
        client.force_login(give_mfa(superuser))
        assert client.get(url + "?svar=nej").status_code == 403
        assert client.post(url, {"response": "no"}).status_code == 403
        invitation.refresh_from_db()
        assert (invitation.response, invitation.responded_at) == (Response.NONE, None)

    def test_the_email_link_signed_out_goes_to_sign_in_and_back(self, client, published, redaktor):
        invitation = Invitation.objects.get(user=redaktor)
        url = reverse("council:respond_by_token", args=[invitation.token]) + "?svar=ja"
        response = client.get(url)
        assert response.status_code == 302 and "next=" in response["Location"]
        assert "svar%3Dja" in response["Location"] or "svar=ja" in response["Location"]
