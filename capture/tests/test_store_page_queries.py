"""store_page's queries do not grow with the page (bench/capture_bench.py measures the same at scale):
new replies are inserted with their thread and parent set, a query per level of nesting, not an
UPDATE per reply."""

import datetime

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from capture import crypto
from capture.connectors.base import COMMENT, POST, Item
from capture.models import CapturedItem, Connection
from capture.sync import Sync

from .toy import ToyConnector

WHEN = datetime.datetime(2026, 11, 1, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def sync(library_account):
    connection = Connection.objects.create(
        account=library_account, kind="toy", base_url="http://127.0.0.1:9", external_id="toy-1",
        token_encrypted=crypto.encrypt("good-token"), created_by=UserFactory(),
    )  # fmt: skip
    return Sync(connection, connector=ToyConnector(base_url="http://127.0.0.1:9", token="good-token"), now=WHEN)


def page(prefix: str, posts: int, replies: int) -> tuple[list[Item], list[Item]]:
    """`posts` posts, each with `replies` comments; every second comment answers the one before."""
    post_items, reply_items = [], []
    for p in range(posts):
        post_id = f"{prefix}p{p}"
        post_items.append(Item(post_id, POST, f"Inlägg {p}", WHEN, raw={"id": post_id}, by_account=True))
        for c in range(replies):
            parent = f"{post_id}c{c - 1}" if c % 2 else post_id
            reply_items.append(
                Item(
                    f"{post_id}c{c}",
                    COMMENT,
                    f"Svar {c}",
                    WHEN,
                    raw={"id": f"{post_id}c{c}"},
                    parent_id=parent,
                    thread_id=post_id,
                )  # fmt: skip
            )
    return post_items, reply_items


def queries_to_store(sync, posts, replies) -> int:
    with CaptureQueriesContext(db) as captured:
        stored = sync.store_page(posts)
        sync.store_page(replies, threads=stored)
    return len(captured.captured_queries)


@pytest.mark.django_db
def test_a_page_of_many_replies_takes_as_many_queries_as_a_page_of_few(sync):
    few = queries_to_store(sync, *page("a", posts=2, replies=2))
    # (Small enough for one INSERT per level on SQLite, which splits an INSERT at 999 parameters.)
    many = queries_to_store(sync, *page("b", posts=10, replies=4))

    assert many == few
    reply = CapturedItem.objects.get(platform_id="bp3c3")
    assert reply.thread.platform_id == "bp3" and reply.parent.platform_id == "bp3c2"
    assert CapturedItem.objects.get(platform_id="bp3c2").parent.platform_id == "bp3"
    assert CapturedItem.objects.filter(thread__isnull=False).count() == 2 * 2 + 10 * 4


@pytest.mark.django_db
def test_a_reply_to_a_reply_stored_earlier_is_linked_too(sync):
    posts, replies = page("c", posts=1, replies=2)
    stored = sync.store_page(posts)
    sync.store_page(replies[:1], threads=stored)
    sync.store_page(replies[1:], threads=stored)  # answers c0, stored by the call before

    assert CapturedItem.objects.get(platform_id="cp0c1").parent.platform_id == "cp0c0"
