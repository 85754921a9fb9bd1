"""The platforms' record in the browser (R3): connecting an account to its platform (comms), its
archive and each item's page (its editors and comms: comments are citizens' personal data), and
the search over everything captured (comms)."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import comms_required
from accounts.models import AccountStatus, SocialAccount
from falkoping_some.lib.access import get_object_for_user
from falkoping_some.lib.errors import DomainError
from falkoping_some.lib.private_files import private_file_response
from falkoping_some.lib.queueing import enqueue_on_commit

from . import profiles, selectors, services, tasks
from .forms import ArchiveFilterForm, ConnectForm, RemoveForm, RenewForm, SearchForm
from .models import CapturedItem, CapturedMedia, Connection
from .sections import item_sections

PAGE_SIZE = 50


def _tree(post, replies):
    """The replies of a post nested by what each answers: [(item, [(child, […]), …]), …]. A reply
    whose parent was not captured hangs under the post."""
    known = {reply.platform_id for reply in replies}
    children: dict[str, list] = {}
    for reply in replies:
        parent = reply.parent_platform_id if reply.parent_platform_id in known else post.platform_id
        children.setdefault(parent, []).append(reply)

    def nodes(platform_id, seen):
        found = []
        for child in children.get(platform_id, []):
            if child.platform_id in seen:  # a loop in what the platform said: shown once
                continue
            found.append({"item": child, "replies": nodes(child.platform_id, seen | {child.platform_id})})
        return found

    return nodes(post.platform_id, {post.platform_id})


def _query_without_page(request):
    query = request.GET.copy()
    query.pop("sida", None)
    return query.urlencode()


# The archive -------------------------------------------------------------------------------------


@login_required
@require_safe
def archive(request, pk):
    account = get_object_for_user(request, SocialAccount.objects.select_related("unit"), "capture.archive", pk=pk)
    form = ArchiveFilterForm(request.GET or None)
    filters = form.filters()
    page = Paginator(selectors.archive(account, **filters), PAGE_SIZE).get_page(request.GET.get("sida"))
    rows = list(page.object_list)
    if form.threaded():
        replies = selectors.threads(rows)
        rows = [{"item": post, "replies": _tree(post, replies[post.pk])} for post in rows]
    else:
        rows = [{"item": item, "replies": []} for item in rows]
    return render(
        request,
        "capture/archive.html",
        {
            "account": account,
            "form": form,
            "page": page,
            "rows": rows,
            "query": _query_without_page(request),
            "connections": account.capture_connections.order_by("-created_at", "-pk"),
        },
    )


def _item_of(request, pk, item_pk):
    account = get_object_for_user(request, SocialAccount.objects.all(), "capture.archive", pk=pk)
    queryset = CapturedItem.objects.select_related("connection", "thread", "parent")
    return account, get_object_or_404(queryset, pk=item_pk, account=account)


@login_required
@require_safe
def item_detail(request, pk, item_pk):
    account, item = _item_of(request, pk, item_pk)
    return render(
        request,
        "capture/item_detail.html",
        {
            "account": account,
            "item": item,
            "versions": item.versions.order_by("captured_at", "pk"),
            "media": item.media.order_by("captured_at", "pk"),
            "raw": json.dumps(item.raw, indent=2, ensure_ascii=False, sort_keys=True),
            "item_sections": item_sections(request, item),
        },
    )


@login_required
@require_safe
def media_file(request, pk, item_pk, media_pk):
    """A captured image or thumbnail, to the account's editors and comms only, never cached."""
    account, item = _item_of(request, pk, item_pk)
    media = get_object_or_404(CapturedMedia, pk=media_pk, item=item)
    return private_file_response(
        media.file.open("rb"),
        content_type=media.content_type or "application/octet-stream",
        filename=media.sha256,
    )


@comms_required
@require_safe
def search(request):
    form = SearchForm(request.GET or None)
    text = form.cleaned_data["q"] if form.is_valid() else ""
    hits = selectors.SearchHits(text)
    page = Paginator(hits, PAGE_SIZE).get_page(request.GET.get("sida"))
    return render(
        request,
        "capture/search.html",
        {
            "form": form,
            "text": text,
            "page": page,
            "query": _query_without_page(request),
            "full_text": selectors.full_text_available(),
            "more_than": selectors.COMMON_MATCHES if text and hits.more_than_counted else None,
        },
    )


# Connections -------------------------------------------------------------------------------------


@comms_required
@require_http_methods(["GET", "POST"])
def connect(request, pk):
    account = get_object_for_user(request, SocialAccount.objects.all(), "capture.connect", pk=pk)
    if account.status != AccountStatus.ACTIVE:
        messages.error(request, _("Only an active account can be connected to its platform."))
        return redirect(account)
    form = ConnectForm(request.POST or None, account=account, kind=request.GET.get("typ"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            connection = services.connect(
                request.user, account, data["kind"], data["base_url"], data["token"], data["handle"]
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("%(account)s is connected to %(name)s. The first capture starts within the hour.")
                % {"account": account.name, "name": connection.external_name or connection.external_id},
            )
            return redirect(account)
    return render(request, "capture/connect.html", {"account": account, "form": form})


def _connection_of(request, pk, connection_pk):
    account = get_object_for_user(request, SocialAccount.objects.all(), "capture.connect", pk=pk)
    connection = get_object_or_404(Connection.objects.live(), pk=connection_pk, account=account)
    return account, connection


@comms_required
@require_http_methods(["GET", "POST"])
def renew(request, pk, connection_pk):
    account, connection = _connection_of(request, pk, connection_pk)
    form = RenewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.renew(request.user, connection, form.cleaned_data["token"])
        except DomainError as error:
            form.add_error("token", error.message)
        else:
            messages.success(request, _("The new token is saved. Capturing goes on from where it stopped."))
            return redirect(account)
    return render(request, "capture/renew.html", {"account": account, "connection": connection, "form": form})


@comms_required
@require_http_methods(["GET", "POST"])
def remove(request, pk, connection_pk):
    account, connection = _connection_of(request, pk, connection_pk)
    form = RemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.remove(request.user, connection)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The connection is removed. What was captured stays in the archive."))
        return redirect(account)
    return render(request, "capture/remove.html", {"account": account, "connection": connection, "form": form})


@comms_required
@require_http_methods(["POST"])
def profile_snapshot(request, pk):
    """Comms asks for a snapshot of the account's profile now (R4, R5, R9): one task per active
    connection, taken by the worker within a minute or two; the account's page then shows it."""
    account = get_object_for_user(request, SocialAccount.objects.all(), "capture.snapshot", pk=pk)
    connections = list(profiles.snapshot_connections().filter(account=account).values_list("pk", flat=True))
    if not connections:
        messages.error(request, _("The account has no active connection to its platform to read the profile from."))
        return redirect(account)
    for connection_pk in connections:
        enqueue_on_commit(tasks.take_profile_snapshot, connection_pk, request.user.pk)
    messages.success(
        request,
        _("A snapshot of the profile is being taken. It shows on this page in a minute or two: reload the page."),
    )
    return redirect(account)
