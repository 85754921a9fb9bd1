"""Issue 9: the public page as anonymous visitors see it, rendered once per change and language and
replayed before Django's middleware (accounts/public_page_cache.py). Nothing of one visitor may reach
another: not a signed-in name, not a message, not a check's answer; and the copy follows the
registry at once."""

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts import public_page_cache
from accounts.models import SocialAccount
from accounts.public_page_cache import PUBLIC_PAGE_GENERATION_KEY
from accounts.selectors import PUBLIC_LIST_CACHE_KEY

URL = reverse("public:list")


@pytest.fixture(autouse=True)
def _own_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "test-public-copy"}
    }
    cache.clear()
    yield
    cache.clear()


def replayed(response) -> bool:
    """A response the middleware handed out: no template was rendered for it."""
    return response.status_code == 200 and not response.templates


@pytest.mark.django_db
class TestTheCopy:
    def test_every_anonymous_visitor_gets_the_same_bytes_without_token_or_cookie(self, library_account):
        first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
        one = first.get(URL)
        two = second.get(URL)
        assert not replayed(one) and replayed(two)
        assert one.content == two.content
        assert library_account.name in two.text
        assert "csrfmiddlewaretoken" not in two.text
        assert not one.cookies and not two.cookies
        for response in (one, two):
            assert {part.strip() for part in response["Cache-Control"].split(",")} == {"public", "max-age=300"}
            assert response["Content-Language"] == "sv"
            assert "Cookie" in response["Vary"]
            assert response["Content-Security-Policy"]

    def test_the_language_switch_works_without_a_token(self, library_account):
        visitor = Client(enforce_csrf_checks=True)
        visitor.get(URL)
        response = visitor.post(reverse("set_language"), {"language": "en", "next": URL})
        assert response.status_code == 302 and response["Location"] == URL
        english = visitor.get(URL)
        assert '<html lang="en">' in english.text
        assert "Falköpings kommun on social media" in english.text

    def test_the_switch_never_leaves_the_site(self, db):
        response = Client().post(reverse("set_language"), {"language": "en", "next": "https://evil.example/"})
        assert response.status_code == 302
        assert response["Location"] == "/"

    def test_a_copy_per_language(self, library_account):
        swedish, english = Client(), Client()
        english.post(reverse("set_language"), {"language": "en"})
        for _ in range(2):
            assert '<html lang="sv">' in swedish.get(URL).text
            assert '<html lang="en">' in english.get(URL).text
        assert replayed(swedish.get(URL)) and replayed(english.get(URL))

    def test_a_tracking_parameter_gets_the_copy_and_the_switch_drops_it(self, library_account):
        Client().get(URL)
        response = Client().get(URL + "?fbclid=IwAR0abc")
        assert replayed(response)
        assert f'name="next" type="hidden" value="{URL}"' in response.text

    @pytest.mark.parametrize("recheck_seconds", [0, 1.0], ids=["asking-each-time", "trusting-a-second"])
    def test_follows_a_change_made_in_this_process_at_once(self, settings, recheck_seconds, library_account):
        settings.PUBLIC_PAGE_RECHECK_SECONDS = recheck_seconds
        Client().get(URL)
        assert replayed(Client().get(URL))
        library_account.name = "Biblioteket i Falköping"
        library_account.save()
        response = Client().get(URL)
        assert not replayed(response)
        assert "Biblioteket i Falköping" in response.text
        assert "Falköpings bibliotek" not in response.text

    def test_a_signed_in_visitor_gets_their_own_page_and_leaves_nothing_behind(self, medarbetare, library_account):
        Client().get(URL)
        staff = Client()
        staff.force_login(medarbetare)
        theirs = staff.get(URL)
        assert not replayed(theirs)
        assert "Till SoMe-portalen" in theirs.text and "Logga in för personal" not in theirs.text
        assert "private" in theirs["Cache-Control"]
        anonymous = Client().get(URL)
        assert replayed(anonymous)
        assert "Logga in för personal" in anonymous.text and "Till SoMe-portalen" not in anonymous.text

    def test_a_waiting_message_is_shown_not_swallowed(self, library_account):
        Client().get(URL)
        visitor = Client()
        note = "Du har loggats ut."
        visitor.cookies[CookieStorage.cookie_name] = CookieStorage(RequestFactory().get("/"))._encode(
            [Message(constants.SUCCESS, note)]
        )
        response = visitor.get(URL)
        assert not replayed(response)
        assert note in response.text
        assert "private" in response["Cache-Control"]
        assert note not in Client().get(URL).text

    def test_a_check_is_answered_for_the_request(self, library_account):
        Client().get(URL)
        response = Client().get(URL, {"konto": library_account.url})
        assert not replayed(response)
        assert response.context["verification"].official == [library_account]
        assert "no-cache" in response["Cache-Control"]

    def test_head_is_answered_by_the_view(self, library_account):
        Client().get(URL)
        response = Client().head(URL)
        assert response.status_code == 200
        assert response.content == b""

    def test_with_the_cache_unreachable_every_visitor_gets_a_render(self, settings, library_account):
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
        responses = [Client().get(URL) for _ in range(2)]
        assert not any(replayed(response) for response in responses)
        assert all(library_account.name in response.text for response in responses)


@pytest.mark.django_db
class TestTheTrustedGeneration:
    """In production each process trusts the generation it read for PUBLIC_PAGE_RECHECK_SECONDS
    (1 s) instead of asking Redis on every request; the tests elsewhere run with 0 (pytest.ini)."""

    @pytest.fixture(autouse=True)
    def clock(self, settings, monkeypatch):
        settings.PUBLIC_PAGE_RECHECK_SECONDS = 1.0
        now = [1000.0]
        monkeypatch.setattr(public_page_cache, "_clock", lambda: now[0])
        return now

    @pytest.fixture
    def asked(self, monkeypatch):
        """What the middleware asks of the shared cache (the names of the calls)."""
        calls = []

        class CountingCache:
            def __getattr__(self, name):
                def counted(*args, **kwargs):
                    calls.append(name)
                    return getattr(cache, name)(*args, **kwargs)

                return counted

        monkeypatch.setattr(public_page_cache, "cache", CountingCache())
        return calls

    def test_within_the_second_the_shared_cache_is_not_asked(self, library_account, asked):
        Client().get(URL)
        asked.clear()
        assert all(replayed(Client().get(URL)) for _ in range(5))
        assert asked == []

    def test_a_change_made_in_another_process_shows_after_the_second(self, clock, library_account):
        Client().get(URL)
        # What another process's change leaves in the shared cache: a new list, no generation.
        SocialAccount.objects.filter(pk=library_account.pk).update(name="Biblioteket i Falköping")
        cache.delete_many([PUBLIC_LIST_CACHE_KEY, PUBLIC_PAGE_GENERATION_KEY])
        clock[0] += 0.9
        stale = Client().get(URL)
        assert replayed(stale) and "Falköpings bibliotek" in stale.text
        clock[0] += 0.2
        fresh = Client().get(URL)
        assert not replayed(fresh)
        assert "Biblioteket i Falköping" in fresh.text and "Falköpings bibliotek" not in fresh.text
        assert replayed(Client().get(URL))

    def test_both_languages_keep_their_copy_in_the_process(self, library_account, asked):
        swedish, english = Client(), Client()
        english.post(reverse("set_language"), {"language": "en"})
        swedish.get(URL), english.get(URL)
        asked.clear()
        for _ in range(3):
            assert replayed(swedish.get(URL)) and replayed(english.get(URL))
        assert asked == []  # neither copy pushed the other out and had to be fetched again

    def test_with_the_cache_unreachable_nothing_is_trusted(self, settings, library_account):
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
        responses = [Client().get(URL) for _ in range(3)]
        assert not any(replayed(response) for response in responses)
