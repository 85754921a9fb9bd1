"""Running it safely (README): the production configuration passes Django's deploy check, answers
with the security headers, limits failed sign-ins, ends sessions, keeps the admin to comms and
superusers, and serves no private file under a URL."""

import datetime as dt
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
import time_machine
from cryptography.fernet import Fernet
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.views.static import serve
from playwright.sync_api import expect

from accounts.tests.browser import sign_in as sign_in_in_browser
from accounts.tests.factories import UserFactory
from conftest import give_mfa
from moderation.models import Evidence, Inquiry, LegalBasis
from moderation.services.legal import add_consent_evidence, record_legal_basis
from moderation.tests.files.storage import private_media
from moderation.tests.test_legal import png

BASE_DIR = Path(settings.BASE_DIR)


def production_environment(var_dir) -> dict:
    """What the README's /etc/falkoping-some.env holds, and nothing of the tests' own settings."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "some.falkoping.se",
        "DJANGO_CSRF_TRUSTED_ORIGINS": "https://some.falkoping.se",
        "PORTAL_SITE_URL": "https://some.falkoping.se",
        "DATABASE_URL": "postgres://some:secret@db.example.se:5432/falkoping_some",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "EMAIL_URL": "smtp+tls://some:secret@mail.example.se:587",
        "PORTAL_VAR_DIR": str(var_dir),
        "PORTAL_CAPTURE_KEYS": Fernet.generate_key().decode(),
    }


def test_the_production_configuration_passes_the_deploy_check_with_no_warning(tmp_path):
    done = subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=production_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # W021 (HSTS preload) is the one silenced on purpose: settings.py says why.
    assert "System check identified no issues (1 silenced)." in done.stdout
    assert "WARNING" not in done.stdout + done.stderr


def test_forms_may_post_to_the_identity_provider_of_single_sign_on(tmp_path):
    """The sign-on button posts to the portal, which redirects the form to the identity provider:
    form-action must allow that origin, or the browser stops the redirect."""
    environment = production_environment(tmp_path) | {
        "OIDC_SERVER_URL": "https://login.microsoftonline.com/tenant-id/v2.0",
        "OIDC_CLIENT_ID": "portal",
        "OIDC_CLIENT_SECRET": secrets.token_urlsafe(20),
        "DJANGO_SETTINGS_MODULE": "falkoping_some.settings",
    }
    done = subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, "-c", "from django.conf import settings; "
         "print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'])"],
        cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[\"'self'\", 'https://login.microsoftonline.com']"


@pytest.fixture
def production_security(settings):
    """The values settings.py gives in production, where the tests' pytest.ini turns them off."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    return settings


@pytest.mark.django_db
def test_a_page_carries_the_security_headers(client, production_security):
    response = client.get("/socialamedier", secure=True)
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe" not in csp
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_plain_http_is_sent_to_https_and_a_proxy_may_say_it_was_https(client, production_security):
    response = client.get("/socialamedier", headers={"host": "127.0.0.1"})
    assert response.status_code == 301
    assert response.headers["Location"] == "https://127.0.0.1/socialamedier"
    behind_proxy = client.get("/socialamedier", headers={"x-forwarded-proto": "https"})
    assert behind_proxy.status_code == 200


def sign_in(client, email, password="falkoping-test"):
    return client.post(reverse("account_login"), {"login": email, "password": password}, secure=True)


@pytest.mark.django_db
def test_cookies_are_secure_and_hidden_from_scripts_and_end_with_the_browser(client, production_security, redaktor):
    form = client.get(reverse("account_login"), secure=True)
    csrf = form.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"]
    response = sign_in(client, redaktor.email)
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax"
    assert not session["max-age"] and not session["expires"], "a session cookie: gone when the browser closes"
    assert client.session.get_expire_at_browser_close()


@pytest.mark.django_db
def test_a_sign_in_ends_after_eight_hours(client, redaktor):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        assert sign_in(client, redaktor.email).status_code == 302
        traveller.move_to(start + dt.timedelta(hours=8) - dt.timedelta(minutes=1))
        assert client.get(reverse("dashboard")).status_code == 200
        traveller.move_to(start + dt.timedelta(hours=8) + dt.timedelta(minutes=1))
        response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_after_five_wrong_passwords_even_the_right_one_is_refused(client, redaktor):
    for _attempt in range(5):
        refused = sign_in(client, redaktor.email, password="wrong-password")
        assert refused.status_code == 200
        assert "För många" not in refused.content.decode()
    response = sign_in(client, redaktor.email)
    assert response.status_code == 200
    assert "För många misslyckade inloggningsförsök. Försök igen senare." in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another person's sign-in from the same address is not locked out by it.
    other = UserFactory(email="annan@example.falkoping.se")
    assert sign_in(client, other.email).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("kommunikator", 200),
        ("superuser_with_mfa", 200),
        ("kommunikator_utan_mfa", "mfa_activate_totp"),
        ("redaktor", "admin:login"),
        ("chef", "admin:login"),
        ("medarbetare", "admin:login"),
        # A staff flag set by mistake on someone outside comms does not open the admin (urls.py).
        ("staff_outside_comms", "admin:login"),
    ],
)
def test_only_comms_and_superusers_enter_the_admin(client, request, who, expected):
    if who == "superuser_with_mfa":
        user = give_mfa(request.getfixturevalue("superuser"))
    elif who == "staff_outside_comms":  # the staff flag by mistake on someone outside comms
        user = give_mfa(UserFactory(email="personal@example.falkoping.se", is_staff=True))
    else:
        user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    if expected == 200:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response.headers["Location"].startswith(reverse(expected))


def every_url_pattern(resolver=None):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from every_url_pattern(entry)
        else:
            assert isinstance(entry, URLPattern)
            yield entry


def test_no_url_serves_the_private_files():
    private = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    patterns = list(every_url_pattern())
    assert len(patterns) > 50  # the walk reached the apps
    for pattern in patterns:
        assert pattern.callback is not serve, f"{pattern.pattern} serves files from a folder"
    # Static files (whitenoise, finders) come from static/ and STATIC_ROOT: neither holds the private root.
    public_roots = [Path(settings.STATIC_ROOT), *(Path(folder) for folder in settings.STATICFILES_DIRS)]
    for root in public_roots:
        root = root.resolve()
        assert not private.is_relative_to(root) and not root.is_relative_to(private), root
    assert not getattr(settings, "WHITENOISE_ROOT", None)
    assert not settings.MEDIA_ROOT


@pytest.mark.django_db
def test_a_stored_private_file_is_not_found_under_any_public_address(client):
    private = Path(settings.PRIVATE_MEDIA_ROOT)
    name = f"evidence/test-{secrets.token_hex(8)}.png"
    (private / "evidence").mkdir(parents=True, exist_ok=True)
    (private / name).write_bytes(b"\x89PNG evidence of a crime")
    try:
        assert finders.find(name) is None
        for prefix in ("/static/", "/media/", "/private/", "/"):
            assert client.get(prefix + name).status_code == 404, prefix + name
    finally:
        (private / name).unlink()


def postgres_url(database: dict, name: str) -> str:
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    return f"postgres://{database['USER']}{password}@{database['HOST']}:{database['PORT'] or 5432}/{name}"


@pytest.fixture
def fresh_database():
    """A new, empty PostgreSQL database beside the test database, dropped afterwards."""
    database = settings.DATABASES["default"]
    name = f"restore_{secrets.token_hex(6)}"
    admin = psycopg2.connect(postgres_url(database, "postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name}")
    try:
        yield postgres_url(database, name)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


def run_script(script, *args, env):
    return subprocess.run(  # noqa: S603 (our own scripts)
        [str(BASE_DIR / "scripts" / script), *map(str, args)],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_database_with_its_evidence(tmp_path, redaktor, library_account, fresh_database):

    private = tmp_path / "private"
    with private_media(private):
        basis = record_legal_basis(
            redaktor,
            library_account,
            post="https://www.facebook.com/falkopingsbibliotek/posts/1",
            published_at=timezone.now() - dt.timedelta(hours=1),
            basis=LegalBasis.CONSENT,
            documentation="Blanketten finns i bibliotekets pärm för samtycken.",
        )
        [evidence] = add_consent_evidence(redaktor, basis, [png("samtycke.png")])
    original = (private / evidence.file.name).read_bytes()

    backup = run_script(
        "backup.sh",
        tmp_path / "backups",
        env={"DATABASE_URL": postgres_url(settings.DATABASES["default"], settings.DATABASES["default"]["NAME"]),
             "PORTAL_PRIVATE_MEDIA_ROOT": str(private)},
    )  # fmt: skip
    assert backup.returncode == 0, backup.stderr
    folder = Path(backup.stdout.strip().splitlines()[-1])
    assert sorted(p.name for p in folder.iterdir()) == [
        "MANIFEST.sha256",
        "database.dump",
        "private-files.sha256",
        "private.tar",
    ]

    restored = tmp_path / "restored"
    restore_env = {
        "RESTORE_DATABASE_URL": fresh_database,
        "RESTORE_PRIVATE_MEDIA_ROOT": str(restored),
        "PYTHON": sys.executable,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "PORTAL_VAR_DIR": str(tmp_path / "var"),
    }
    restore = run_script("restore.sh", folder, env=restore_env)
    assert restore.returncode == 0, restore.stdout + restore.stderr
    assert "1 private files named in the database, 0 problems" in restore.stdout
    assert (restored / evidence.file.name).read_bytes() == original

    with psycopg2.connect(fresh_database) as connection, connection.cursor() as cursor:
        cursor.execute(f"SELECT file, sha256 FROM {Evidence._meta.db_table}")  # noqa: S608 (our table name)
        assert cursor.fetchall() == [(evidence.file.name, evidence.sha256)]
    connection.close()

    # A second restore into the same (now full) database is refused; so is a damaged backup.
    again = run_script("restore.sh", folder, env={**restore_env, "RESTORE_PRIVATE_MEDIA_ROOT": str(tmp_path / "r2")})
    assert again.returncode == 1
    assert "restore into a new, empty one" in again.stderr
    with (folder / "private.tar").open("r+b") as archive:
        archive.seek(600)
        archive.write(b"X")
    damaged = run_script("restore.sh", folder, env={**restore_env, "RESTORE_PRIVATE_MEDIA_ROOT": str(tmp_path / "r3")})
    assert damaged.returncode == 1
    assert "the backup does not match its manifest" in damaged.stderr


def csp_violations(page) -> list[str]:
    """Chromium reports what a Content Security Policy blocked as console errors: collect them."""
    seen = []
    page.on(
        "console",
        lambda message: (
            seen.append(message.text) if message.type == "error" and "Content Security Policy" in message.text else None
        ),
    )
    return seen


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_main_pages_break_no_rule_of_the_content_security_policy(live_server, page, kommunikator, library_account):
    now = timezone.now()
    Inquiry.objects.create(
        account=library_account,
        channel="comment",
        received_at=now - dt.timedelta(days=3),
        summary="Öppettider i påsk?",
        deadline=now - dt.timedelta(days=2),
        answered_at=now - dt.timedelta(days=3) + dt.timedelta(hours=2),
        answered_by=kommunikator,
        logged_by=kommunikator,
    )
    # … and one answered late: the dashboard lists the accounts with late answers (most first).
    Inquiry.objects.create(
        account=library_account,
        channel="comment",
        received_at=now - dt.timedelta(days=5),
        summary="Var kan jag låna en cykel?",
        deadline=now - dt.timedelta(days=4),
        answered_at=now - dt.timedelta(days=2),
        answered_by=kommunikator,
        logged_by=kommunikator,
    )
    violations = csp_violations(page)
    page.goto(f"{live_server.url}/socialamedier")
    sign_in_in_browser(page, live_server, kommunikator.email, mfa=True)
    expect(page.locator("h1")).to_have_count(1)
    # The answered-in-time bar is drawn by an SVG attribute: one of two in time fills half its width.
    expect(page.locator(".answer-bar rect")).to_have_attribute("width", "50")
    bar = page.locator(".answer-bar").bounding_box()
    assert bar["width"] > 100 and bar["height"] > 8, "the stylesheet sizes the bar"
    for path in (
        "/konton/",
        f"/konton/{library_account.pk}/",
        "/moderering/",
        "/someradet/",
        "/arkiv/",
        "/uppdrag/",
        "/granskning/",
        "/admin/",
        "/admin/accounts/socialaccount/",
        "/inloggning/2fa/",
        "/socialamedier/tillganglighet",
        "/socialamedier/tillganglighet/andra/",
    ):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert "default-src 'self'" in response.headers["content-security-policy"]
    assert violations == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_qr_code_of_two_step_verification_shows_under_the_policy(live_server, page, kommunikator_utan_mfa):
    violations = csp_violations(page)
    sign_in_in_browser(page, live_server, kommunikator_utan_mfa.email, next_path="/inloggning/2fa/totp/activate/")
    if page.get_by_role("heading", name="Bekräfta åtkomst").count():  # allauth may ask for the password again
        page.get_by_label("Lösenord").fill("falkoping-test")
        page.get_by_role("button", name="Verifiera").click()
    expect(page.locator("h1")).to_have_text("Aktivera autentiseringsapp")
    qr = page.locator("main img").first
    expect(qr).to_have_attribute("src", re.compile(r"^data:image/svg\+xml;base64,"))
    assert qr.evaluate("image => image.complete && image.naturalWidth > 0"), "the data: image was loaded"
    assert violations == []


# records/summary.html is a file inside the export's zip, read from disk where no policy applies: its
# styles must travel inside it.
NOT_SERVED = {"records/summary.html"}
INLINE = re.compile(r"""\sstyle\s*=|<style|<script(?![^>]*\ssrc=)[^>]*>(?!\s*</script>)|\son[a-z]+\s*=\s*["']""", re.I)


def test_no_served_template_has_inline_style_or_script():
    """The policy allows no inline style or script: a template with one would be broken in production."""
    folders = [BASE_DIR / "templates", *BASE_DIR.glob("*/templates")]
    offenders = []
    for folder in folders:
        for template in folder.rglob("*.html"):
            name = template.relative_to(folder).as_posix()
            if name not in NOT_SERVED and INLINE.search(template.read_text()):
                offenders.append(name)
    assert offenders == []


def test_the_error_page_links_its_stylesheet_by_a_path_that_exists(client):
    html = (BASE_DIR / "templates" / "500.html").read_text()
    link = re.search(r'<link rel="stylesheet" href="/static/([^"]+)">', html)
    assert link and finders.find(link[1]), "templates/500.html names a file in static/"


def test_production_refuses_to_start_capture_without_its_own_token_keys(tmp_path):
    environment = production_environment(tmp_path)
    del environment["PORTAL_CAPTURE_KEYS"]
    done = subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode != 0
    assert "capture.E001" in done.stderr + done.stdout
    environment["PORTAL_CAPTURE_KEYS"] = "not-a-key"
    done = subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert "capture.E002" in done.stderr + done.stdout
