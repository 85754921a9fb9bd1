"""A toy platform for the capture benchmarks (bench/capture_bench.py) and the demo: the smallest API
with paging, comments, edits and deletions, like capture/tests/toy.py, but with many accounts (one
token each, as a real platform scopes a token to its account), the uniform simulator interface
(simulators/server.py) and a large page.

    GET /me                              the token's account
    GET /posts?cursor=N                  the token's account's posts, newest first, `page_size` a page
    GET /posts/<post_id>/comments?cursor=N   a post's comments and replies, oldest first

A connection's base_url is the running server's url (`base_path` is empty). The connector that reads
it lives with its users (bench/capture_bench.py), not here: simulators/ imports nothing from the
product.
"""

from __future__ import annotations

import datetime

from .server import Response, Simulator


class ToyPlatform(Simulator):
    name = "toy"
    base_path = ""

    def __init__(self, page_size: int = 100, keep_requests: bool = True):
        super().__init__()
        self.page_size = page_size
        self.keep_requests = keep_requests  # False: no request log (a benchmark's millions of calls)
        self.accounts: dict[str, dict] = {}
        self.tokens: dict[str, str] = {}  # token → account id
        self.items: dict[str, dict] = {}  # post or comment id → its row
        self.owner: dict[str, str] = {}  # post id → account id
        self.posts: dict[str, list[dict]] = {}  # account id → its posts
        self.comments: dict[str, list[dict]] = {}  # post id → its comments and replies
        self._sorted: set[str] = set()  # accounts whose posts are in order

    # The uniform interface ------------------------------------------------------------------------

    def add_account(self, account_id: str, name: str, handle: str = "", token: str | None = None) -> None:
        with self.lock:
            self.accounts[account_id] = {"id": account_id, "name": name, "handle": handle}
            self.tokens[token or f"token-{account_id}"] = account_id
            self.posts.setdefault(account_id, [])

    def add_post(
        self,
        account_id: str,
        post_id: str,
        text: str,
        published_at: datetime.datetime,
        media_url: str | None = None,
    ) -> None:
        row = {"id": post_id, "text": text, "likes": 0, "created": published_at.isoformat()}
        if media_url:
            row["image"] = media_url
        with self.lock:
            self.items[post_id] = row
            self.owner[post_id] = account_id
            self.posts[account_id].append(row)
            self.comments.setdefault(post_id, [])
            self._sorted.discard(account_id)

    def add_comment(
        self,
        post_id: str,
        comment_id: str,
        text: str,
        author_name: str,
        published_at: datetime.datetime,
        parent_id: str | None = None,
        by_account: bool = False,
    ) -> None:
        row = {
            "id": comment_id, "text": text, "author": author_name, "created": published_at.isoformat(),
            "parent": parent_id or post_id, "by_account": by_account, "likes": 0,
        }  # fmt: skip
        with self.lock:
            self.items[comment_id] = row
            self.comments[post_id].append(row)

    def edit(self, item_id: str, text: str) -> None:
        with self.lock:
            self.items[item_id]["text"] = text

    def delete(self, item_id: str) -> None:
        with self.lock:
            row = self.items.pop(item_id)
            if item_id in self.owner:
                account_id = self.owner.pop(item_id)
                self.posts[account_id] = [post for post in self.posts[account_id] if post is not row]
                self.comments.pop(item_id, None)
            else:
                for rows in self.comments.values():
                    if row in rows:
                        rows.remove(row)

    def hide(self, item_id: str) -> None:
        with self.lock:
            self.items[item_id]["hidden"] = True

    # The API ----------------------------------------------------------------------------------------

    def handle(self, request):
        response = super().handle(request)
        if not self.keep_requests:
            with self.lock:
                self.requests.clear()
        return response

    def routes(self):
        return [
            ("GET", r"/me", self.me),
            ("GET", r"/posts", self.list_posts),
            ("GET", r"/posts/(?P<post_id>[^/]+)/comments", self.list_comments),
        ]

    def _account(self, request) -> str | None:
        header = request.headers.get("authorization", "")
        return self.tokens.get(header.removeprefix("Bearer ")) if header.startswith("Bearer ") else None

    def _page(self, rows, request):
        try:
            start = max(0, int(request.query.get("cursor") or 0))
        except ValueError:
            return self.error(400, request)
        chunk = rows[start : start + self.page_size]
        more = start + self.page_size < len(rows)
        return Response.json({"data": chunk, "next": str(start + self.page_size) if more else None})

    def me(self, request):
        account_id = self._account(request)
        if account_id is None:
            return self.error(401, request)
        return Response.json(self.accounts[account_id])

    def list_posts(self, request):
        account_id = self._account(request)
        if account_id is None:
            return self.error(401, request)
        if account_id not in self._sorted:
            self.posts[account_id].sort(key=lambda post: (post["created"], post["id"]), reverse=True)
            self._sorted.add(account_id)
        return self._page(self.posts[account_id], request)

    def list_comments(self, request, post_id):
        account_id = self._account(request)
        if account_id is None:
            return self.error(401, request)
        if self.owner.get(post_id) != account_id:
            return self.error(404, request)
        return self._page(self.comments[post_id], request)
