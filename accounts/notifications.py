"""Email notices in Swedish, through an outbox (the Notification model).

`notify()` is called by services inside their transaction: it renders each notice and stores it,
and once the transaction commits it hands the notices to the worker. A notice that cannot be
queued or sent stays in the outbox and is retried (accounts.tasks), so a slow or broken mail
server never blocks a page and never loses a decision's notice.

Contract:
    notify(recipients, template, context) -> list[Notification]
      recipients: iterable of User (inactive users and users without email are skipped, duplicates once)
      template:   "account_requested" renders templates/emails/account_requested_subject.txt and .txt
      context:    dict; "url" given as a path is made absolute with settings.SITE_URL
"""

import datetime
import logging
import re
import smtplib
from collections.abc import Iterable

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Mandate, Notification, User

logger = logging.getLogger(__name__)

# R10: the manager hears this long before a mandate ends (DESIGN.md, the scheduled checks), to renew
# it or let it end on purpose.
MANDATE_EXPIRY_NOTICE = datetime.timedelta(days=14)
# The worker sends a notice at once; the sweep takes only what it has left for this long, so that
# it never races the worker for a notice that is just being sent.
PENDING_GRACE = datetime.timedelta(minutes=5)


def reachable(recipients: Iterable[User]) -> list[User]:
    """The recipients that an email can reach, each once, in the order given."""
    seen = set()
    users = []
    for user in recipients:
        if user is None or user.pk in seen or not (user.is_active and user.email):
            continue
        seen.add(user.pk)
        users.append(user)
    return users


def render_notice(template: str, context: dict) -> tuple[str, str]:
    """The subject (one line) and body of a notice, in the portal's language (Swedish) whatever
    language the person who caused it uses: the recipient reads it, not the actor."""
    context = dict(context)
    url = context.get("url")
    if url and str(url).startswith("/"):
        context["url"] = settings.SITE_URL + str(url)
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"emails/{template}_subject.txt", context)
        body = render_to_string(f"emails/{template}.txt", context)
    # Plain text: the template's tags leave blank lines behind; keep one between paragraphs.
    body = re.sub(r"\n\s*\n(\s*\n)+", "\n\n", body.strip())
    return " ".join(subject.split()), body + "\n"


def notify(recipients: Iterable[User], template: str, context: dict, attachment=None) -> list[Notification]:
    """Store one notice per reachable recipient and queue them once the transaction commits.

    Call it inside the service's transaction: if the decision is rolled back, so are its notices,
    and nothing was queued. `attachment` is an optional (file name, bytes, MIME type), such as a
    meeting's .ics."""
    users = reachable(recipients)
    if not users:
        return []
    subject, body = render_notice(template, context)
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                subject=subject,
                body=body,
                attachment_name=attachment[0] if attachment else "",
                attachment=attachment[1] if attachment else None,
                attachment_type=attachment[2] if attachment else "",
            )  # fmt: skip
            for user in users
        ]
    )
    ids = [n.pk for n in notifications]
    transaction.on_commit(lambda: _enqueue(ids))
    return notifications


def _enqueue(ids: list[int]):
    for position, notification_id in enumerate(ids):
        try:
            send_notification.delay(notification_id)
        except Exception:
            # The broker is down. The notices are safe in the outbox and the sweep sends them;
            # trying the rest would only make the page wait for the same failure again.
            logger.warning("Could not queue notifications %s; the sweep will send them.", ids[position:], exc_info=True)
            return


def deliver(notification_id: int) -> bool:
    """Send one notice, once. True if it was sent now, False if there was nothing to send.

    The row is locked while the mail goes out, so the worker and the sweep never both send it.
    A failure is counted and stored on the row, then raised again for the task to retry."""
    error = None
    with transaction.atomic():
        # Only the notice's row: the recipient's user row stays free while the mail goes out.
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.sent_at is not None:
            return False
        notification.attempts += 1
        try:
            message = EmailMessage(
                notification.subject, notification.body, settings.DEFAULT_FROM_EMAIL, [notification.recipient.email]
            )
            if notification.attachment_name:
                message.attach(
                    notification.attachment_name, bytes(notification.attachment), notification.attachment_type
                )
            message.send()
        except Exception as exc:
            error = exc
            notification.last_error = f"{type(exc).__name__}: {exc}"
            notification.save(update_fields=["attempts", "last_error"])
        else:
            notification.sent_at = timezone.now()
            notification.last_error = ""
            notification.save(update_fields=["attempts", "last_error", "sent_at"])
    if error is not None:
        raise error
    return True


def send_pending_notifications() -> int:
    """The sweep: send every notice the worker has not sent (it was never queued, or its retries
    ran out). Returns how many were sent; a notice that fails again waits for the next sweep."""
    ids = list(
        Notification.objects.filter(sent_at__isnull=True, created_at__lte=timezone.now() - PENDING_GRACE)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
    sent = 0
    for notification_id in ids:
        try:
            if deliver(notification_id):
                sent += 1
        except Exception:
            logger.warning(
                "Notification %s could not be sent; the next sweep tries again.", notification_id, exc_info=True
            )
    return sent


def notify_expiring_mandates(today: datetime.date) -> int:
    """R10: tell the managers of every mandate that ends within MANDATE_EXPIRY_NOTICE, once per
    mandate, so that they renew it or let it end on purpose. Returns how many mandates were
    noticed. A mandate whose unit has no reachable manager anywhere above it is left for the next
    run, when someone may have been named."""
    mandates = list(
        Mandate.objects.active_on(today)
        .filter(valid_until__lte=today + MANDATE_EXPIRY_NOTICE, expiry_notice_sent_on__isnull=True)
        .select_related("user", "account__unit")
        .order_by("valid_until", "pk")
    )
    managers = {}  # per unit: several mandates of one unit ask once
    noticed = 0
    for mandate in mandates:
        unit = mandate.account.unit
        if unit.pk not in managers:
            managers[unit.pk] = reachable(unit.responsible_managers())
        recipients = managers[unit.pk]
        if not recipients:
            logger.warning("Mandate %s ends soon but its unit has no manager to tell.", mandate.pk)
            continue
        with transaction.atomic():
            # Claimed with a conditional update: two runs at once notify a manager only once.
            claimed = Mandate.objects.filter(pk=mandate.pk, expiry_notice_sent_on__isnull=True).update(
                expiry_notice_sent_on=today
            )
            if claimed:
                notify(recipients, "mandate_expiring", {"mandate": mandate, "url": mandate.account.get_absolute_url()})
                noticed += 1
    return noticed


# The task that sends one notice: here, beside notify() that queues it and deliver() that it runs
# (accounts/tasks.py names it for the worker's autodiscovery).
@shared_task(
    name="accounts.tasks.send_notification",  # beat and queued messages know it by this name
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=True,
    retry_backoff_max=60 * 60,
    max_retries=12,
    acks_late=True,
)
def send_notification(notification_id):
    # A mail server that is down for a few hours is retried with a growing pause; after that the
    # notice waits in the outbox for the sweep.
    deliver(notification_id)
