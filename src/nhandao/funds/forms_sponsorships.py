"""Forms of the sponsorship pages: binding only; the rules live in ``sponsorships.py``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nhandao.core.forms import DATE, MoneyField, StyledForm

from .models import DonorKind, Frequency, SponsorshipStatus

MAX_ID = 2**63 - 1

KIND_CHOICES = [("money", _("Tiền")), ("goods", _("Hiện vật (quy ra tiền)"))]


class SponsorshipForm(StyledForm):
    donor = forms.IntegerField(
        label=_("Nhà tài trợ"), required=False, min_value=1, max_value=MAX_ID
    )
    new_donor_kind = forms.ChoiceField(
        label=_("hoặc thêm nhà tài trợ mới: loại"),
        required=False,
        choices=[("", "—"), *[c for c in DonorKind.choices if c[0] != DonorKind.ANONYMOUS]],
    )
    new_donor_name = forms.CharField(label=_("Tên nhà tài trợ mới"), required=False, max_length=255)
    beneficiary = forms.IntegerField(
        label=_("Địa chỉ nhân đạo"), required=False, min_value=1, max_value=MAX_ID
    )
    commitment = forms.CharField(
        label=_("Nội dung cam kết"),
        max_length=255,
        help_text=_("Ví dụ: hỗ trợ tiền ăn học cho cháu đến hết lớp 12."),
    )
    kind = forms.ChoiceField(label=_("Bằng"), choices=KIND_CHOICES, initial="money")
    amount = MoneyField(label=_("Số tiền / giá trị mỗi lần (đồng)"), empty_amount=None)
    frequency = forms.ChoiceField(
        label=_("Tần suất"), choices=Frequency.choices, initial=Frequency.MONTHLY
    )
    starts_on = forms.DateField(label=_("Từ ngày"), widget=DATE)
    ends_on = forms.DateField(label=_("Đến ngày"), widget=DATE, required=False)
    note = forms.CharField(label=_("Ghi chú"), max_length=255, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("donor") and not (
            data.get("new_donor_kind") and data.get("new_donor_name")
        ):
            self.add_error(
                "donor", _("Hãy chọn nhà tài trợ, hoặc nhập loại và tên nhà tài trợ mới.")
            )
        if not data.get("beneficiary"):
            self.add_error("beneficiary", _("Hãy chọn địa chỉ nhân đạo."))
        if data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", _("Chưa nhập số tiền."))
        return data


class FulfilmentForm(StyledForm):
    given_on = forms.DateField(label=_("Ngày trao"), widget=DATE)
    amount = MoneyField(label=_("Số tiền / giá trị (đồng)"), empty_amount=None)
    description = forms.CharField(label=_("Nội dung"), max_length=255, required=False)
    donation = forms.TypedChoiceField(
        label=_("Thuộc khoản ủng hộ"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, donations: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["donation"].choices = [("", _("Không gắn khoản ủng hộ")), *donations]  # type: ignore[attr-defined]

    def clean_amount(self) -> int:
        value = self.cleaned_data.get("amount")
        if value is None:
            raise forms.ValidationError(_("Chưa nhập số tiền."))
        return int(value)


class VoidForm(StyledForm):
    reason = forms.CharField(label=_("Lý do hủy"), max_length=255)


END_CHOICES = [
    (SponsorshipStatus.ENDED.value, _("Kết thúc (đã hoàn thành cam kết)")),
    (SponsorshipStatus.CANCELLED.value, _("Dừng (không tiếp tục thực hiện)")),
]


class EndForm(StyledForm):
    status = forms.ChoiceField(label=_("Kết thúc hay dừng"), choices=END_CHOICES)
    on = forms.DateField(label=_("Từ ngày"), widget=DATE)
    reason = forms.CharField(label=_("Lý do"), max_length=255)


class ListFilterForm(StyledForm):
    q = forms.CharField(label=_("Tìm nhà tài trợ, địa chỉ"), required=False, max_length=100)
    unit = forms.TypedChoiceField(label=_("Đơn vị"), coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[("", _("Mọi trạng thái")), *SponsorshipStatus.choices],
    )
    overdue = forms.BooleanField(label=_("Chỉ cam kết quá hạn"), required=False)
    donor = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("Mọi đơn vị")), *units]  # type: ignore[attr-defined]


class UnsponsoredFilterForm(StyledForm):
    unit = forms.TypedChoiceField(label=_("Đơn vị"), coerce=int, required=False, empty_value=None)
    group = forms.ChoiceField(label=_("Đối tượng"), required=False)

    def __init__(
        self, *args: Any, units: list[tuple[int, str]], groups: list[tuple[str, str]], **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("Mọi đơn vị")), *units]  # type: ignore[attr-defined]
        self.fields["group"].choices = [("", _("Mọi đối tượng")), *groups]  # type: ignore[attr-defined]
