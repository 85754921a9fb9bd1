"""Email notices in Swedish, through an outbox (the Notification model).

`notify()` is called by services inside their transaction: it renders each notice and stores it,
and once the transaction commits it hands the notices to the worker. A notice that cannot be
queued or sent stays in the outbox and is retried (accounts.tasks), so a slow or broken mail
server never blocks a page and never loses a decision's notice.
"""
# Implementation: see the helper's work (queue, deliver, retry). Placeholder contract:
#   notify(recipients, template, context) -> list[Notification]
#     recipients: iterable of User (inactive users and users without email are skipped, duplicates once)
#     template:   "account_requested" renders templates/emails/account_requested_subject.txt and .txt
#     context:    dict; "url" given as a path is made absolute with settings.SITE_URL
