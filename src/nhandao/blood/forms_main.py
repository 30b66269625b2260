"""Forms of the donors', sessions', honours', reminders', pledges' and statistics pages: binding
only; checking lives in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nhandao.core.forms import DATE, StyledForm

from .models import Abo, PledgeKind, Rh, SessionStatus
from .selectors import BLOOD_GROUPS

GROUP_CHOICES = [
    ("", _("Mọi nhóm máu")),
    *[(g, g) for g in BLOOD_GROUPS],
    *[(a, _("%s (mọi Rh)") % a) for a in ("A", "B", "AB", "O")],
    ("?", _("Chưa rõ nhóm máu")),
]


class DonorFilterForm(StyledForm):
    q = forms.CharField(label=_("Tìm"), required=False)
    group = forms.ChoiceField(label=_("Nhóm máu"), choices=GROUP_CHOICES, required=False)
    unit = forms.TypedChoiceField(label=_("Đơn vị"), coerce=int, required=False, empty_value=None)
    eligible = forms.BooleanField(label=_("Đủ thời gian hiến lại"), required=False)

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("Mọi đơn vị")), *units]  # type: ignore[attr-defined]


class DonorEditForm(StyledForm):
    abo = forms.ChoiceField(label=_("Nhóm máu ABO"), choices=Abo.choices, required=False)
    rh = forms.ChoiceField(label=_("Rh"), choices=Rh.choices, required=False)
    contact_sms = forms.BooleanField(label=_("Nhận tin nhắn nhắc hiến"), required=False)
    contact_call = forms.BooleanField(label=_("Nhận cuộc gọi nhắc hiến"), required=False)
    opted_out = forms.BooleanField(label=_("Không muốn được nhắc hiến máu"), required=False)


class SessionForm(StyledForm):
    held_on = forms.DateField(label=_("Ngày"), widget=DATE)
    place = forms.CharField(label=_("Địa điểm"), max_length=255)
    host = forms.CharField(label=_("Cơ quan, trường học đăng cai"), max_length=255, required=False)
    collecting_facility = forms.CharField(
        label=_("Cơ sở tiếp nhận máu"), max_length=255, required=False
    )
    expected_donors = forms.IntegerField(label=_("Số người dự kiến"), min_value=0, initial=0)
    target_units = forms.IntegerField(label=_("Chỉ tiêu (đơn vị máu)"), min_value=0, initial=0)
    campaign = forms.TypedChoiceField(
        label=_("Đợt vận động hiến máu"), coerce=int, required=False, empty_value=None
    )
    status = forms.ChoiceField(label=_("Trạng thái"), choices=SessionStatus.choices)

    def __init__(self, *args: Any, campaigns: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = [("", _("Không thuộc đợt vận động")), *campaigns]  # type: ignore[attr-defined]


class AwardForm(StyledForm):
    decision_no = forms.CharField(label=_("Số quyết định"), max_length=60)
    awarded_on = forms.DateField(label=_("Ngày quyết định"), widget=DATE)


class PledgeForm(StyledForm):
    kind = forms.ChoiceField(label=_("Đăng ký hiến"), choices=PledgeKind.choices)
    details = forms.CharField(label=_("Bộ phận, mô"), max_length=255, required=False)
    registered_on = forms.DateField(label=_("Ngày đăng ký"), widget=DATE)


class WithdrawForm(StyledForm):
    withdrawn_on = forms.DateField(label=_("Ngày rút đăng ký"), widget=DATE)
