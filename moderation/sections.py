"""What moderation adds to an account's page (accounts/sections.py)."""

from accounts.sections import account_page_section
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
        if user.has_perm("moderation.review"):
            context["legal_overview"] = legal_overview([account])
    return context
