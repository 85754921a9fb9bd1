"""The demo's outgoing mail, appended to a file (settings.PORTAL_MAIL_LOG, var/mail.log) instead of
printed: the console of `make run` keeps the banner with the address and the demo logins in view,
and the emails stay there to read (`tail -f var/mail.log`), the links in them to follow."""

from pathlib import Path

from django.conf import settings
from django.core.mail.backends.console import EmailBackend as ConsoleEmailBackend


class EmailBackend(ConsoleEmailBackend):
    """The console backend's output, each message after the last, in one file. The web server and
    the worker both write to it: each send opens, appends and closes."""

    def send_messages(self, email_messages):
        if not email_messages:
            return 0
        path = Path(settings.PORTAL_MAIL_LOG)
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, path.open("a", encoding="utf-8") as stream:
            self.stream = stream
            try:
                return super().send_messages(email_messages)
            finally:
                self.stream = None
