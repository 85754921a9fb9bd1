"""The main menu's sections: which item a page belongs to, for aria-current="page"."""

from django import template

register = template.Library()

# Pages of the registry's apps that are their own menu items; their other pages are "Accounts".
REGISTRY_APPS = {"accounts", "activity", "review", "records", "capture"}
SECTIONS = {
    ("review", "queue"): "review",
    ("review", "flag_action"): "review",
    ("accounts", "mandate_list"): "mandates",
    ("accounts", "person"): "",
    ("records", "index"): "records",
    ("records", "export_create"): "records",
    ("records", "export_detail"): "records",
    ("records", "disposal_list"): "records",
    ("records", "disposal_detail"): "records",
    ("capture", "search"): "capture_search",
}


@register.simple_tag(takes_context=True)
def nav_section(context) -> str:
    match = getattr(context.get("request"), "resolver_match", None)
    if match is None:
        return ""
    if match.app_name in REGISTRY_APPS:
        return SECTIONS.get((match.app_name, match.url_name), "accounts")
    return match.app_name or match.url_name or ""
