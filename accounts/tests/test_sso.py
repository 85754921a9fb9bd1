"""Single sign-on over OpenID Connect, against a REAL provider.

A real OpenID Connect provider (the PyPI package oidc-provider-mock: authlib behind Flask, with
discovery, signed ID tokens, the token and userinfo endpoints) runs in a thread on 127.0.0.1 at a
random port. The portal is driven with Django's test client, and the provider over HTTP with
requests: the portal's redirect to the provider, the person's consent there, the provider's redirect
back with a code, and the portal's own calls to the provider's token and userinfo endpoints are all
real. The provider is configured the way a server is: by the OIDC_* environment variables, read by
the settings module itself.
"""

import importlib.util
import os
import threading
import uuid
import warnings
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
import requests
import werkzeug.serving
from allauth.socialaccount.models import SocialAccount as Identity
from auditlog.models import LogEntry
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from accounts.models import SignInPolicy, User
from conftest import give_mfa, totp_code

with warnings.catch_warnings():
    # The provider's own imports of authlib's deprecated modules: not the portal's code. (authlib
    # turns its deprecation warnings to "always" when first imported: let it, then silence them.)
    import authlib.deprecate  # noqa: F401

    warnings.simplefilter("ignore")
    import oidc_provider_mock

# The provider builds its ID tokens through an API that authlib has deprecated (not the portal's code).
pytestmark = pytest.mark.filterwarnings("ignore:get_jwt_config:DeprecationWarning")

SSO_LOGIN = reverse("openid_connect_login", kwargs={"provider_id": "kommun"})
ENTRA_TENANT = "6f1c2a4e-0b7d-4c35-9a51-2d8e3f4a5b6c"  # a made-up tenant id
SETTINGS_FILE = importlib.util.find_spec(django_settings.SETTINGS_MODULE).origin
SSO_SETTINGS = [
    "SSO_ENABLED",
    "OIDC_SERVER_URL",
    "OIDC_CLIENT_ID",
    "OIDC_CLIENT_SECRET",
    "OIDC_PROVIDER_NAME",
    "OIDC_EMAIL_CLAIMS",
    "OIDC_TRUSTED_EMAIL_DOMAINS",
    "OIDC_MFA_AMR_VALUES",
    "SOCIALACCOUNT_PROVIDERS",
]


@pytest.fixture(scope="module")
def provider_root():
    """The provider's address, on loopback. It also answers under /<tenant>/v2.0, the path of a
    Microsoft Entra ID discovery URL, to show that form of OIDC_SERVER_URL works."""
    # authlib refuses plain HTTP unless told; this server only ever listens on 127.0.0.1.
    previous = os.environ.get("AUTHLIB_INSECURE_TRANSPORT")
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
    provider = oidc_provider_mock.app()
    app = DispatcherMiddleware(provider, {f"/{ENTRA_TENANT}/v2.0": provider})
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)
    server.server_close()
    if previous is None:
        os.environ.pop("AUTHLIB_INSECURE_TRANSPORT", None)
    else:
        os.environ["AUTHLIB_INSECURE_TRANSPORT"] = previous


def settings_from_environment(monkeypatch, settings, environment):
    """Read falkoping_some/settings.py afresh with these environment variables, as a server
    starting would, and put its sign-in settings in force for the test."""
    for name in ["OIDC_SERVER_URL", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_PROVIDER_NAME"]:
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("settings_probe", SETTINGS_FILE)
    probe = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(probe)
    for name in SSO_SETTINGS:
        setattr(settings, name, getattr(probe, name))
    return probe


@pytest.fixture
def sso(monkeypatch, settings, provider_root):
    """Single sign-on configured as in the README, with a standard provider."""
    settings_from_environment(
        monkeypatch,
        settings,
        {
            "OIDC_SERVER_URL": provider_root,
            "OIDC_CLIENT_ID": "some-portal",
            "OIDC_CLIENT_SECRET": "a-secret",
            "OIDC_PROVIDER_NAME": "Falköpings kommun",
        },
    )
    return provider_root


def sign_in_through_provider(client, provider_root, claims, next_path=None):
    """The whole authorization-code flow: press the button, consent at the provider as the person
    with these claims, and come back to the portal. Returns the portal's answer to the callback."""
    subject = str(uuid.uuid4())
    # The provider's own API for who a person is (PUT /users/<sub>: the claims it will issue).
    requests.put(f"{provider_root}/users/{subject}", json=claims, timeout=5).raise_for_status()
    return sign_in_as_subject(client, provider_root, subject, next_path)


def sign_in_as_subject(client, provider_root, subject, next_path=None, process=None):
    params = {key: value for key, value in [("next", next_path), ("process", process)] if value}
    start = client.post(SSO_LOGIN + (f"?{urlencode(params)}" if params else ""))
    assert start.status_code == 302, start.content
    authorize = start["Location"]
    assert authorize.startswith(provider_root + "/")
    query = dict(parse_qsl(urlsplit(authorize).query))
    assert query["response_type"] == "code" and set(query["scope"].split()) == {"openid", "profile", "email"}
    assert query["code_challenge_method"] == "S256"  # PKCE
    consent = requests.post(authorize, data={"sub": subject}, allow_redirects=False, timeout=5)
    assert consent.status_code == 302, consent.text
    back = urlsplit(consent.headers["Location"])
    assert back.path == reverse("openid_connect_callback", kwargs={"provider_id": "kommun"})
    return client.get(f"{back.path}?{back.query}")


def signed_in_user(client):
    """Who the session belongs to (None: nobody), read without visiting a page."""
    pk = client.session.get(SESSION_KEY)
    return User.objects.get(pk=pk) if pk else None


@pytest.mark.django_db
class TestMatchByVerifiedEmail:
    def test_a_known_verified_email_signs_in_as_that_user_on_the_dashboard(self, client, sso, redaktor):
        claims = {"email": "Redaktor@Example.Falkoping.se", "email_verified": True, "name": "Rut Redaktör"}
        response = sign_in_through_provider(client, sso, claims)

        assert response.status_code == 302 and response["Location"] == reverse("dashboard")
        assert signed_in_user(client) == redaktor
        dashboard = client.get(response["Location"])
        assert dashboard.status_code == 200 and "dashboard.html" in [t.name for t in dashboard.templates]
        # The identity is connected to the user: the provider's subject id decides from now on.
        identity = Identity.objects.get(user=redaktor)
        assert identity.provider == "kommun"
        assert User.objects.filter(email__iexact="redaktor@example.falkoping.se").count() == 1

    def test_the_next_page_survives_the_trip_to_the_provider(self, client, sso, redaktor, library_account):
        page = reverse("accounts:detail", args=[library_account.pk])
        claims = {"email": redaktor.email, "email_verified": True}
        response = sign_in_through_provider(client, sso, claims, next_path=page)
        assert response.status_code == 302 and response["Location"] == page

    def test_a_connected_person_is_known_by_subject_even_after_an_address_change(self, client, sso, redaktor):
        subject = str(uuid.uuid4())
        requests.put(f"{sso}/users/{subject}", json={"email": redaktor.email, "email_verified": True}, timeout=5)
        assert sign_in_as_subject(client, sso, subject).status_code == 302
        client.logout()
        # The provider now sends a new address the portal does not know; the connection decides.
        requests.put(f"{sso}/users/{subject}", json={"email": "rut.ny@example.se", "email_verified": True}, timeout=5)
        response = sign_in_as_subject(client, sso, subject)
        assert response.status_code == 302 and signed_in_user(client) == redaktor
        assert not User.objects.filter(email="rut.ny@example.se").exists()

    def test_an_unknown_email_is_refused_and_nobody_is_created(self, client, sso, redaktor):
        users_before = User.objects.count()
        response = sign_in_through_provider(client, sso, {"email": "okand@example.se", "email_verified": True})

        assert response.status_code == 403
        page = response.content.decode()
        assert "Det finns ingen användare med e-postadressen okand@example.se i SoMe-portalen." in page
        assert "Kontakta kommunikationsavdelningen" in page
        assert User.objects.count() == users_before and not Identity.objects.exists()
        assert signed_in_user(client) is None

    @pytest.mark.parametrize(
        "claims",
        [
            pytest.param({"email": "redaktor@example.falkoping.se", "email_verified": False}, id="said-unverified"),
            pytest.param({"email": "redaktor@example.falkoping.se"}, id="no-verification-claim"),
        ],
    )
    def test_an_unverified_email_is_refused(self, client, sso, redaktor, claims):
        response = sign_in_through_provider(client, sso, claims)

        assert response.status_code == 403
        assert (
            "bekräftade inte att e-postadressen redaktor@example.falkoping.se är verifierad"
            in response.content.decode()
        )
        assert signed_in_user(client) is None and not Identity.objects.exists()

    def test_no_email_at_all_is_refused(self, client, sso, redaktor):
        response = sign_in_through_provider(client, sso, {"name": "Rut Redaktör"})
        assert response.status_code == 403
        assert "Falköpings kommun skickade ingen e-postadress" in response.content.decode()

    def test_an_inactive_user_is_refused(self, client, sso, redaktor):
        redaktor.is_active = False
        redaktor.save()
        response = sign_in_through_provider(client, sso, {"email": redaktor.email, "email_verified": True})
        assert response.status_code == 403
        assert "Din användare i SoMe-portalen (redaktor@example.falkoping.se) är avstängd." in response.content.decode()
        assert signed_in_user(client) is None

    def test_a_connected_user_deactivated_later_is_refused(self, client, sso, redaktor):
        subject = str(uuid.uuid4())
        requests.put(f"{sso}/users/{subject}", json={"email": redaktor.email, "email_verified": True}, timeout=5)
        sign_in_as_subject(client, sso, subject)
        client.logout()
        User.objects.filter(pk=redaktor.pk).update(is_active=False)
        response = sign_in_as_subject(client, sso, subject)
        assert response.status_code == 403 and "är avstängd" in response.content.decode()
        assert signed_in_user(client) is None

    def test_a_signed_in_user_cannot_connect_someone_elses_identity(self, client, sso, medarbetare, redaktor):
        client.force_login(medarbetare)
        subject = str(uuid.uuid4())
        requests.put(f"{sso}/users/{subject}", json={"email": redaktor.email, "email_verified": True}, timeout=5)
        response = sign_in_as_subject(client, sso, subject, process="connect")
        assert response.status_code == 403
        assert (
            "hör till en annan användare i SoMe-portalen (redaktor@example.falkoping.se)" in response.content.decode()
        )
        assert not Identity.objects.exists()

        requests.put(f"{sso}/users/{subject}", json={"email": medarbetare.email, "email_verified": True}, timeout=5)
        assert sign_in_as_subject(client, sso, subject, process="connect").status_code == 302
        assert Identity.objects.get().user == medarbetare


@pytest.mark.django_db
class TestCommsStillNeedTheirCode:
    def test_comms_signing_in_through_the_provider_is_asked_for_the_code(self, client, sso, kommunikator):
        response = sign_in_through_provider(client, sso, {"email": kommunikator.email, "email_verified": True})

        assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
        assert signed_in_user(client) is None
        page = client.get(reverse("mfa_authenticate"))
        assert 'name="code"' in page.content.decode()
        assert client.post(reverse("mfa_authenticate"), {"code": "000000"}).status_code == 200
        assert signed_in_user(client) is None
        response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
        assert response.status_code == 302 and response["Location"] == reverse("dashboard")
        assert signed_in_user(client) == kommunikator


@pytest.mark.django_db
class TestTheProvidersWordOnMFA:
    """Privileged users pass two-step verification in every session. After single sign-on, the
    provider's own MFA counts only when its ID token says so in `amr` (RFC 8176), with a value in
    OIDC_MFA_AMR_VALUES ("mfa" unless configured); otherwise the portal asks for its own code."""

    def claims(self, user, amr=None):
        return {"email": user.email, "email_verified": True, **({"amr": amr} if amr is not None else {})}

    def test_a_password_at_the_provider_is_not_enough_comms_give_the_portals_code(self, client, sso, kommunikator):
        response = sign_in_through_provider(client, sso, self.claims(kommunikator, ["pwd"]))
        assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
        assert signed_in_user(client) is None

    def test_mfa_at_the_provider_spares_the_portals_code(self, client, sso, kommunikator):
        response = sign_in_through_provider(client, sso, self.claims(kommunikator, ["pwd", "mfa"]))
        assert response.status_code == 302 and response["Location"] == reverse("dashboard")
        assert signed_in_user(client) == kommunikator
        assert client.get(reverse("review:queue")).status_code == 200
        assert client.get(reverse("admin:index")).status_code == 200

    def test_a_superuser_without_it_reaches_nothing_privileged(self, client, sso, superuser):
        response = sign_in_through_provider(client, sso, self.claims(superuser, ["pwd"]))
        assert response.status_code == 302 and signed_in_user(client) == superuser
        for page in (reverse("review:queue"), reverse("records:index"), reverse("admin:index")):
            response = client.get(page)
            assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp"), page

    def test_the_providers_word_does_not_replace_the_portals_authenticator(self, client, sso, superuser):
        """A privileged user keeps the portal's own authenticator active: it is their second step
        whenever they sign in with a password (the break-glass door when the provider is down)."""
        sign_in_through_provider(client, sso, self.claims(superuser, ["pwd", "mfa"]))
        assert client.get(reverse("review:queue"))["Location"] == reverse("mfa_activate_totp")
        give_mfa(superuser)
        assert client.get(reverse("review:queue")).status_code == 200

    @pytest.mark.parametrize(
        ("configured", "amr", "asked_for_the_code"),
        [
            pytest.param(None, ["pwd", "otp"], True, id="default-mfa-only"),
            pytest.param("mfa,otp,hwk", ["pwd", "otp"], False, id="configured-otp"),
            pytest.param("mfa,otp,hwk", ["pwd"], True, id="configured-but-absent"),
            pytest.param(None, "mfa", True, id="not-an-array"),
        ],
    )
    def test_which_values_count_is_configured(
        self, client, monkeypatch, settings, provider_root, kommunikator, configured, amr, asked_for_the_code
    ):
        environment = {
            "OIDC_SERVER_URL": provider_root,
            "OIDC_CLIENT_ID": "some-portal",
            "OIDC_CLIENT_SECRET": "a-secret",
        }
        monkeypatch.delenv("OIDC_MFA_AMR_VALUES", raising=False)
        if configured is not None:
            environment["OIDC_MFA_AMR_VALUES"] = configured
        settings_from_environment(monkeypatch, settings, environment)
        response = sign_in_through_provider(client, provider_root, self.claims(kommunikator, amr))
        expected = reverse("mfa_authenticate") if asked_for_the_code else reverse("dashboard")
        assert response.status_code == 302 and response["Location"] == expected


@pytest.mark.django_db
class TestMicrosoftEntraId:
    @pytest.fixture
    def entra(self, monkeypatch, settings, provider_root):
        """Configured as the README says for Entra ID: the tenant's v2.0 discovery URL, the email
        read from `email` or else `preferred_username`, trusted only in the municipality's domain."""
        probe = settings_from_environment(
            monkeypatch,
            settings,
            {
                "OIDC_SERVER_URL": f"{provider_root}/{ENTRA_TENANT}/v2.0/",  # pasted with a slash
                "OIDC_CLIENT_ID": "2b8f0c1e-portal",
                "OIDC_CLIENT_SECRET": "a-secret",
                "OIDC_EMAIL_CLAIMS": "email,preferred_username",
                "OIDC_TRUSTED_EMAIL_DOMAINS": "example.falkoping.se",
            },
        )
        return probe

    def test_the_tenant_discovery_url_is_what_the_portal_asks(self, entra, rf, provider_root):
        from allauth.socialaccount.adapter import get_adapter

        provider = get_adapter().get_provider(rf.get("/"), "kommun")
        assert provider.server_url == f"{provider_root}/{ENTRA_TENANT}/v2.0/.well-known/openid-configuration"

    def test_entra_claims_without_email_verified_sign_in_by_the_trusted_domain(
        self, client, entra, provider_root, medarbetare
    ):
        claims = {
            "preferred_username": "Medarbetare@example.falkoping.se",
            "name": "Maj Medarbetare",
            "tid": ENTRA_TENANT,
        }
        response = sign_in_through_provider(client, provider_root + f"/{ENTRA_TENANT}/v2.0", claims)
        assert response.status_code == 302 and signed_in_user(client) == medarbetare

    def test_an_address_outside_the_trusted_domains_is_refused(self, client, entra, provider_root, medarbetare):
        medarbetare.email = "medarbetare@gmail.example"
        medarbetare.save()
        claims = {"email": "medarbetare@gmail.example", "preferred_username": "gast_gmail#EXT#@kommun.onmicrosoft.com"}
        response = sign_in_through_provider(client, provider_root + f"/{ENTRA_TENANT}/v2.0", claims)
        assert response.status_code == 403 and "är verifierad" in response.content.decode()
        assert signed_in_user(client) is None


@pytest.mark.django_db
class TestSignInPage:
    def test_without_sso_configured_the_page_is_the_password_form_only(
        self, client, monkeypatch, settings, medarbetare
    ):
        probe = settings_from_environment(monkeypatch, settings, {})
        assert probe.SSO_ENABLED is False and probe.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"] == []

        page = client.get(reverse("account_login")).content.decode()
        assert 'name="password"' in page
        assert "Logga in med Falköpings kommun" not in page and SSO_LOGIN not in page
        assert client.post(SSO_LOGIN).status_code == 404

    def test_with_sso_the_page_offers_the_button_beside_the_password_form(self, client, sso):
        page = client.get(reverse("account_login")).content.decode()
        assert "Logga in med Falköpings kommun" in page and f'action="{SSO_LOGIN}"' in page
        assert 'name="password"' in page

    def test_a_client_id_without_its_secret_refuses_to_start(self, monkeypatch, settings, provider_root):
        from django.core.exceptions import ImproperlyConfigured

        with pytest.raises(ImproperlyConfigured, match="OIDC_CLIENT_SECRET"):
            settings_from_environment(
                monkeypatch, settings, {"OIDC_SERVER_URL": provider_root, "OIDC_CLIENT_ID": "some-portal"}
            )


@pytest.fixture
def password_sign_in_off(sso):
    policy = SignInPolicy.current()
    policy.password_sign_in = False
    policy.save()
    return sso


@pytest.mark.django_db
class TestPasswordSignInOff:
    def test_the_page_shows_only_the_sso_button(self, client, password_sign_in_off):
        page = client.get(reverse("account_login")).content.decode()
        assert "Logga in med Falköpings kommun" in page
        assert 'name="password"' not in page and 'name="login"' not in page

    def test_a_password_post_is_refused_even_with_the_right_password(self, client, password_sign_in_off, medarbetare):
        response = client.post(reverse("account_login"), {"login": medarbetare.email, "password": "falkoping-test"})
        assert response.status_code == 200
        assert "Inloggning med lösenord är avstängd." in response.content.decode()
        assert signed_in_user(client) is None

    def test_sso_still_signs_in(self, client, password_sign_in_off, medarbetare):
        response = sign_in_through_provider(
            client, password_sign_in_off, {"email": medarbetare.email, "email_verified": True}
        )
        assert response.status_code == 302 and signed_in_user(client) == medarbetare

    def test_a_superuser_is_refused_too_without_the_break_glass_setting(self, client, password_sign_in_off, superuser):
        client.post(reverse("account_login"), {"login": superuser.email, "password": "falkoping-test"})
        assert signed_in_user(client) is None

    def test_with_break_glass_a_superuser_gets_in_and_nobody_else(
        self, client, settings, password_sign_in_off, superuser, medarbetare
    ):
        settings.PORTAL_SUPERUSER_PASSWORD_SIGN_IN = True
        page = client.get(reverse("account_login")).content.decode()
        assert "endast för administratörer" in page and 'name="password"' in page

        # Anyone else is told what a wrong password is told: the form gives nothing away.
        response = client.post(reverse("account_login"), {"login": medarbetare.email, "password": "falkoping-test"})
        assert "är felaktigt" in response.content.decode()
        assert signed_in_user(client) is None

        response = client.post(reverse("account_login"), {"login": superuser.email, "password": "falkoping-test"})
        assert response.status_code == 302 and signed_in_user(client) == superuser

    def test_password_reset_is_off_too(self, client, password_sign_in_off, medarbetare):
        page = client.get(reverse("account_reset_password")).content.decode()
        assert "Återställning av lösenord är avstängd" in page and 'name="email"' not in page

        response = client.post(reverse("account_reset_password"), {"email": medarbetare.email})
        assert response.status_code == 200 and not mail.outbox
        assert "Återställning av lösenord är avstängd" in response.content.decode()

    def test_a_reset_link_mailed_before_it_was_turned_off_no_longer_sets_a_password(self, client, sso, medarbetare):
        client.post(reverse("account_reset_password"), {"email": medarbetare.email})
        link = next(line for line in mail.outbox[0].body.splitlines() if "/password/reset/key/" in line).strip()
        SignInPolicy.objects.update_or_create(pk=1, defaults={"password_sign_in": False})

        form_page = client.get(urlsplit(link).path, follow=True)
        response = client.post(
            form_page.redirect_chain[-1][0] if form_page.redirect_chain else urlsplit(link).path,
            {"password1": "Ett-nytt-långt-lösen-42", "password2": "Ett-nytt-långt-lösen-42"},
        )
        assert "Återställning av lösenord är avstängd" in response.content.decode()
        medarbetare.refresh_from_db()
        assert medarbetare.check_password("falkoping-test")

    def test_without_sso_configured_the_switch_cannot_lock_everyone_out(self, client, settings, medarbetare):
        SignInPolicy.objects.update_or_create(pk=1, defaults={"password_sign_in": False})
        assert settings.SSO_ENABLED is False
        response = client.post(reverse("account_login"), {"login": medarbetare.email, "password": "falkoping-test"})
        assert response.status_code == 302 and signed_in_user(client) == medarbetare

        policy = SignInPolicy.current()
        with pytest.raises(ValidationError) as refused:
            policy.full_clean()
        assert "password_sign_in" in refused.value.message_dict


@pytest.mark.django_db
class TestCommsControlTheSwitch:
    def test_comms_turn_password_sign_in_off_in_the_admin_and_it_is_audited(self, client, sso, kommunikator):
        client.force_login(kommunikator)
        listing = client.get(reverse("admin:accounts_signinpolicy_changelist"))
        assert listing.status_code == 302
        change_url = reverse("admin:accounts_signinpolicy_change", args=[1])
        assert listing["Location"] == change_url
        page = client.get(change_url).content.decode()
        assert "Konfigurerad: Falköpings kommun" in page

        response = client.post(change_url, {})  # the checkbox unticked
        assert response.status_code == 302
        assert SignInPolicy.current().password_sign_in is False
        entry = LogEntry.objects.get_for_object(SignInPolicy.current()).get()
        assert entry.actor == kommunikator and entry.changes_dict["password_sign_in"] == [True, False]

    def test_the_row_cannot_be_added_or_deleted(self, client, sso, kommunikator):
        client.force_login(kommunikator)
        assert client.get(reverse("admin:accounts_signinpolicy_add")).status_code == 403
        assert client.get(reverse("admin:accounts_signinpolicy_delete", args=[1])).status_code == 403

    def test_an_employee_cannot_reach_it(self, client, sso, medarbetare):
        client.force_login(medarbetare)
        response = client.get(reverse("admin:accounts_signinpolicy_change", args=[1]))
        assert response.status_code == 302 and SignInPolicy.current().password_sign_in is True
