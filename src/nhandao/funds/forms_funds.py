"""Forms of the funds, appeals and ledger pages: binding only; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nhandao.core.forms import DATE, MoneyField, StyledForm

from .models import DocumentKind, EntryKind, FundKind, FundStatus

# Major Vietnamese banks with their 6-digit BINs (NAPAS), as VietQR needs them.
BANKS: list[tuple[str, str]] = [
    ("970436", "Vietcombank"),
    ("970415", "VietinBank"),
    ("970418", "BIDV"),
    ("970405", "Agribank"),
    ("970407", "Techcombank"),
    ("970422", "MB"),
    ("970416", "ACB"),
    ("970403", "Sacombank"),
    ("970432", "VPBank"),
]
TREASURY = "kbnn"
OTHER_BANK = "other"
BANK_CHOICES = [
    ("", _("— Chọn ngân hàng —")),
    *[(bin_, f"{name} ({bin_})") for bin_, name in BANKS],
    (TREASURY, _("Kho bạc Nhà nước")),
    (OTHER_BANK, _("Ngân hàng khác (nhập mã BIN)")),
]


def _sane_year(value: Any) -> Any:
    if value is not None and not 2000 <= value.year <= 2100:
        raise forms.ValidationError(_("Ngày không hợp lệ (năm từ 2000 đến 2100)."))
    return value


class FundFilterForm(StyledForm):
    q = forms.CharField(label=_("Tìm theo tên, mã, số tài khoản"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Loại quỹ"), choices=[("", _("Mọi loại")), *FundKind.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        choices=[("", _("Mọi trạng thái")), *FundStatus.choices],
        required=False,
    )


class AppealForm(StyledForm):
    name = forms.CharField(label=_("Tên cuộc vận động"), max_length=255)
    code = forms.CharField(
        label=_("Mã (không dấu, ví dụ LULUT2026)"),
        max_length=16,
        help_text=_("Đầu nội dung chuyển khoản và mã QR."),
    )
    campaign = forms.TypedChoiceField(
        label=_("Thuộc phong trào"), coerce=int, required=False, empty_value=None
    )
    purpose = forms.CharField(
        label=_("Mục đích, đối tượng, phạm vi vận động"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    bank = forms.ChoiceField(label=_("Ngân hàng / Kho bạc"), choices=BANK_CHOICES)
    bank_bin_other = forms.CharField(
        label=_("Mã BIN (ngân hàng khác)"), max_length=6, required=False
    )
    bank_name = forms.CharField(
        label=_("Tên ngân hàng, chi nhánh / Kho bạc"), max_length=120, required=False
    )
    account_no = forms.CharField(label=_("Số tài khoản riêng của cuộc vận động"), max_length=30)
    account_name = forms.CharField(label=_("Tên tài khoản"), max_length=255, required=False)
    opens_on = forms.DateField(label=_("Ngày phát động"), widget=DATE)
    receiving_days = forms.IntegerField(
        label=_("Số ngày tiếp nhận (để trống: theo quy định)"),
        min_value=1,
        max_value=3650,
        required=False,
    )
    is_public = forms.BooleanField(
        label=_("Công khai trên trang công khai"), required=False, initial=True
    )

    def __init__(self, *args: Any, campaigns: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = [("", _("Không thuộc phong trào")), *campaigns]  # type: ignore[attr-defined]

    def clean_opens_on(self) -> Any:
        return _sane_year(self.cleaned_data.get("opens_on"))

    def bank_values(self) -> tuple[str, str]:
        """(bank name, BIN) from the choice: a listed bank, the Treasury or another bank."""
        data = self.cleaned_data
        choice = data["bank"]
        name = (data.get("bank_name") or "").strip()
        if choice == TREASURY:
            return name or str(_("Kho bạc Nhà nước")), ""
        if choice == OTHER_BANK:
            return name, (data.get("bank_bin_other") or "").strip()
        label = dict(BANKS).get(choice, "")
        return (f"{label} - {name}" if name and label not in name else name or label), choice


class ExtendForm(StyledForm):
    decision_no = forms.CharField(label=_("Số quyết định gia hạn"), max_length=60)
    decided_on = forms.DateField(label=_("Ngày quyết định"), widget=DATE)
    receiving_ends_on = forms.DateField(label=_("Hạn tiếp nhận mới"), widget=DATE)
    reason = forms.CharField(label=_("Lý do"), max_length=255)

    def clean_decided_on(self) -> Any:
        return _sane_year(self.cleaned_data.get("decided_on"))

    def clean_receiving_ends_on(self) -> Any:
        return _sane_year(self.cleaned_data.get("receiving_ends_on"))


class DocumentForm(StyledForm):
    kind = forms.ChoiceField(label=_("Loại văn bản"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("Tên văn bản"), max_length=255)
    file = forms.FileField(label=_("Tệp (PDF, DOCX, XLSX, JPG, PNG; tối đa 10 MB)"))
    is_public = forms.BooleanField(label=_("Công khai"), required=False, initial=True)


GOODS_CHOICES = [("", _("Tiền và hiện vật")), ("0", _("Tiền")), ("1", _("Hiện vật"))]


class LedgerFilterForm(StyledForm):
    date_from = forms.DateField(label=_("Từ ngày"), widget=DATE, required=False)
    date_to = forms.DateField(label=_("Đến ngày"), widget=DATE, required=False)
    kind = forms.ChoiceField(
        label=_("Loại bút toán"), choices=[("", _("Mọi loại")), *EntryKind.choices], required=False
    )
    unit = forms.TypedChoiceField(label=_("Đơn vị"), coerce=int, required=False, empty_value=None)
    goods = forms.ChoiceField(label=_("Tiền / hiện vật"), choices=GOODS_CHOICES, required=False)
    on = forms.DateField(label=_("Số dư tại ngày"), widget=DATE, required=False)

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("Mọi đơn vị")), *units]  # type: ignore[attr-defined]


class _PocketForm(StyledForm):
    pocket = forms.TypedChoiceField(label=_("Nguồn tiền"), coerce=int)
    amount = MoneyField(label=_("Số tiền (đồng)"), empty_amount=None)
    posted_on = forms.DateField(label=_("Ngày"), widget=DATE)

    def __init__(self, *args: Any, pockets: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["pocket"].choices = pockets  # type: ignore[attr-defined]


class AllocateForm(_PocketForm):
    to_unit = forms.TypedChoiceField(label=_("Đơn vị nhận"), coerce=int)
    description = forms.CharField(label=_("Nội dung"), max_length=255, required=False)

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].choices = units  # type: ignore[attr-defined]


class TransferForm(_PocketForm):
    to_fund = forms.TypedChoiceField(label=_("Chuyển sang quỹ"), coerce=int)
    reason = forms.CharField(label=_("Lý do, căn cứ (số quyết định)"), max_length=255)

    def __init__(self, *args: Any, funds: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["to_fund"].choices = funds  # type: ignore[attr-defined]


class SpendForm(StyledForm):
    amount = MoneyField(label=_("Số tiền (đồng)"), empty_amount=None)
    posted_on = forms.DateField(label=_("Ngày chi"), widget=DATE)
    description = forms.CharField(label=_("Nội dung chi"), max_length=255)
    distribution = forms.TypedChoiceField(
        label=_("Đợt trao được chi"), coerce=int, required=False, empty_value=None
    )
    aid_records = forms.TypedMultipleChoiceField(
        label=_("Các lần trao được chi"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        distributions: list[tuple[int, str]],
        records: list[tuple[int, str]],
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.fields["distribution"].choices = [("", _("Không gắn đợt trao")), *distributions]  # type: ignore[attr-defined]
        self.fields["aid_records"].choices = records  # type: ignore[attr-defined]


class ReverseForm(StyledForm):
    reason = forms.CharField(label=_("Lý do đảo bút toán"), max_length=255)


class AnnualForm(StyledForm):
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    unit = forms.TypedChoiceField(label=_("Đơn vị"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("Toàn quỹ")), *units]  # type: ignore[attr-defined]
