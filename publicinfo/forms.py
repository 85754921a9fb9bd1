from django import forms

from .models import AccessibilityStatement
from .services import STATEMENT_FIELDS


class StatementForm(forms.ModelForm):
    class Meta:
        model = AccessibilityStatement
        fields = STATEMENT_FIELDS
        widgets = {
            "tested_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "reviewed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "known_shortcomings": forms.Textarea(attrs={"rows": 5}),
            "disproportionate_burden": forms.Textarea(attrs={"rows": 3}),
            "out_of_scope": forms.Textarea(attrs={"rows": 3}),
            "feedback": forms.Textarea(attrs={"rows": 4}),
            "testing": forms.Textarea(attrs={"rows": 4}),
        }
