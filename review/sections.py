"""What review adds to an account's page (accounts/sections.py)."""

from accounts.models import AccountStatus
from accounts.sections import account_page_section

from .selfcheck import self_check_status


@account_page_section
def self_check(request, account, today) -> dict:
    """The yearly self-check (R4, R5, R7–R9): for its editors, the unit's managers and comms."""
    user = request.user
    if not user.has_perm("selfcheck.view", account):
        return {}
    return {
        "self_check": self_check_status(account, today),
        "can_answer_self_check": account.status == AccountStatus.ACTIVE and user.has_perm("selfcheck.answer", account),
    }
