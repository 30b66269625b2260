"""Forms of the registry: binding only; checking lives in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nhandao.core.forms import DATE, StyledForm
from nhandao.people.models import Sex

from .models import Consent, Status, Verification


class BeneficiaryForm(StyledForm):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=200)
    birth = forms.CharField(
        label=_("Ngày sinh (hoặc năm sinh)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy, mm/yyyy, yyyy"}),
    )
    sex = forms.ChoiceField(label=_("Giới tính"), choices=Sex.choices, required=False)
    id_number = forms.CharField(label=_("Số CCCD/định danh"), max_length=20, required=False)
    legacy_id = forms.CharField(label=_("Số CMND cũ"), max_length=20, required=False)
    phone = forms.CharField(label=_("Điện thoại"), max_length=20, required=False)
    ward = forms.TypedChoiceField(
        label=_("Xã/phường/đặc khu"), coerce=int, required=False, empty_value=None
    )
    address_detail = forms.CharField(label=_("Thôn, tổ, số nhà"), max_length=255, required=False)
    groups = forms.MultipleChoiceField(
        label=_("Đối tượng"), required=False, widget=forms.CheckboxSelectMultiple
    )
    poverty_year = forms.IntegerField(
        label=_("Năm xác định hộ nghèo/cận nghèo"), required=False, min_value=2000, max_value=2100
    )
    poverty_standard = forms.CharField(
        label=_("Chuẩn nghèo áp dụng"), max_length=40, required=False, initial="2022–2025"
    )
    circumstances = forms.CharField(
        label=_("Hoàn cảnh"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    status = forms.ChoiceField(label=_("Tình trạng"), choices=Status.choices, initial=Status.ACTIVE)
    photo = forms.FileField(label=_("Ảnh (không bắt buộc; JPEG, PNG, tối đa 5 MB)"), required=False)
    confirm_warnings = forms.BooleanField(
        label=_("Tôi đã kiểm tra các cảnh báo và vẫn lưu"), required=False
    )

    def __init__(
        self, *args: Any, wards: list[tuple[int, str]], groups: list[tuple[str, str]], **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.fields["ward"].choices = [("", "—"), *wards]  # type: ignore[attr-defined]
        self.fields["groups"].choices = groups  # type: ignore[attr-defined]

    def hide_stored(self, **masked: str) -> None:
        """The edit form of a user who may not see identifiers and sensitive data: the inputs
        start empty, with the stored value masked as their placeholder (e.g. ``id_number=
        "0011******45"``); the circumstances say only that they are not shown."""
        for name, value in masked.items():
            if value:
                self.fields[name].widget.attrs["placeholder"] = value
        self.fields["circumstances"].widget.attrs["placeholder"] = _(
            "(dữ liệu nhạy cảm, không hiển thị với vai trò của bạn)"
        )


class FilterForm(StyledForm):
    q = forms.CharField(label=_("Tên, số CCCD, điện thoại"), required=False, max_length=100)
    ward = forms.TypedChoiceField(
        label=_("Xã/phường"), coerce=int, required=False, empty_value=None
    )
    group = forms.ChoiceField(label=_("Đối tượng"), required=False)
    status = forms.ChoiceField(
        label=_("Tình trạng"), required=False, choices=[("", _("Tất cả")), *Status.choices]
    )
    verification = forms.ChoiceField(
        label=_("Xác minh"), required=False, choices=[("", _("Tất cả")), *Verification.choices]
    )

    def __init__(
        self, *args: Any, wards: list[tuple[int, str]], groups: list[tuple[str, str]], **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.fields["ward"].choices = [("", _("Tất cả")), *wards]  # type: ignore[attr-defined]
        self.fields["group"].choices = [("", _("Tất cả")), *groups]  # type: ignore[attr-defined]


class VerifyForm(StyledForm):
    result = forms.ChoiceField(
        label=_("Kết quả xác minh"),
        choices=[
            (Verification.VERIFIED, Verification.VERIFIED.label),
            (Verification.REJECTED, Verification.REJECTED.label),
        ],
    )


class ConsentForm(StyledForm):
    purpose = forms.CharField(label=_("Mục đích công khai"), max_length=255)
    given_on = forms.DateField(label=_("Ngày đồng ý"), widget=DATE)
    method = forms.ChoiceField(label=_("Hình thức"), choices=Consent.Method.choices)
