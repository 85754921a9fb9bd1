"""What moderation adds to an account's page (accounts/sections.py) and to a captured item's page
(capture/sections.py)."""

from accounts.sections import account_page_section
from capture.sections import item_page_section
from moderation.models import PlatformRemoval
from moderation.selectors import unexplained_removals
from moderation.services.inquiries import answer_stats
from moderation.services.legal import legal_overview
from moderation.services.questions import monthly_reply_times


@account_page_section
def moderation(request, account, today) -> dict:
    """R20–R23: for the account's editors, and for comms, who reviews every account."""
    user = request.user
    context = {"can_moderate": user.has_perm("moderation.open_case", account)}
    if context["can_moderate"] or user.has_perm("moderation.review"):
        context["moderation_links"] = True
        context["answer_stats"] = answer_stats([account])
        context["reply_times"] = monthly_reply_times([account])
        context["removals_waiting"] = unexplained_removals(user, account).count()
        if user.has_perm("moderation.review"):
            context["legal_overview"] = legal_overview([account])
    return context


@item_page_section
def removal(request, item) -> dict | None:
    """On a captured item's page: why it is gone from the platform and its case (R21, R22), or for
    the account's editors the way to say why."""
    removal = PlatformRemoval.objects.filter(item=item).select_related("case", "explained_by").first()
    cases = list(item.moderation_cases.order_by("opened_at", "pk"))
    gone = item.missing_since is not None or item.hidden
    if removal is None and not cases and not gone:
        return None
    return {
        "template": "moderation/_item_removal.html",
        "removal": removal,
        "cases": cases,
        "can_explain": gone and removal is None and request.user.has_perm("moderation.explain_removal", item),
        "item": item,
    }
