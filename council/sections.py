"""What the council adds to a person's page (accounts/sections.py)."""

from accounts.sections import person_page_section
from council.services.attendance import person_attendance


@person_page_section
def attendance(request, person) -> dict:
    """R24: a person's council attendance, to the person, their manager and comms only (rules.py)."""
    allowed = request.user.has_perm("council.view_attendance", person)
    return {"attendance": person_attendance(person) if allowed else None}
