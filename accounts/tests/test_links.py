"""Normalising pasted links and handles (R16: "is this account really the municipality's?").

The danger is a false yes, so besides the spellings that must meet, these pin the links that
must stay apart: another page, another host, and links dressed up to look like the official one.
"""

import pytest

from accounts.links import (
    link_is_unattributable,
    looks_like_url,
    normalize_handle,
    normalize_url,
    platform_id_in_link,
    platform_id_is_valid,
    unwrap_redirect,
    url_candidates,
    youtube_handle_in_link,
)

OFFICIAL = "facebook.com/falkopingsbibliotek"


class TestNormalizeUrl:
    @pytest.mark.parametrize(
        "value",
        [
            "https://www.facebook.com/falkopingsbibliotek",
            "https://www.facebook.com/falkopingsbibliotek/",
            "http://facebook.com/falkopingsbibliotek",
            "facebook.com/falkopingsbibliotek",
            "www.facebook.com/FalkopingsBibliotek",
            "https://m.facebook.com/falkopingsbibliotek/",
            "https://mbasic.facebook.com/falkopingsbibliotek",
            "HTTPS://WWW.FACEBOOK.COM/FALKOPINGSBIBLIOTEK",
            "https://www.facebook.com/falkopingsbibliotek?ref=bookmarks",
            "https://www.facebook.com/falkopingsbibliotek/?ref=x&fbclid=abc",
            "https://www.facebook.com/falkopingsbibliotek#about",
            "  https://www.facebook.com/falkopingsbibliotek  ",
            "https://www.facebook.com./falkopingsbibliotek",
            "https://www.facebook.com:443/falkopingsbibliotek",
            "https://fb.com/falkopingsbibliotek",
            "https://www.facebook.com/%66alkopingsbibliotek",
            "https://www.facebook.com/other/../falkopingsbibliotek",
            "https://www.facebook.com/./falkopingsbibliotek",
        ],
    )
    def test_spellings_of_one_page_meet(self, value):
        assert normalize_url(value) == OFFICIAL

    def test_identifying_query_is_kept_and_tracking_dropped(self):
        assert normalize_url("https://www.facebook.com/profile.php?id=100&ref=x") == "facebook.com/profile.php?id=100"
        assert normalize_url("https://m.facebook.com/profile.php?ID=100") == "facebook.com/profile.php?id=100"
        assert normalize_url("facebook.com/profile.php?id=1") != normalize_url("facebook.com/profile.php?id=2")

    def test_old_host_names_lead_to_the_same_account(self):
        assert normalize_url("https://twitter.com/Falkoping") == normalize_url("https://x.com/falkoping")
        assert normalize_url("https://instagr.am/falkoping") == "instagram.com/falkoping"

    @pytest.mark.parametrize(
        "value",
        [
            # a browser goes to fake.example: `\` is `/` there, so `facebook.com` is only the path
            "https://fake.example\\@facebook.com/falkopingsbibliotek",
            # the dot segments lead away from the official page
            "https://www.facebook.com/falkopingsbibliotek/../fake",
            "https://www.facebook.com/falkopingsbibliotek/%2e%2e/fake",
            "https://www.facebook.com/falkopingsbibliotek/%2E%2E/fake",
            "https://facebook.com.fake.example/falkopingsbibliotek",
            "https://www.facebook.com/falkopingsbibliotek-fake",
            "https://www.instagram.com/falkopingsbibliotek",
        ],
    )
    def test_lookalikes_stay_apart(self, value):
        assert normalize_url(value) != OFFICIAL
        assert OFFICIAL not in url_candidates(normalize_url(value))

    def test_user_info_is_not_the_host(self):
        assert (
            normalize_url("https://facebook.com@fake.example/falkopingsbibliotek") == "fake.example/falkopingsbibliotek"
        )

    @pytest.mark.parametrize("value", ["", "   ", None, "https://", "https://[::1", "ftp://facebook.com/falkoping"])
    def test_nothing_usable_is_empty(self, value):
        assert normalize_url(value) == ""

    def test_bare_host_has_no_path(self):
        assert normalize_url("https://www.facebook.com/") == "facebook.com"

    def test_link_with_a_link_in_its_query_keeps_its_host(self):
        assert normalize_url("facebook.com/falkopingsbibliotek?next=https://fake.example") == OFFICIAL


class TestNormalizeHandle:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("@Falkoping_Museum", "falkoping_museum"),
            ("falkoping_museum", "falkoping_museum"),
            ("  @ FalkopingsKommun ", "falkopingskommun"),
            ("@falkoping@mastodon.social", "falkoping@mastodon.social"),
            ("", ""),
            (None, ""),
            ("@", ""),
        ],
    )
    def test_without_at_and_in_lower_case(self, value, expected):
        assert normalize_handle(value) == expected


class TestLooksLikeUrl:
    @pytest.mark.parametrize(
        "value",
        [
            "https://www.facebook.com/falkoping",
            "http://x.com",
            "facebook.com/falkoping",
            "www.instagram.com/falkoping/",
            "  tiktok.com/@falkoping ",
        ],
    )
    def test_links(self, value):
        assert looks_like_url(value)

    @pytest.mark.parametrize(
        "value",
        [
            "@falkoping",
            "falkoping",
            "falkoping.museum",  # Instagram allows dots in a user name
            "facebook.com",  # a bare host names no account: read as a (non-matching) name
            "www.facebook.com",
            "@falkoping@mastodon.social",
            "Falköpings kommun",
            "",
            None,
        ],
    )
    def test_not_links(self, value):
        assert not looks_like_url(value)


class TestUrlCandidates:
    def test_a_post_leads_to_its_account(self):
        assert url_candidates("facebook.com/falkoping/posts/123") == [
            "facebook.com/falkoping/posts/123",
            "facebook.com/falkoping/posts",
            "facebook.com/falkoping",
        ]

    def test_the_account_itself(self):
        assert url_candidates("instagram.com/falkoping") == ["instagram.com/falkoping"]

    def test_a_bare_host_names_no_account(self):
        assert url_candidates("facebook.com") == []

    def test_an_identifying_query_is_only_itself(self):
        # profile.php?id=1 must not lead to facebook.com/profile.php, nor to id=2.
        assert url_candidates("facebook.com/profile.php?id=1") == ["facebook.com/profile.php?id=1"]

    def test_empty_segments_are_skipped(self):
        assert url_candidates("x.com/falkoping//status/1") == [
            "x.com/falkoping/status/1",
            "x.com/falkoping/status",
            "x.com/falkoping",
        ]


CHANNEL = "UCabcdefghijklmnopqrstuv"  # UC and 22 characters, the form of a YouTube channel's id


class TestUnwrapRedirect:
    @pytest.mark.parametrize(
        "value",
        [
            "https://l.facebook.com/l.php?u=https%3A%2F%2Fwww.facebook.com%2Ffalkopingsbibliotek&h=AT0abc",
            "https://lm.facebook.com/l.php?u=https%3A%2F%2Fwww.facebook.com%2Ffalkopingsbibliotek",
            "l.facebook.com/l.php?h=x&u=https://www.facebook.com/falkopingsbibliotek",
            "https://www.youtube.com/redirect?event=video_description&q=https%3A%2F%2Fwww.facebook.com%2Ffalkopingsbibliotek",
            "https://l.instagram.com/?u=https%3A%2F%2Fwww.facebook.com%2Ffalkopingsbibliotek&e=x",
            # A redirect inside a redirect.
            "https://l.facebook.com/l.php?u=https%3A%2F%2Flm.facebook.com%2Fl.php%3Fu%3Dhttps%253A%252F%252Fwww.facebook.com%252Ffalkopingsbibliotek",
        ],
    )
    def test_the_link_inside(self, value):
        assert unwrap_redirect(value) == "https://www.facebook.com/falkopingsbibliotek"

    @pytest.mark.parametrize(
        "value",
        [
            "https://www.facebook.com/falkopingsbibliotek",
            "https://l.facebook.com/l.php",  # nothing inside
            "https://l.facebook.com.falska.example/l.php?u=https://www.facebook.com/falkopingsbibliotek",
            "https://falska.example/l.php?u=https://www.facebook.com/falkopingsbibliotek",
            "https://www.facebook.com/l.php?u=https://falska.example",  # not the redirect host
        ],
    )
    def test_anything_else_is_left_as_it_is(self, value):
        assert unwrap_redirect(value) == value


class TestPlatformIdInLink:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("https://www.facebook.com/profile.php?id=100064512345678", ("facebook", "100064512345678")),
            ("https://m.facebook.com/profile.php?id=100064512345678&ref=bookmarks", ("facebook", "100064512345678")),
            ("https://www.facebook.com/permalink.php?story_fbid=1&id=100064512345678", ("facebook", "100064512345678")),
            ("https://www.facebook.com/story.php?story_fbid=123&id=100064512345678", ("facebook", "100064512345678")),
            ("https://www.facebook.com/100064512345678/posts/123", ("facebook", "100064512345678")),
            ("https://www.facebook.com/pages/Falkopings-bibliotek/100064512345678", ("facebook", "100064512345678")),
            ("https://www.facebook.com/people/Falkopings-bibliotek/100064512345678/", ("facebook", "100064512345678")),
            (f"https://www.youtube.com/channel/{CHANNEL}", ("youtube", CHANNEL)),
            (f"https://m.youtube.com/channel/{CHANNEL}/videos", ("youtube", CHANNEL)),
        ],
    )
    def test_the_platforms_id(self, value, expected):
        assert platform_id_in_link(value) == expected

    @pytest.mark.parametrize(
        "value",
        [
            "https://www.facebook.com/falkopingsbibliotek",
            "https://www.facebook.com/profile.php",
            "https://www.facebook.com/profile.php?id=abc",
            "https://www.faceb00k.com/profile.php?id=100064512345678",  # a lookalike host
            "https://facebook.com.falska.example/profile.php?id=100064512345678",
            "https://www.youtube.com/channel/UCshort",
            "https://www.youtube.com/@falkopingskommun",
            f"https://youtube.com.falska.example/channel/{CHANNEL}",
            "https://www.instagram.com/100064512345678",
        ],
    )
    def test_no_id(self, value):
        assert platform_id_in_link(value) is None

    def test_youtube_handle(self):
        assert youtube_handle_in_link("https://www.youtube.com/@FalkopingsKommun/videos") == "falkopingskommun"
        assert youtube_handle_in_link("https://www.youtube.com/falkopingskommun") == ""
        assert youtube_handle_in_link("https://www.tiktok.com/@falkopingskommun") == ""


class TestLinkIsUnattributable:
    @pytest.mark.parametrize(
        "value",
        [
            "https://youtu.be/dQw4w9WgXcQ",
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            "https://m.youtube.com/watch?v=dQw4w9WgXcQ&t=30s",
            "https://www.youtube.com/shorts/abcdefghijk",
            "https://www.youtube.com/live/abcdefghijk",
            "https://fb.watch/abcDEF123/",
            "https://www.facebook.com/watch/?v=1234567890",
            "https://www.facebook.com/reel/1234567890",
            "https://www.facebook.com/share/p/1AbCdEf/",
            "https://www.facebook.com/photo/?fbid=123&set=a.456",
            "https://www.instagram.com/p/C1a2b3c4d5e/",
            "https://www.instagram.com/reel/C1a2b3c4d5e/",
            "https://t.co/abc123",
        ],
    )
    def test_a_post_or_video_without_its_account(self, value):
        assert link_is_unattributable(value)

    @pytest.mark.parametrize(
        "value",
        [
            "https://www.facebook.com/falkopingsbibliotek/posts/123",
            "https://www.youtube.com/@falkopingskommun",
            "https://www.instagram.com/falkopingsbibliotek/",
            "https://youtu.be.falska.example/dQw4w9WgXcQ",  # a lookalike host is simply not the municipality's
            "https://falska.example/watch?v=dQw4w9WgXcQ",
            "@falkopingskommun",
        ],
    )
    def test_links_that_name_an_account_or_another_site(self, value):
        assert not link_is_unattributable(value)


class TestPlatformIdIsValid:
    @pytest.mark.parametrize(
        ("platform", "value", "valid"),
        [
            ("facebook", "100064512345678", True),
            ("facebook", "falkoping", False),
            ("youtube", CHANNEL, True),
            ("youtube", "UCshort", False),
            ("youtube", "100064512345678", False),
            ("instagram", "100064512345678", False),
        ],
    )
    def test_only_ids_that_links_carry(self, platform, value, valid):
        assert platform_id_is_valid(platform, value) is valid
