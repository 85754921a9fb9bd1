"""A toy platform and its connector: the smallest API with paging, comments, edits, deletions and
every failure, to test the sync engine (capture/sync.py, capture/tasks.py) apart from any real
platform's quirks. The real connectors have their own simulators (simulators/)."""

import datetime

from capture.connectors.base import COMMENT, POST, Connector, Identity, Item, Page
from simulators.server import Response, Simulator

BASE = datetime.datetime(2026, 11, 1, 12, 0, tzinfo=datetime.UTC)


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
                published_at=datetime.datetime.fromisoformat(row["created"]),
                parent_id=post.platform_id,
                thread_id=post.platform_id,
            )  # fmt: skip
            for row in data["data"]
        ]
        return Page(items, data["next"])
