"""Forms of the aid pages: binding only; checking lives in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nhandao.core.forms import DATE, MoneyField, StyledForm

from .models import AidKind, PartnerKind, Source


class PartnerForm(StyledForm):
    name = forms.CharField(label=_("Tên tổ chức, doanh nghiệp"), max_length=255)
    kind = forms.ChoiceField(label=_("Loại"), choices=PartnerKind.choices)
    tax_code = forms.CharField(label=_("Mã số thuế"), max_length=20, required=False)
    address = forms.CharField(label=_("Địa chỉ"), max_length=255, required=False)
    contact_name = forms.CharField(label=_("Người liên hệ"), max_length=150, required=False)
    contact_phone = forms.CharField(label=_("Điện thoại"), max_length=20, required=False)
    contact_email = forms.EmailField(label=_("Thư điện tử"), required=False)
    note = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_active = forms.BooleanField(label=_("Đang phối hợp"), required=False, initial=True)


class PartnerLoginForm(StyledForm):
    username = forms.CharField(label=_("Tên đăng nhập"), max_length=150)
    full_name = forms.CharField(label=_("Họ và tên người dùng"), max_length=150)
    password = forms.CharField(
        label=_("Mật khẩu ban đầu"), widget=forms.PasswordInput(render_value=False)
    )


class DistributionForm(StyledForm):
    campaign = forms.TypedChoiceField(label=_("Phong trào"), coerce=int)
    title = forms.CharField(label=_("Tên đợt trao"), max_length=255)
    held_on = forms.DateField(label=_("Ngày trao"), widget=DATE)
    place = forms.CharField(label=_("Địa điểm"), max_length=255, required=False)
    kind = forms.ChoiceField(label=_("Hình thức hỗ trợ"), choices=AidKind.choices)
    unit_value = MoneyField(label=_("Giá trị mỗi suất (đồng)"), required=False)
    source = forms.ChoiceField(label=_("Nguồn"), choices=Source.choices)
    donor_name = forms.CharField(label=_("Nhà tài trợ"), max_length=255, required=False)
    partner = forms.TypedChoiceField(
        label=_("Tổ chức phối hợp"), coerce=int, required=False, empty_value=None
    )
    note = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        *args: Any,
        campaigns: list[tuple[int, str]],
        partners: list[tuple[int, str]],
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = campaigns  # type: ignore[attr-defined]
        self.fields["partner"].choices = [("", "—"), *partners]  # type: ignore[attr-defined]


class RecordForm(StyledForm):
    """One gift on the quick-record page (prefilled from the distribution)."""

    person = forms.IntegerField(widget=forms.HiddenInput)
    value = MoneyField(label=_("Giá trị (đồng)"), required=False)
    override_reason = forms.CharField(label=_("Lý do trao thêm"), max_length=255, required=False)


class TickForm(forms.Form):
    """The ticked lines of a returned acknowledgement list."""

    lines = forms.TypedMultipleChoiceField(coerce=int, required=False)
    given_on = forms.DateField(label=_("Ngày trao"), widget=DATE, required=False)

    def __init__(self, *args: Any, lines: list[int], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["lines"].choices = [(n, n) for n in lines]  # type: ignore[attr-defined]


class VoidForm(StyledForm):
    reason = forms.CharField(label=_("Lý do hủy"), max_length=255)


class RecordFilterForm(StyledForm):
    campaign = forms.TypedChoiceField(
        label=_("Phong trào"), coerce=int, required=False, empty_value=None
    )
    unit = forms.TypedChoiceField(label=_("Đơn vị"), coerce=int, required=False, empty_value=None)
    voided = forms.BooleanField(label=_("Cả bản ghi đã hủy"), required=False)

    def __init__(
        self,
        *args: Any,
        campaigns: list[tuple[int, str]],
        units: list[tuple[int, str]],
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = [("", "—"), *campaigns]  # type: ignore[attr-defined]
        self.fields["unit"].choices = [("", "—"), *units]  # type: ignore[attr-defined]
