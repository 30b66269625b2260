"""Forms of the check-in desk and the certificate page: binding only; checking lives in the
services (eligibility, volumes, weights, certificate numbers)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nhandao.core.forms import DATE, MoneyField, StyledForm
from nhandao.people.models import Sex

from .models import Abo, DonationKind, Rh
from .services import DEFERRAL_REASONS

NUMERIC = {"inputmode": "decimal", "autocomplete": "off"}


class DonationForm(StyledForm):
    kind = forms.ChoiceField(label=_("Loại hiến"), choices=DonationKind.choices)
    volume_ml = forms.IntegerField(label=_("Thể tích (ml)"))
    weight_kg = forms.CharField(
        label=_("Cân nặng hôm nay (kg)"), max_length=8, widget=forms.TextInput(attrs=NUMERIC)
    )
    certificate_no = forms.CharField(label=_("Số giấy chứng nhận"), max_length=40, required=False)
    health_notes = forms.CharField(
        label=_("Trả lời khám sàng lọc (nhạy cảm)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    gift_value = MoneyField(label=_("Quà tặng (đồng)"), required=False)
    travel_value = MoneyField(label=_("Hỗ trợ đi lại (đồng)"), required=False)
    meal_value = MoneyField(label=_("Hỗ trợ ăn nhẹ (đồng)"), required=False)

    def __init__(self, *args: Any, volumes: list[int] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if volumes:
            choices = [(v, f"{v} ml") for v in volumes]
            self.fields["volume_ml"].widget = forms.Select(
                choices=choices, attrs={"class": "form-select"}
            )


class DeferralForm(StyledForm):
    reason_code = forms.ChoiceField(
        label=_("Lý do tạm hoãn (nhạy cảm)"),
        choices=[("", "—"), *[(k, v) for k, v in DEFERRAL_REASONS.items()]],
    )
    reason_text = forms.CharField(label=_("Ghi chú"), max_length=255, required=False)
    days = forms.IntegerField(
        label=_("Hoãn trong (ngày)"), required=False, min_value=1, max_value=3650
    )
    until = forms.DateField(label=_("hoặc hoãn đến ngày"), required=False, widget=DATE)
    permanent = forms.BooleanField(label=_("Hoãn vĩnh viễn"), required=False)


class NewDonorForm(StyledForm):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    birth = forms.CharField(
        label=_("Ngày sinh"),
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy"}),
    )
    # The person registry's own choices (Chưa rõ / Nam / Nữ), as on every form of a person.
    sex = forms.ChoiceField(label=_("Giới tính"), choices=Sex.choices, required=False)
    id_number = forms.CharField(
        label=_("Số CCCD"), max_length=20, required=False, widget=forms.TextInput(attrs=NUMERIC)
    )
    phone = forms.CharField(
        label=_("Điện thoại"), max_length=20, required=False, widget=forms.TextInput(attrs=NUMERIC)
    )
    abo = forms.ChoiceField(label=_("Nhóm máu ABO"), choices=Abo.choices, required=False)
    rh = forms.ChoiceField(label=_("Rh"), choices=Rh.choices, required=False)
    weight_kg = forms.CharField(
        label=_("Cân nặng (kg)"),
        max_length=8,
        required=False,
        widget=forms.TextInput(attrs=NUMERIC),
    )
    contact_sms = forms.BooleanField(
        label=_("Nhận tin nhắn nhắc hiến"), required=False, initial=True
    )
    contact_call = forms.BooleanField(
        label=_("Nhận cuộc gọi nhắc hiến"), required=False, initial=True
    )


class UseForm(StyledForm):
    used_on = forms.DateField(label=_("Ngày sử dụng"), widget=DATE)
    volume_ml = forms.IntegerField(label=_("Thể tích (ml)"), min_value=1)
    hospital = forms.CharField(label=_("Cơ sở y tế"), max_length=255)
    patient = forms.CharField(label=_("Người được truyền"), max_length=150, required=False)
