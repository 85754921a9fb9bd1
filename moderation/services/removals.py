"""Content removed on the platform (R21, R22): an item that a sync no longer finds on the platform,
or that the account hid, is explained by the account's editor.

A category of R21/R22 opens a moderation case about the item, with what the portal captured of it
before the removal (its text, author, link, raw answer and SHA-256, earlier versions) as the case's
first evidence, taken when the item was first captured: the R22 order (documented first, then
removed) holds, and the case goes on as any other (screenshots can still be added, a criminal one is
reported to the police). "Removed by its author" and "not a breach" are recorded without a case.

Permission is refused with PermissionDenied, a refused state with DomainError. Nothing here deletes
or changes a captured item.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from capture.models import CapturedItem, ItemKind
from falkoping_some.lib.errors import DomainError
from falkoping_some.lib.private_files import discard_files
from moderation.evidence import store_captured_copy
from moderation.models import NO_CASE_REASONS, PlatformRemoval, RemovalReason, RemovedContentKind
from moderation.selectors import gone_at
from moderation.services.cases import open_case

CONTENT_KIND = {
    ItemKind.POST: RemovedContentKind.POST,
    ItemKind.COMMENT: RemovedContentKind.COMMENT,
    ItemKind.MESSAGE: RemovedContentKind.MESSAGE,
}


def explain_removal(actor, item, reason, *, note="", description="", is_criminal=False, not_criminal_reason=""):
    """R21: say why `item` is gone from the platform (or hidden). For a category of R21/R22 a case
    is opened about it (its description by default the captured text; R22: criminal by the same
    rules as any case) with the captured copy as evidence; the explanation links to it."""
    if not actor.has_perm("moderation.explain_removal", item):
        raise PermissionDenied
    if reason not in RemovalReason.values:
        raise DomainError(_("Choose why the content is gone."))
    note = (note or "").strip()
    if reason == RemovalReason.NOT_A_BREACH and not note:
        raise DomainError(_("Say why it was removed or hidden although it was not a breach."))
    stored = []
    try:
        with transaction.atomic():
            # Locked: two editors explaining the same item at once get one explanation.
            item = CapturedItem.objects.select_for_update().select_related("account").get(pk=item.pk)
            if item.missing_since is None and not item.hidden:
                raise DomainError(_("The item is still on the platform: there is nothing to explain."))
            if PlatformRemoval.objects.filter(item=item).exists():
                raise DomainError(_("An editor has already explained why this item is gone."))
            case = None
            if reason not in NO_CASE_REASONS:
                data = {
                    "content_kind": CONTENT_KIND[item.kind],
                    "category": reason,
                    "description": (description or "").strip() or item.text or _("(no text)"),
                    "published_at": item.published_at,
                    "is_criminal": is_criminal,
                    "not_criminal_reason": not_criminal_reason,
                }
                case = open_case(actor, item.account, data)
                case.captured_item = item
                case.removed_at = gone_at(item)
                case.save(update_fields=["captured_item", "removed_at"])
                stored.append(store_captured_copy(actor, item, case))
            return PlatformRemoval.objects.create(
                item=item, reason=reason, note=note, case=case, explained_by=actor, explained_at=timezone.now()
            )
    except BaseException:
        # The rows are rolled back; the copy written goes too.
        discard_files(stored)
        raise
