"""Forms of the donors', donations', receipts' and pledges' pages: binding only; the rules are
checked by the services, whose messages are shown beside the field they name."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nhandao.core.forms import DATE, MoneyField, StyledForm
from nhandao.core.money import parse_vnd

from .models import DonationMethod, DonationStatus, DonorKind, EarmarkKind, PledgeStatus

ITEM_ROWS = 6
INSTALMENT_ROWS = 12


class DonorForm(StyledForm):
    kind = forms.ChoiceField(label=_("Loại"), choices=DonorKind.choices)
    name = forms.CharField(label=_("Tên"), max_length=255, required=False)
    tax_code = forms.CharField(label=_("Mã số thuế"), max_length=20, required=False)
    id_number = forms.CharField(label=_("Số định danh cá nhân"), max_length=12, required=False)
    phone = forms.CharField(label=_("Điện thoại"), max_length=20, required=False)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    address = forms.CharField(label=_("Địa chỉ"), max_length=255, required=False)
    country = forms.CharField(label=_("Quốc gia"), max_length=100, required=False)
    public_name = forms.BooleanField(
        label=_("Đồng ý công khai tên trên trang công khai"), required=False, initial=True
    )
    note = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ContactForm(StyledForm):
    name = forms.CharField(label=_("Người liên hệ"), max_length=150)
    position = forms.CharField(label=_("Chức vụ"), max_length=150, required=False)
    phone = forms.CharField(label=_("Điện thoại"), max_length=20, required=False)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)


class DonorFilterForm(StyledForm):
    q = forms.CharField(label=_("Tìm"), required=False)
    kind = forms.ChoiceField(
        label=_("Loại"), choices=[("", _("Mọi loại")), *DonorKind.choices], required=False
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Tên, mã số thuế hoặc điện thoại")


class DonationForm(StyledForm):
    """The quick entry form: the fields an old PC's keyboard reaches in a few presses."""

    # An id with the open funds as options: a fund closed meanwhile gets the service's message.
    fund = forms.IntegerField(label=_("Quỹ, cuộc vận động"), widget=forms.Select)
    donor = forms.IntegerField(required=False, widget=forms.HiddenInput)
    donor_query = forms.CharField(label=_("Nhà hảo tâm"), required=False)
    new_donor_kind = forms.ChoiceField(
        label=_("Hoặc nhà hảo tâm mới: loại"),
        choices=[("", "—"), *[c for c in DonorKind.choices if c[0] != DonorKind.ANONYMOUS]],
        required=False,
    )
    new_donor_name = forms.CharField(label=_("Tên nhà hảo tâm mới"), max_length=255, required=False)
    anonymous = forms.BooleanField(label=_("Ẩn danh khi công khai"), required=False)
    method = forms.ChoiceField(
        label=_("Hình thức"), choices=DonationMethod.choices, initial=DonationMethod.CASH
    )
    amount = MoneyField(
        label=_("Số tiền / giá trị quy đổi (đồng)"), empty_amount=None, required=False
    )
    received_on = forms.DateField(label=_("Ngày nhận"), widget=DATE)
    earmark_kind = forms.ChoiceField(
        label=_("Chỉ định"), choices=EarmarkKind.choices, required=False
    )
    earmark_campaign = forms.TypedChoiceField(
        label=_("Phong trào được chỉ định"), coerce=int, required=False, empty_value=None
    )
    earmark_unit = forms.TypedChoiceField(
        label=_("Địa bàn được chỉ định"), coerce=int, required=False, empty_value=None
    )
    earmark_beneficiary = forms.IntegerField(required=False, widget=forms.HiddenInput)
    valued_by = forms.CharField(label=_("Người định giá"), max_length=255, required=False)
    items = forms.CharField(required=False, widget=forms.HiddenInput)
    pledge = forms.TypedChoiceField(
        label=_("Thực hiện cam kết"), coerce=int, required=False, empty_value=None
    )
    note = forms.CharField(label=_("Lời nhắn, ghi chú"), max_length=255, required=False)
    receipt_number = forms.IntegerField(
        label=_("Số giấy xác nhận (quyển giấy, nếu có)"),
        required=False,
        min_value=1,
        max_value=2_000_000_000,
    )

    def __init__(
        self,
        *args: Any,
        funds: list[tuple[int, str]],
        campaigns: list[tuple[int, str]],
        units: list[tuple[int, str]],
        pledges: list[tuple[int, str]],
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.fields["fund"].widget.choices = funds  # type: ignore[attr-defined]
        self.fields["earmark_campaign"].choices = [("", "—"), *campaigns]  # type: ignore[attr-defined]
        self.fields["earmark_unit"].choices = [("", "—"), *units]  # type: ignore[attr-defined]
        self.fields["pledge"].choices = [("", _("Không")), *pledges]  # type: ignore[attr-defined]
        self.fields["amount"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        self.fields["donor_query"].widget.attrs.update(
            {"placeholder": _("Gõ tên, mã số thuế hoặc điện thoại để tìm"), "autocomplete": "off"}
        )
        self.item_rows = self._item_rows()
        self.item_values: list[dict[str, Any]] = []

    def _item_rows(self) -> list[dict[str, str]]:
        data = self.data if self.is_bound else {}
        rows = []
        for n in range(ITEM_ROWS):
            rows.append(
                {
                    "n": str(n),
                    "description": data.get(f"item-{n}-description", ""),
                    "measure": data.get(f"item-{n}-measure", ""),
                    "quantity": data.get(f"item-{n}-quantity", ""),
                    "unit_value": data.get(f"item-{n}-unit_value", ""),
                }
            )
        return rows

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        values: list[dict[str, Any]] = []
        for row in self.item_rows:
            if not any(
                row[k].strip() for k in ("description", "measure", "quantity", "unit_value")
            ):
                continue
            n = int(row["n"]) + 1
            try:
                quantity = int(row["quantity"].strip().replace(".", ""))
            except ValueError:
                self.add_error("items", _("Hàng thứ %(n)s: số lượng phải là số nguyên.") % {"n": n})
                continue
            try:
                unit_value = parse_vnd(row["unit_value"])
            except ValueError as exc:
                self.add_error("items", _("Hàng thứ %(n)s: %(e)s") % {"n": n, "e": exc})
                continue
            values.append(
                {
                    "description": row["description"],
                    "measure": row["measure"],
                    "quantity": quantity,
                    "unit_value": unit_value,
                }
            )
        self.item_values = values
        if "amount" in cleaned and cleaned["amount"] is None:
            in_kind = cleaned.get("method") == DonationMethod.IN_KIND
            if in_kind and values and not self.errors.get("items"):
                # The value of goods is the sum of the rows when not typed.
                cleaned["amount"] = sum(v["quantity"] * v["unit_value"] for v in values)
            else:
                self.add_error("amount", _("Chưa nhập số tiền."))
        return cleaned


class DonationFilterForm(StyledForm):
    fund = forms.TypedChoiceField(label=_("Quỹ"), coerce=int, required=False, empty_value=None)
    date_from = forms.DateField(label=_("Từ ngày"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("Đến ngày"), required=False, widget=DATE)
    method = forms.ChoiceField(
        label=_("Hình thức"),
        choices=[("", pgettext_lazy("donation method", "Mọi hình thức")), *DonationMethod.choices],
        required=False,
    )
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        choices=[("", _("Mọi trạng thái")), *DonationStatus.choices],
        required=False,
    )
    q = forms.CharField(label=_("Nhà hảo tâm"), required=False)

    def __init__(self, *args: Any, funds: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["fund"].choices = [("", _("Mọi quỹ")), *funds]  # type: ignore[attr-defined]
        self.fields["q"].widget.attrs["placeholder"] = _("Tên nhà hảo tâm hoặc mã tham chiếu")


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("Lý do"), max_length=255)


class ReceiptIssueForm(StyledForm):
    number = forms.IntegerField(
        label=_("Số theo quyển giấy xác nhận (để trống: số tiếp theo)"),
        required=False,
        min_value=1,
        max_value=2_000_000_000,
    )


class PledgeForm(StyledForm):
    donor = forms.IntegerField(widget=forms.HiddenInput)
    donor_query = forms.CharField(label=_("Nhà hảo tâm"), required=False)
    fund = forms.TypedChoiceField(label=_("Quỹ, cuộc vận động"), coerce=int)
    amount = MoneyField(label=_("Tổng số cam kết (đồng)"), empty_amount=None)
    pledged_on = forms.DateField(label=_("Ngày cam kết"), widget=DATE)
    earmark_kind = forms.ChoiceField(
        label=_("Chỉ định"), choices=EarmarkKind.choices, required=False
    )
    earmark_campaign = forms.TypedChoiceField(
        label=_("Phong trào được chỉ định"), coerce=int, required=False, empty_value=None
    )
    earmark_unit = forms.TypedChoiceField(
        label=_("Địa bàn được chỉ định"), coerce=int, required=False, empty_value=None
    )
    earmark_beneficiary = forms.IntegerField(required=False, widget=forms.HiddenInput)
    schedule = forms.ChoiceField(
        label=_("Các đợt"),
        choices=[("equal", _("Chia đều hằng tháng")), ("rows", _("Tự nhập từng đợt"))],
        initial="equal",
    )
    count = forms.IntegerField(label=_("Số đợt"), min_value=1, max_value=120, initial=1)
    first_due = forms.DateField(label=_("Hạn đợt đầu"), required=False, widget=DATE)
    instalments = forms.CharField(required=False, widget=forms.HiddenInput)
    note = forms.CharField(label=_("Ghi chú"), max_length=255, required=False)

    def __init__(
        self,
        *args: Any,
        funds: list[tuple[int, str]],
        campaigns: list[tuple[int, str]],
        units: list[tuple[int, str]],
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.fields["fund"].choices = funds  # type: ignore[attr-defined]
        self.fields["earmark_campaign"].choices = [("", "—"), *campaigns]  # type: ignore[attr-defined]
        self.fields["earmark_unit"].choices = [("", "—"), *units]  # type: ignore[attr-defined]
        self.fields["donor_query"].widget.attrs.update(
            {"placeholder": _("Gõ tên để tìm nhà hảo tâm"), "autocomplete": "off"}
        )
        data = self.data if self.is_bound else {}
        self.instalment_rows = [
            {
                "n": str(n),
                "due_on": data.get(f"inst-{n}-due_on", ""),
                "amount": data.get(f"inst-{n}-amount", ""),
            }
            for n in range(INSTALMENT_ROWS)
        ]
        self.instalment_values: list[tuple[dt.date, int]] = []

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("schedule") != "rows":
            if cleaned.get("schedule") == "equal" and not cleaned.get("first_due"):
                cleaned["first_due"] = cleaned.get("pledged_on")
            return cleaned
        values: list[tuple[dt.date, int]] = []
        for row in self.instalment_rows:
            if not (row["due_on"].strip() or row["amount"].strip()):
                continue
            n = int(row["n"]) + 1
            day = _parse_day(row["due_on"])
            if day is None:
                self.add_error(
                    "instalments",
                    _("Đợt %(n)s: hạn phải có dạng ngày/tháng/năm.") % {"n": n},
                )
                continue
            try:
                amount = parse_vnd(row["amount"])
            except ValueError as exc:
                self.add_error("instalments", _("Đợt %(n)s: %(e)s") % {"n": n, "e": exc})
                continue
            values.append((day, amount))
        if not values and not self.errors.get("instalments"):
            self.add_error("instalments", _("Hãy nhập ít nhất một đợt."))
        self.instalment_values = values
        return cleaned


def _parse_day(text: str) -> dt.date | None:
    """A day typed dd/mm/yyyy (or yyyy-mm-dd), else None."""
    try:
        day = forms.DateField().clean(text.strip())
    except forms.ValidationError:
        return None
    return day if isinstance(day, dt.date) else None


class PledgeFilterForm(StyledForm):
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        choices=[("", _("Mọi trạng thái")), *PledgeStatus.choices],
        required=False,
    )
    due_within = forms.IntegerField(
        label=_("Có đợt đến hạn trong (ngày)"), required=False, min_value=0, max_value=3660
    )
