"""The accessibility statement (tillgänglighetsredogörelse) of the public page /socialamedier.

The law on accessibility of digital public services (lag (2018:1937) om tillgänglighet till digital
offentlig service) requires one for every public website of the municipality, following the model
of the supervisory authority, Myndigheten för digital förvaltning (DIGG). Comms write its parts in
Swedish; the page's headings and the fixed sentences (the standard, the supervisory authority) are
in the templates and translated.
"""

import datetime

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# DIGG's form for reporting a lack of accessibility (the enforcement procedure).
DIGG_REPORT_URL = "https://www.digg.se/tdosanmalan"


class ComplianceStatus(models.TextChoices):
    """DIGG's model: how far the site complies with the law."""

    FULL = "full", _("fully compliant")
    PARTIAL = "partial", _("partially compliant")
    NONE = "none", _("not compliant")


# The default text, so that the page is never empty (seeded by the migration, and used while there
# is no row). Comms review and change it.
DEFAULTS = {
    "compliance": ComplianceStatus.PARTIAL,
    "known_shortcomings": (
        "Vi känner inte till några brister i sidans tillgänglighet. Den öppna datan i CSV- och "
        "JSON-format är filer för datorprogram och har ingen rubrikstruktur; samma uppgifter finns på sidan."
    ),
    "disproportionate_burden": "",
    "out_of_scope": (
        "Länkarna i listan leder till kommunens konton på andra webbplatser, till exempel Facebook, "
        "Instagram och YouTube. De webbplatserna styr inte kommunen över, och de omfattas inte av den "
        "här redogörelsen."
    ),
    "feedback": (
        "Om du inte kan använda någon del av sidan, eller behöver innehållet i ett annat format, "
        "kontakta kommunikationsavdelningen. Vi svarar inom fem arbetsdagar. Kontakta oss också om "
        "du upptäcker brister som inte står i den här redogörelsen."
    ),
    "contact_email": "kommunikation@falkoping.se",
    "contact_phone": "0515-88 50 00",
    "testing": (
        "Kommunikationsavdelningen har granskat sidan själv mot WCAG 2.1 nivå AA: med tangentbord, "
        "med skärmläsare, i 200 % förstoring och på en 360 pixlar bred mobilskärm. Automatiska tester "
        "kontrollerar sidan vid varje ändring av portalen."
    ),
    "tested_on": datetime.date(2026, 12, 1),
    "reviewed_on": datetime.date(2026, 12, 1),
}


class AccessibilityStatement(models.Model):
    """The one accessibility statement of /socialamedier, in DIGG's model's parts."""

    # One row, always this one: the page reads it and comms edit it.
    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    compliance = models.CharField(
        _("compliance with the law"), max_length=10, choices=ComplianceStatus.choices, default=ComplianceStatus.PARTIAL
    )
    known_shortcomings = models.TextField(
        _("content that is not accessible"),
        blank=True,
        help_text=_("The known shortcomings and what is done about them, in Swedish. One paragraph a line."),
    )
    disproportionate_burden = models.TextField(
        _("content exempted as a disproportionate burden"),
        blank=True,
        help_text=_("Section 12 of the law: what is exempted and why. Leave empty when nothing is."),
    )
    out_of_scope = models.TextField(
        _("content outside the law's scope"),
        blank=True,
        help_text=_("Section 9 of the law: for example other websites the list links to."),
    )
    feedback = models.TextField(
        _("how to report a shortcoming or ask for content"),
        help_text=_("What the visitor can do when they cannot use a part of the page, and how soon you answer."),
    )
    contact_email = models.EmailField(_("contact email"))
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    testing = models.TextField(_("how the page was tested"))
    tested_on = models.DateField(_("tested on"))
    reviewed_on = models.DateField(_("statement last reviewed on"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("accessibility statement")
        verbose_name_plural = _("accessibility statement")
        constraints = [models.CheckConstraint(name="one_accessibility_statement", condition=Q(id=1))]

    def __str__(self):
        return str(_("Accessibility statement"))

    def get_absolute_url(self):
        return reverse("publicinfo:statement")

    @classmethod
    def current(cls) -> "AccessibilityStatement":
        """The statement, or the default text while none is stored (never an empty page)."""
        return cls.objects.filter(pk=1).first() or cls(**DEFAULTS)
