"""The main menu's sections: which item a page belongs to, for aria-current="page"."""

from django import template

register = template.Library()

# url names of the accounts app that are their own menu items rather than "Accounts".
SECTIONS = {
    "review_queue": "review",
    "flag_action": "review",
    "mandate_list": "mandates",
    "person": "",
    "records": "records",
    "export_create": "records",
    "export_detail": "records",
    "disposal_list": "records",
    "disposal_detail": "records",
}


@register.simple_tag(takes_context=True)
def nav_section(context) -> str:
    match = getattr(context.get("request"), "resolver_match", None)
    if match is None:
        return ""
    if match.app_name == "accounts":
        return SECTIONS.get(match.url_name, "accounts")
    return match.app_name or match.url_name or ""
