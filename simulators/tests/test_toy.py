"""The toy platform of the capture benchmarks (simulators/toy.py): a token sees its own account only,
paging, the uniform interface's edit, delete and hide, and no request log when asked not to keep one."""

import datetime

import httpx
import pytest

from simulators.server import serve
from simulators.toy import ToyPlatform

WHEN = datetime.datetime(2026, 11, 1, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def toy():
    platform = ToyPlatform(page_size=2)
    platform.add_account("a1", "Biblioteket", token="t1")  # noqa: S106 (a simulator's)
    platform.add_account("a2", "Simhallen")
    for n in range(3):
        platform.add_post("a1", f"p{n}", f"Inlägg {n}", WHEN - datetime.timedelta(days=n))
    platform.add_comment("p0", "c1", "När öppnar ni?", "Anna", WHEN)
    platform.add_comment("p0", "c2", "Klockan tio", "Biblioteket", WHEN, parent_id="c1", by_account=True)
    running = serve(platform)
    yield platform
    running.stop()


def get(toy, path, token="t1", **params):  # noqa: S107 (a simulator's)
    return httpx.get(toy.url + path, params=params, headers={"Authorization": f"Bearer {token}"})


def test_a_token_reads_its_own_accounts_posts_newest_first_page_by_page(toy):
    assert get(toy, "/me").json()["name"] == "Biblioteket"
    first = get(toy, "/posts").json()
    assert [row["id"] for row in first["data"]] == ["p0", "p1"] and first["next"] == "2"
    second = get(toy, "/posts", cursor=first["next"]).json()
    assert [row["id"] for row in second["data"]] == ["p2"] and second["next"] is None
    assert get(toy, "/posts", token="token-a2").json()["data"] == []
    assert get(toy, "/posts/p0/comments", token="token-a2").status_code == 404
    assert get(toy, "/posts", token="wrong").status_code == 401


def test_comments_answer_their_parent_and_edits_deletions_and_hiding_show(toy):
    comments = get(toy, "/posts/p0/comments").json()["data"]
    assert [(row["id"], row["parent"], row["by_account"]) for row in comments] == [
        ("c1", "p0", False),
        ("c2", "c1", True),
    ]
    toy.edit("p1", "Rättat")
    toy.hide("c1")
    toy.delete("p2")
    toy.delete("c2")
    posts = get(toy, "/posts").json()["data"]
    assert [(row["id"], row["text"]) for row in posts] == [("p0", "Inlägg 0"), ("p1", "Rättat")]
    comments = get(toy, "/posts/p0/comments").json()["data"]
    assert [(row["id"], row.get("hidden")) for row in comments] == [("c1", True)]
    assert get(toy, "/posts/p2/comments").status_code == 404


def test_without_a_request_log_nothing_is_kept(toy):
    get(toy, "/posts")
    assert len(toy.requests) == 1
    toy.keep_requests = False
    get(toy, "/posts")
    assert toy.requests == []
