"""R16 as open data: /socialamedier/verify?url= answers the citizen's check as JSON, for anyone
(CORS), cached, limited per client address, and never with more than the public page shows."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from accounts.models import AccountStatus, ClosingReason
from accounts.tests.factories import SocialAccountFactory
from capture.tests.test_public_posts import PUBLISHED, VIDEO_ID, capture_post

VERIFY_URL = reverse("publicinfo:verify")
NOW = datetime.datetime(2026, 12, 1, 12, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """A cache of this test's own (the file cache is shared by every test run in the tree), and a
    rate limit no test here reaches unless it lowers it."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "verify"}}
    settings.PUBLIC_VERIFY_RATE_LIMIT = "1000/m/ip"
    cache.clear()
    yield
    cache.clear()


def ask(client, url, **headers):
    return client.get(VERIFY_URL, {"url": url} if url is not None else {}, **headers)


@pytest.mark.django_db
class TestAnswers:
    def test_an_official_account(self, client, library_account):
        response = ask(client, "https://m.facebook.com/FalkopingsBibliotek/?ref=bookmarks")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/json")
        assert response.json() == {
            "url": "https://m.facebook.com/FalkopingsBibliotek/?ref=bookmarks",
            "official": True,
            "outcome": "official",
            "kind": "account",
            "account": {
                "name": "Falköpings bibliotek",
                "platform": "facebook",
                "platform_name": "Facebook",
                "url": "https://www.facebook.com/falkopingsbibliotek",
                "unit": "Biblioteket",
            },
            "post": None,
            "closed_on": None,
        }

    def test_a_video_the_archive_holds(self, client, youtube_account):
        capture_post(youtube_account)
        data = ask(client, f"https://youtu.be/{VIDEO_ID}?si=x").json()
        assert data["official"] is True and data["kind"] == "post"
        assert data["account"]["name"] == "Biblioteket på YouTube"
        assert data["account"]["url"] == youtube_account.url
        assert data["post"] == {
            "published_at": PUBLISHED.isoformat(),
            "permalink": f"https://www.youtube.com/watch?v={VIDEO_ID}",
            "on_platform": True,
            "video": True,
        }
        assert data["closed_on"] is None
        assert "Hemlig text" not in str(data)

    @time_machine.travel(NOW, tick=False)
    def test_a_post_no_longer_on_the_platform(self, client, youtube_account):
        capture_post(youtube_account, missing_since=NOW)
        data = ask(client, f"https://www.youtube.com/watch?v={VIDEO_ID}").json()
        assert data["official"] is True
        assert data["post"]["on_platform"] is False

    def test_a_post_of_a_closed_account(self, client, youtube_account):
        capture_post(youtube_account)
        youtube_account.status = AccountStatus.CLOSED
        youtube_account.closed_on = datetime.date(2026, 6, 30)
        youtube_account.closing_reason = ClosingReason.ON_REQUEST
        youtube_account.save()
        data = ask(client, f"https://youtu.be/{VIDEO_ID}").json()
        assert data["official"] is False
        assert data["outcome"] == "closed" and data["kind"] == "post"
        assert data["closed_on"] == "2026-06-30"
        # Name and platform, as the page: no link (it may be someone else's now), no unit.
        assert data["account"] == {
            "name": "Biblioteket på YouTube", "platform": "youtube", "platform_name": "YouTube", "url": None,
            "unit": None,
        }  # fmt: skip
        assert data["post"]["published_at"] == PUBLISHED.isoformat()
        assert data["post"]["permalink"] is None

    def test_a_closed_account(self, client, library_account):
        library_account.status = AccountStatus.CLOSED
        library_account.closed_on = datetime.date(2025, 3, 1)
        library_account.closing_reason = ClosingReason.INACTIVE_6_MONTHS
        library_account.save()
        data = ask(client, library_account.url).json()
        assert (data["official"], data["kind"], data["closed_on"]) == (False, "account", "2025-03-01")
        assert data["account"]["url"] is None

    @pytest.mark.parametrize(
        "url, outcome",
        [
            ("https://www.facebook.com/falska.biblioteket", "unknown"),
            ("https://youtu.be/AAAAAAAAAAA", "undetermined"),  # a video the archive does not hold
            ("https://www.falkoping.se/", "unknown"),
        ],
    )
    def test_an_unknown_link_is_not_official(self, client, library_account, url, outcome):
        data = ask(client, url).json()
        assert data == {
            "url": url, "official": False, "outcome": outcome, "kind": None, "account": None, "post": None,
            "closed_on": None,
        }  # fmt: skip

    def test_an_account_not_in_use_is_not_revealed(self, client, biblioteket):
        hidden = SocialAccountFactory(
            url="https://www.facebook.com/ejpublicerat", unit=biblioteket, status=AccountStatus.REQUESTED
        )
        capture_post(hidden, kind="facebook", platform_id="1_222", permalink="https://www.facebook.com/1/posts/222/")
        for url in (hidden.url, "https://www.facebook.com/1/posts/222/"):
            data = ask(client, url).json()
            assert data["official"] is False and data["account"] is None and data["kind"] is None


@pytest.mark.django_db
class TestProtocol:
    def test_open_to_any_website_and_cacheable(self, client, library_account):
        response = ask(client, library_account.url, HTTP_ORIGIN="https://example.org")
        assert response["Access-Control-Allow-Origin"] == "*"
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert directives == {"public", "max-age=300"}
        assert not response.cookies

    @pytest.mark.parametrize(
        "url, error",
        [
            (None, "missing_url"),
            ("", "missing_url"),
            ("   ", "missing_url"),
            ("https://www.facebook.com/" + "a" * 500, "url_too_long"),
            ("@falkopingsbibliotek", "not_a_web_link"),
            ("www.facebook.com/falkopingsbibliotek", "not_a_web_link"),
            ("ftp://www.facebook.com/falkopingsbibliotek", "not_a_web_link"),
            ("javascript:alert(1)", "not_a_web_link"),
            ("https://", "not_a_web_link"),
            ("https://[::1", "not_a_web_link"),
        ],
    )
    def test_a_missing_overlong_or_non_web_link_is_a_400(self, client, library_account, url, error):
        response = ask(client, url)
        assert response.status_code == 400
        assert response.json()["error"] == error
        assert response.json()["message"]
        assert response["Access-Control-Allow-Origin"] == "*"
        assert "no-store" in response["Cache-Control"]

    def test_only_get_and_head(self, client):
        assert client.post(VERIFY_URL, {"url": "https://www.facebook.com/x"}).status_code == 405
        assert client.head(VERIFY_URL, {"url": "https://www.facebook.com/x"}).status_code == 200

    def test_a_429_after_the_limit_with_retry_after(self, client, library_account, settings):
        settings.PUBLIC_VERIFY_RATE_LIMIT = "3/m/ip"
        with time_machine.travel(NOW, tick=False):
            for _ in range(3):
                assert ask(client, library_account.url).status_code == 200
            response = ask(client, library_account.url)
            assert response.status_code == 429
            assert response.json()["error"] == "rate_limited"
            assert response["Retry-After"] == "60"
            assert response["Access-Control-Allow-Origin"] == "*"
            # Another address has its own count.
            assert ask(client, library_account.url, REMOTE_ADDR="192.0.2.7").status_code == 200
        with time_machine.travel(NOW + datetime.timedelta(seconds=45), tick=False):
            assert ask(client, library_account.url)["Retry-After"] == "15"
        with time_machine.travel(NOW + datetime.timedelta(seconds=61), tick=False):
            assert ask(client, library_account.url).status_code == 200


@pytest.mark.django_db
class TestServerSideCache:
    def test_one_answer_per_normalised_link_read_once(self, client, library_account, django_assert_num_queries):
        ask(client, "https://www.facebook.com/falkopingsbibliotek")
        with django_assert_num_queries(0):
            data = ask(client, "http://facebook.com/FalkopingsBibliotek/?fbclid=abc").json()
        assert data["official"] is True
        # The asked link is each request's own.
        assert data["url"] == "http://facebook.com/FalkopingsBibliotek/?fbclid=abc"

    def test_links_to_different_videos_are_different_answers(self, client, youtube_account):
        capture_post(youtube_account)
        assert ask(client, f"https://youtu.be/{VIDEO_ID}").json()["kind"] == "post"
        # Lower case is another video on YouTube: not the cached answer.
        assert ask(client, f"https://youtu.be/{VIDEO_ID.lower()}").json()["kind"] is None

    def test_a_change_to_the_list_drops_the_cached_answers(self, client, library_account):
        assert ask(client, library_account.url).json()["official"] is True
        library_account.status = AccountStatus.CLOSED
        library_account.closed_on = datetime.date(2025, 3, 1)
        library_account.closing_reason = ClosingReason.ON_REQUEST
        library_account.save()
        assert ask(client, library_account.url).json()["outcome"] == "closed"
