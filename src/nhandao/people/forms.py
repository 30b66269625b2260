from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nhandao.core.forms import StyledForm

from .models import PovertyStatus


class HouseholdForm(StyledForm):
    code = forms.CharField(label=_("Mã hộ"), max_length=40, required=False)
    head = forms.TypedChoiceField(label=_("Chủ hộ"), coerce=int, required=False, empty_value=None)
    poverty_status = forms.ChoiceField(
        label=_("Hộ nghèo/cận nghèo"), choices=PovertyStatus.choices, required=False
    )
    poverty_year = forms.IntegerField(
        label=_("Năm xác định"), required=False, min_value=2000, max_value=2100
    )
    poverty_standard = forms.CharField(
        label=_("Chuẩn nghèo áp dụng"), max_length=40, required=False
    )

    def __init__(self, *args: Any, members: list[Any] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if members is None:
            del self.fields["head"]
        else:
            self.fields["head"].choices = [(m.pk, m.full_name) for m in members]  # type: ignore[attr-defined]
