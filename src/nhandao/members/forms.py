"""Forms of the members and youth pages: binding only; checking lives in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nhandao.core.forms import DATE, MoneyField, StyledForm
from nhandao.people.models import Sex

from .models import DuesStatus, MemberStatus

NUMERIC = {"inputmode": "numeric", "autocomplete": "off"}


class PersonFields(StyledForm):
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

    PERSON = ("full_name", "birth", "sex", "id_number", "phone")


class _UnitChoice(StyledForm):
    def __init__(self, *args: Any, units: list[tuple[Any, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = units  # type: ignore[attr-defined]


class MemberForm(PersonFields, _UnitChoice):
    unit = forms.TypedChoiceField(label=_("Chi hội"), coerce=int)
    joined_on = forms.DateField(label=_("Ngày vào Hội"), widget=DATE)
    card_no = forms.CharField(label=_("Số thẻ (nếu đã có)"), max_length=30, required=False)


class MemberFilterForm(_UnitChoice):
    q = forms.CharField(
        label=_("Tìm"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Họ tên (có dấu hoặc không), số thẻ…")}),
    )
    status = forms.ChoiceField(
        label=_("Tình trạng"),
        required=False,
        choices=[("", _("Mọi tình trạng")), *MemberStatus.choices],
    )
    unit = forms.TypedChoiceField(label=_("Đơn vị"), coerce=int, required=False)
    year = forms.IntegerField(
        label=_("Năm hội phí"), required=False, min_value=1990, max_value=2100
    )
    dues = forms.ChoiceField(
        label=_("Hội phí"),
        required=False,
        choices=[
            ("", _("Hội phí: tất cả")),
            ("paid", _("Đã đóng")),
            ("exempt", _("Được miễn")),
            ("none", _("Chưa đóng")),
        ],
    )

    def __init__(self, *args: Any, units: list[tuple[Any, Any]], **kwargs: Any) -> None:
        super().__init__(*args, units=[("", _("Mọi đơn vị")), *units], **kwargs)


class CardForm(StyledForm):
    card_no = forms.CharField(
        label=_("Số thẻ (để trống: cấp số tiếp theo của đơn vị)"), max_length=30, required=False
    )
    on = forms.DateField(label=_("Ngày cấp"), widget=DATE)


class StatusForm(StyledForm):
    status = forms.ChoiceField(label=_("Tình trạng mới"), choices=MemberStatus.choices)
    on = forms.DateField(label=_("Từ ngày"), widget=DATE)


class DuesForm(StyledForm):
    year = forms.IntegerField(label=_("Năm"), min_value=1900, max_value=2200)
    status = forms.ChoiceField(label=_("Tình trạng"), choices=DuesStatus.choices)
    amount = MoneyField(
        label=_("Số tiền (đồng)"), required=False, widget=forms.TextInput(attrs={"maxlength": 20})
    )
    paid_on = forms.DateField(label=_("Ngày đóng"), widget=DATE, required=False)


class TransferForm(_UnitChoice):
    unit = forms.TypedChoiceField(label=_("Chuyển đến đơn vị"), coerce=int)
    on = forms.DateField(label=_("Ngày chuyển"), widget=DATE)
    reason = forms.CharField(label=_("Lý do"), max_length=255, required=False)


class BulkTransferForm(_UnitChoice):
    unit = forms.TypedChoiceField(label=_("Đơn vị nhận toàn bộ hội viên"), coerce=int)
    on = forms.DateField(label=_("Ngày chuyển"), widget=DATE)
    reason = forms.CharField(label=_("Lý do"), max_length=255, required=False)


class YouthForm(PersonFields):
    school_year = forms.CharField(label=_("Năm học"), max_length=9)
    class_name = forms.CharField(label=_("Lớp"), max_length=30)


class ActivityForm(StyledForm):
    held_on = forms.DateField(label=_("Ngày"), widget=DATE)
    title = forms.CharField(label=_("Hoạt động"), max_length=255)
    participants = forms.IntegerField(label=_("Số người tham gia"), min_value=0, initial=0)
    note = forms.CharField(
        label=_("Ghi chú"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
