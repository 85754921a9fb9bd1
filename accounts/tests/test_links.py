"""Normalising pasted links and handles (R16: "is this account really the municipality's?").

The danger is a false yes, so besides the spellings that must meet, these pin the links that
must stay apart: another page, another host, and links dressed up to look like the official one.
"""

import pytest

from accounts.links import looks_like_url, normalize_handle, normalize_url, url_candidates

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
