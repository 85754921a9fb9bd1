"""R16 with R3: a link to a post or video that the archive holds is recognised on the public page's
check as the municipality's ("this post was published by … on …"), through the hook that capture
registers with accounts (accounts/public_checks.py, capture/selectors.py `public_post`).

Only the account's own posts of an account the public may know (active, or closed) are recognised,
and only whose they are, when and where is shown."""

import datetime
import importlib

import pytest
import time_machine
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from accounts.links import unwrap_redirect
from accounts.models import AccountStatus, ClosingReason, Platform
from accounts.tests.factories import SocialAccountFactory, UserFactory
from capture import crypto
from capture.models import CapturedItem, Connection
from capture.permalinks import post_key
from capture.selectors import public_post
from capture.sync import sync_connection
from simulators.meta import FacebookSimulator
from simulators.server import serve

LIST_URL = reverse("public:list")
PUBLISHED = datetime.datetime(2026, 3, 14, 9, 30, tzinfo=datetime.UTC)
VIDEO_ID = "dQw4w9WgXcQ"


def capture_post(account, kind="youtube", platform_id=VIDEO_ID, permalink=None, **fields):
    connection = Connection.objects.filter(account=account, kind=kind).first() or Connection.objects.create(
        account=account, kind=kind, base_url="https://example.invalid/api", external_id=f"ext-{account.pk}",
        created_by=UserFactory(),
    )  # fmt: skip
    if permalink is None:
        permalink = f"https://www.youtube.com/watch?v={platform_id}"
    values = {
        "kind": "post", "by_account": True, "published_at": PUBLISHED, "text": "Hemlig text i inlägget",
        "author_name": "Falköpings kommun", **fields,
    }  # fmt: skip
    return CapturedItem.objects.create(
        connection=connection, account=account, platform=kind, platform_id=platform_id, permalink=permalink,
        permalink_key=post_key(kind, platform_id, permalink) if values["kind"] == "post" else "",
        raw={"id": platform_id}, raw_sha256="0" * 64, **values,
    )  # fmt: skip


@pytest.fixture
def video(youtube_account):
    return capture_post(youtube_account)


def close(account, on=datetime.date(2026, 6, 30)):
    account.status = AccountStatus.CLOSED
    account.closed_on = on
    account.closing_reason = ClosingReason.INACTIVE_6_MONTHS
    account.save()


def check(client, value):
    response = client.get(LIST_URL, {"konto": value})
    assert response.status_code == 200
    html = response.content.decode()
    return response, html[html.index('id="resultat"') : html.index("</section>", html.index('id="resultat"'))]


@pytest.mark.django_db
class TestPublicPost:
    @pytest.mark.parametrize(
        "link",
        [
            f"https://youtu.be/{VIDEO_ID}?si=abc",
            f"https://www.youtube.com/watch?v={VIDEO_ID}&t=12s",
            f"https://m.youtube.com/shorts/{VIDEO_ID}",
            # Inside Facebook's redirect page around an outbound link.
            f"https://l.facebook.com/l.php?u=https%3A%2F%2Fyoutu.be%2F{VIDEO_ID}&h=AT0",
        ],
    )
    def test_a_video_the_archive_holds_is_the_accounts(self, video, youtube_account, link):
        found = public_post(unwrap_redirect(link))  # as the check hands it on
        assert found.account == youtube_account
        assert found.published_at == PUBLISHED
        assert found.on_platform and found.is_video

    def test_unknown_and_other_peoples_posts_are_not_recognised(self, video, youtube_account):
        assert public_post("https://youtu.be/AAAAAAAAAAA") is None
        capture_post(youtube_account, platform_id="BBBBBBBBBBB", by_account=False)  # a visitor's post
        capture_post(youtube_account, platform_id="CCCCCCCCCCC", hidden=True)  # hidden by the account
        comment = capture_post(youtube_account, platform_id="Ugxcomment1", kind="youtube", permalink="")
        CapturedItem.objects.filter(pk=comment.pk).update(kind="comment")
        for video_id in ("BBBBBBBBBBB", "CCCCCCCCCCC"):
            assert public_post(f"https://youtu.be/{video_id}") is None

    @pytest.mark.parametrize("status", [AccountStatus.REQUESTED, AccountStatus.APPROVED, AccountStatus.REJECTED])
    def test_a_post_of_an_account_not_in_use_is_not_recognised(self, video, youtube_account, status):
        youtube_account.status = status
        youtube_account.save()
        assert public_post(f"https://youtu.be/{VIDEO_ID}") is None

    def test_a_link_to_an_account_costs_no_query(self, video, django_assert_num_queries):
        with django_assert_num_queries(0):
            assert public_post("https://www.youtube.com/@falkopingsbibliotek") is None

    def test_a_bluesky_link_by_did_finds_the_post_by_its_id(self, biblioteket):
        account = SocialAccountFactory(
            platform=Platform.BLUESKY, url="https://bsky.app/profile/falkoping.se", unit=biblioteket
        )
        uri = "at://did:plc:6wpkkitfdkgthatfvspcfmjo/app.bsky.feed.post/3liphb4l7m22n"
        capture_post(
            account,
            kind="bluesky",
            platform_id=uri,
            permalink="https://bsky.app/profile/falkoping.se/post/3liphb4l7m22n",
        )
        for link in (
            "https://bsky.app/profile/Falkoping.se/post/3liphb4l7m22n",
            "https://bsky.app/profile/did:plc:6wpkkitfdkgthatfvspcfmjo/post/3liphb4l7m22n",
        ):
            assert public_post(link).account == account

    # The page's answer ----------------------------------------------------------------------------

    @time_machine.travel(datetime.datetime(2026, 12, 1, 12, tzinfo=datetime.UTC), tick=False)
    def test_the_page_says_the_video_was_published_by_the_account_and_when(self, client, video, youtube_account):
        response, result = check(client, f"https://youtu.be/{VIDEO_ID}")
        verification = response.context["verification"]
        assert verification.outcome == "official"
        assert verification.post.account == youtube_account
        assert "<h3>Ja, den här videon publicerades av Falköpings kommun</h3>" in result
        assert "Videon publicerades av <strong>Biblioteket på YouTube</strong> på YouTube den 14 mars 2026." in result
        # The account as the list shows it: its link and its unit.
        assert f'href="{youtube_account.url}"' in result
        assert "Biblioteket" in result
        # Nothing of the post itself.
        assert "Hemlig text" not in response.content.decode()
        assert "<title>Publicerat av kommunen" in response.content.decode()

    def test_a_post_no_longer_on_the_platform_is_still_recognised(self, client, video):
        video.missing_since = timezone.now()
        video.save()
        response, result = check(client, f"https://youtu.be/{VIDEO_ID}")
        assert response.context["verification"].outcome == "official"
        assert not response.context["verification"].post.on_platform
        assert "finns inte längre kvar på plattformen" in result

    def test_a_post_of_a_closed_account_says_when_the_account_closed(self, client, video, youtube_account):
        close(youtube_account)
        response, result = check(client, f"https://www.youtube.com/watch?v={VIDEO_ID}")
        verification = response.context["verification"]
        assert verification.outcome == "closed"
        assert verification.post.account == youtube_account
        assert "publicerades av ett konto som kommunen har avslutat" in result
        assert "14 mars 2026" in result and "30 juni 2026" in result
        # As for a closed account: no link to it, and not its unit.
        assert f'href="{youtube_account.url}"' not in result
        assert "Biblioteket" not in result.replace("Biblioteket på YouTube", "")

    def test_a_post_on_facebook_in_english(self, client, library_account):
        capture_post(
            library_account, kind="facebook", platform_id="19292868552_10158347294088553",
            permalink="https://www.facebook.com/19292868552/posts/10158347294088553/",
        )  # fmt: skip
        client.cookies["django_language"] = "en"
        link = "https://www.facebook.com/permalink.php?story_fbid=10158347294088553&id=19292868552"
        response, result = check(client, link)
        assert "<h3>Yes, this post was published by Falköpings kommun</h3>" in result
        assert "The post was published by <strong>Falköpings bibliotek</strong> on Facebook on" in result

    def test_an_unknown_video_link_still_cannot_be_judged(self, client, video):
        response, _ = check(client, "https://youtu.be/AAAAAAAAAAA")
        assert response.context["verification"].outcome == "undetermined"
        assert response.context["verification"].post is None


@pytest.mark.django_db
@time_machine.travel(datetime.datetime(2026, 11, 20, 9, tzinfo=datetime.UTC), tick=False)
def test_the_sync_stores_the_key_of_each_post_and_the_check_finds_it(library_account):
    """Over real HTTP against the simulated Graph API (simulators/meta.py), whose permalinks name
    the Page by number: a link with the page's name or a permalink.php link finds the post."""
    page, token = "100064512345678", "EAAB-page-token"  # noqa: S105 (a simulator's)
    sim = FacebookSimulator(page_size=2)
    sim.add_account(page, "Falköpings bibliotek", "falkopingsbibliotek", token=token)
    sim.add_post(page, f"{page}_123456789012345", "Välkommen", timezone.now() - datetime.timedelta(days=1))
    sim.add_comment(f"{page}_123456789012345", f"{page}_123456789012345_1", "Tack!", "En besökare", timezone.now())
    running = serve(sim)
    try:
        connection = Connection.objects.create(
            account=library_account, kind="facebook", base_url=sim.url + sim.base_path, external_id=page,
            token_encrypted=crypto.encrypt(token), created_by=UserFactory(),
        )  # fmt: skip
        sync_connection(connection)
    finally:
        running.stop()
    post = CapturedItem.objects.get(kind="post")
    assert post.permalink_key == "facebook.com/posts/123456789012345"
    assert CapturedItem.objects.get(kind="comment").permalink_key == ""
    for link in (
        post.permalink,
        "https://www.facebook.com/falkopingsbibliotek/posts/123456789012345",
        f"https://www.facebook.com/permalink.php?story_fbid=123456789012345&id={page}",
    ):
        assert public_post(link).account == library_account


@pytest.mark.django_db
def test_the_migration_fills_the_key_of_posts_already_captured(video, youtube_account):
    comment = capture_post(
        youtube_account, platform_id="Ugxcomment1", permalink=f"https://www.youtube.com/watch?v={VIDEO_ID}&lc=1"
    )
    CapturedItem.objects.filter(pk=comment.pk).update(kind="comment", permalink_key="")
    CapturedItem.objects.filter(pk=video.pk).update(permalink_key="")
    migration = importlib.import_module("capture.migrations.0005_permalink_key")
    migration.fill_permalink_keys(apps, None)
    assert CapturedItem.objects.get(pk=video.pk).permalink_key == f"youtube.com/watch?v={VIDEO_ID}"
    assert CapturedItem.objects.get(pk=comment.pk).permalink_key == ""
