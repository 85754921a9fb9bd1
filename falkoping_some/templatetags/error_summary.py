"""One pattern for every form that fails: base.html asks which forms on the page have errors and
shows a summary at the top, with a link to each field in error (WCAG 3.3.1, 3.3.3), and the page's
title begins with "Error:". The fields keep their own messages beside them."""

from dataclasses import dataclass

from django import template
from django.forms import BaseForm
from django.forms.formsets import BaseFormSet

register = template.Library()


@dataclass(frozen=True)
class Problem:
    message: str
    label: str = ""
    target: str = ""  # the id of the field's first input, for the summary's link


def _target(bound_field) -> str:
    """The id of the input a link to the field lands on: a group of radio buttons or checkboxes
    has no id of its own (Django's id_for_label is empty), so its first option's."""
    if bound_field.id_for_label:
        return bound_field.id_for_label
    for option in bound_field.subwidgets:
        return option.id_for_label or bound_field.auto_id
    return bound_field.auto_id or ""


def _form_problems(form) -> list[Problem]:
    # A list's filters ignore a bad value instead of reporting it (error_summary = False).
    if not form.is_bound or not getattr(form, "error_summary", True) or not form.errors:
        return []
    problems = [Problem(str(message)) for message in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name == "__all__" or name not in form.fields:
            continue
        bound_field = form[name]
        for message in errors:
            if bound_field.is_hidden:
                problems.append(Problem(str(message)))
            else:
                problems.append(Problem(str(message), label=str(bound_field.label or ""), target=_target(bound_field)))
    return problems


def _problems(value) -> list[Problem]:
    # type(), not isinstance(): isinstance() would evaluate the context's lazy objects, and the
    # CSRF token's sets a cookie, which keeps the public page from being shared (public_page_cache).
    kind = type(value)
    if issubclass(kind, BaseForm):
        return _form_problems(value)
    if issubclass(kind, BaseFormSet) and value.is_bound:
        problems = [Problem(str(message)) for message in value.non_form_errors()]
        for form in value.forms:
            problems.extend(_form_problems(form))
        return problems
    return []


@register.simple_tag(takes_context=True)
def form_problems(context) -> list[Problem]:
    """Every error of every bound form or formset in the page's context, each form once, in the
    order the view gave them."""
    seen, problems = set(), []
    for layer in context.dicts:
        for value in layer.values():
            if id(value) in seen:
                continue
            seen.add(id(value))
            problems.extend(_problems(value))
    return problems
