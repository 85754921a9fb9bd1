"""A toy platform and its connector: the smallest API with paging, comments, edits, deletions and
every failure, to test the sync engine (capture/sync.py, capture/tasks.py) apart from any real
platform's quirks. The real connectors have their own simulators (simulators/)."""

import contextlib
import datetime

from capture.connectors import registry
from capture.connectors.base import COMMENT, POST, Connector, Identity, Item, Page
from simulators.server import Response, Simulator, serve

BASE = datetime.datetime(2026, 11, 1, 12, 0, tzinfo=datetime.UTC)


@contextlib.contextmanager
def served(monkeypatch, page_size=2):
    """The toy platform on loopback, its connector registered as "toy" (for a fixture to yield)."""
    monkeypatch.setitem(registry.CONNECTORS, "toy", "capture.tests.toy:ToyConnector")
    platform = ToyPlatform(page_size=page_size)
    running = serve(platform)
    try:
        yield platform
    finally:
        running.stop()


class ToyPlatform(Simulator):
    name = "toy"

    def __init__(self, page_size=2):
        super().__init__()
        self.page_size = page_size
        self.token = "good-token"  # noqa: S105 (a simulator's)
        self.posts: dict[str, dict] = {}
        self.comments: dict[str, list[dict]] = {}

    def add_post(self, post_id, text, days_ago=0, likes=0):
        self.posts[post_id] = {
            "id": post_id, "text": text, "likes": likes,
            "created": (BASE - datetime.timedelta(days=days_ago)).isoformat(),
        }  # fmt: skip
        self.comments.setdefault(post_id, [])

    def add_comment(self, post_id, comment_id, text, author="Anna"):
        self.comments[post_id].append({"id": comment_id, "text": text, "author": author, "created": BASE.isoformat()})

    def routes(self):
        return [
            ("GET", r"/me", self.me),
            ("GET", r"/posts", self.list_posts),
            ("GET", r"/posts/(?P<post_id>[^/]+)/comments", self.list_comments),
        ]

    def _authorised(self, request):
        return request.headers.get("authorization") == f"Bearer {self.token}"

    def me(self, request):
        if not self._authorised(request):
            return self.error(401, request)
        return Response.json({"id": "toy-1", "name": "Biblioteket"})

    def _page(self, rows, request):
        start = int(request.query.get("cursor") or 0)
        chunk = rows[start : start + self.page_size]
        more = start + self.page_size < len(rows)
        return Response.json({"data": chunk, "next": str(start + self.page_size) if more else None})

    def list_posts(self, request):
        if not self._authorised(request):
            return self.error(401, request)
        rows = sorted(self.posts.values(), key=lambda post: post["created"], reverse=True)
        return self._page(rows, request)

    def list_comments(self, request, post_id):
        if not self._authorised(request):
            return self.error(401, request)
        if post_id not in self.posts:
            return self.error(404, request)
        return self._page(self.comments[post_id], request)


class ToyConnector(Connector):
    """Reads this toy platform and simulators/toy.py's (the benchmark's: several accounts, replies to
    replies, hidden items)."""

    platform = "toy"
    label = "Toy"
    needs_token = True
    volatile_keys = frozenset({"likes"})

    def _get(self, path, params=None):
        return self.client.get_json(path, params=params, headers={"Authorization": f"Bearer {self.token}"})

    def verify(self, handle=""):
        data = self._get("/me")
        return Identity(platform_id=data["id"], name=data["name"])

    def posts(self, cursor=None, since=None):
        data = self._get("/posts", {"cursor": cursor} if cursor else None)
        items = [
            Item(
                platform_id=row["id"],
                kind=POST,
                text=row["text"],
                raw=row,
                by_account=True,
                published_at=datetime.datetime.fromisoformat(row["created"]),
                hidden=row.get("hidden", False),
            )  # fmt: skip
            for row in data["data"]
        ]
        return Page(items, data["next"])

    def replies(self, post, cursor=None):
        data = self._get(f"/posts/{post.platform_id}/comments", {"cursor": cursor} if cursor else None)
        items = [
            Item(
                platform_id=row["id"],
                kind=COMMENT,
                text=row["text"],
                raw=row,
                author_name=row["author"],
                by_account=row.get("by_account", False),
                published_at=datetime.datetime.fromisoformat(row["created"]),
                # The simulators/toy.py platform of the benchmark answers replies to replies too.
                parent_id=row.get("parent") or post.platform_id,
                thread_id=post.platform_id,
                hidden=row.get("hidden", False),
            )  # fmt: skip
            for row in data["data"]
        ]
        return Page(items, data["next"])


class UniformToyPlatform(ToyPlatform):
    """The toy platform with the uniform simulator interface of simulators/ (add_account, add_post,
    add_comment, edit, delete, hide): several accounts, each read with its own token, so that the
    demo's wiring (simulators/demo.py) can be tested before the real simulators are there."""

    base_path = ""

    def __init__(self, page_size=25):
        super().__init__(page_size=page_size)
        self.accounts: dict[str, dict] = {}  # account id → {"name", "handle", "token"}
        self.owner: dict[str, str] = {}  # post id → account id

    def add_account(self, account_id, name, handle="", token=None):
        self.accounts[account_id] = {"id": account_id, "name": name, "handle": handle, "token": token}

    def add_post(self, account_id, post_id, text, published_at, media_url=None):
        self.posts[post_id] = {"id": post_id, "text": text, "likes": 0, "created": published_at.isoformat()}
        self.comments.setdefault(post_id, [])
        self.owner[post_id] = account_id

    def add_comment(self, post_id, comment_id, text, author_name, published_at, parent_id=None, by_account=False):
        self.comments[post_id].append(
            {"id": comment_id, "text": text, "author": author_name, "created": published_at.isoformat(),
             "parent": parent_id, "by_account": by_account}
        )  # fmt: skip

    def _find(self, item_id):
        if item_id in self.posts:
            return self.posts[item_id]
        return next((row for rows in self.comments.values() for row in rows if row["id"] == item_id), None)

    def edit(self, item_id, text):
        self._find(item_id)["text"] = text

    def delete(self, item_id):
        if self.posts.pop(item_id, None) is None:
            for rows in self.comments.values():
                rows[:] = [row for row in rows if row["id"] != item_id]

    def hide(self, item_id):
        self._find(item_id)["hidden"] = True

    def _account_of(self, request):
        header = request.headers.get("authorization", "")
        return next((key for key, acc in self.accounts.items() if header == f"Bearer {acc['token']}"), None)

    def _authorised(self, request):
        return self._account_of(request) is not None

    def me(self, request):
        account_id = self._account_of(request)
        if account_id is None:
            return self.error(401, request)
        return Response.json({"id": account_id, "name": self.accounts[account_id]["name"]})

    def list_posts(self, request):
        account_id = self._account_of(request)
        if account_id is None:
            return self.error(401, request)
        rows = [post for post_id, post in self.posts.items() if self.owner.get(post_id) == account_id]
        return self._page(sorted(rows, key=lambda post: post["created"], reverse=True), request)
