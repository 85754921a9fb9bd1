"""The newcomer's start (`make run`): the demo on another port gives links to that port in its
emails, its emails go to a file instead of above the banner, and the browser finds an icon."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core import mail
from django.test import override_settings

from falkoping_some.dev_address import url_for


@pytest.mark.parametrize(
    ("address", "url"),
    [
        ("127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("9000", "http://127.0.0.1:9000"),
        ("0.0.0.0:9000", "http://127.0.0.1:9000"),
        ("localhost:9001", "http://localhost:9001"),
        ("[::]:9000", "http://[::1]:9000"),
    ],
)
def test_the_address_of_make_run_as_a_browser_on_this_machine_reaches_it(address, url):
    assert url_for(address) == url


@pytest.fixture
def setting(tmp_path):
    def read(name: str, **variables) -> str:
        """A setting as a fresh process reads it from these variables alone (PATH, a var folder of its own)."""
        env = {"PATH": os.environ["PATH"], "PORTAL_VAR_DIR": str(tmp_path / "var"), **variables}
        done = subprocess.run(  # noqa: S603 (our own command line)
            [sys.executable, "-c", f"from django.conf import settings; print(settings.{name})"],
            cwd=settings.BASE_DIR, env={**env, "DJANGO_SETTINGS_MODULE": "falkoping_some.settings"},
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    return read


def test_the_links_in_the_demos_emails_follow_the_port_it_runs_on(setting):
    def site_url(**variables):
        return setting("SITE_URL", **variables)

    assert site_url(PORTAL_DEMO="true", PORTAL_DEV_ADDRESS="127.0.0.1:9000") == "http://127.0.0.1:9000"
    assert site_url(PORTAL_DEMO="true", PORTAL_DEV_ADDRESS="0.0.0.0:9000") == "http://127.0.0.1:9000"
    assert site_url(PORTAL_DEMO="true") == "http://127.0.0.1:8000"
    # Set explicitly, PORTAL_SITE_URL wins.
    assert (
        site_url(PORTAL_DEMO="true", PORTAL_DEV_ADDRESS="127.0.0.1:9000", PORTAL_SITE_URL="http://demo.example:80/")
        == "http://demo.example:80"
    )
    # Production never reads the demo's address.
    assert (
        site_url(
            DJANGO_SECRET_KEY="x" * 50, DJANGO_ALLOWED_HOSTS="some.falkoping.se", PORTAL_DEV_ADDRESS="0.0.0.0:9000"
        )
        == "http://127.0.0.1:8000"
    )


def test_the_demos_emails_are_appended_to_a_file_not_printed(tmp_path, capsys):
    log = tmp_path / "var" / "mail.log"
    with override_settings(EMAIL_BACKEND="falkoping_some.mail_log.EmailBackend", PORTAL_MAIL_LOG=log):
        mail.send_mail("En gallring att bekräfta", "http://127.0.0.1:9000/arkiv/gallring/", None, ["k@demo.se"])
        mail.send_mail("Ett andra mejl", "Hej", None, ["k@demo.se"])
    text = log.read_text()
    assert "http://127.0.0.1:9000/arkiv/gallring/" in text
    assert text.index("arkiv/gallring") < text.index("Hej")  # appended, in order
    assert "gallring" not in capsys.readouterr().out


def test_the_demo_sends_its_mail_to_the_file_unless_email_url_is_set(setting):
    assert setting("EMAIL_BACKEND", PORTAL_DEMO="true") == "falkoping_some.mail_log.EmailBackend"
    smtp = setting("EMAIL_BACKEND", PORTAL_DEMO="true", EMAIL_URL="smtp://mail.example.se:25")
    assert smtp == "django.core.mail.backends.smtp.EmailBackend"
    # Debug without the demo (manage.py by hand) prints them, as before.
    assert setting("EMAIL_BACKEND", DJANGO_DEBUG="true") == "django.core.mail.backends.console.EmailBackend"


def test_every_page_has_the_portals_icon_and_favicon_ico_leads_to_it(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/favicon.svg"
    page = client.get("/socialamedier").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200
    assert b"#005a8c" in b"".join(icon.streaming_content)
