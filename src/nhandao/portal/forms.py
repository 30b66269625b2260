"""Forms of the public site: the donations search and the dynamic-QR request."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nhandao.core.money import parse_vnd


class AmountField(forms.CharField):
    """Whole đồng typed as "500.000", "500000" or "500.000 đ"."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.widget.attrs.update({"maxlength": "30", "inputmode": "numeric"})

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            amount = parse_vnd(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        if amount <= 0:
            raise forms.ValidationError(_("Số tiền phải lớn hơn 0 đồng."))
        return amount


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Tên người ủng hộ"),
        required=False,
        max_length=60,
        help_text=_("Phần đầu của tên, có dấu hoặc không dấu."),
    )
    amount = AmountField(label=_("Số tiền"), required=False)
    day = forms.DateField(label=_("Ngày nhận"), required=False, input_formats=["%d/%m/%Y"])
    cursor = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )


class GiveForm(forms.Form):
    donor_name = forms.CharField(label=_("Họ tên hoặc tên đơn vị"), required=False, max_length=120)
    anonymous = forms.BooleanField(
        label=_("Ẩn danh: công khai là «Nhà hảo tâm», không hiện tên"), required=False
    )
    amount = AmountField(label=_("Số tiền ủng hộ (đồng)"), help_text=_("Ví dụ: 500.000"))
    email = forms.EmailField(
        label=_("Thư điện tử (không bắt buộc, không công khai)"), required=False, max_length=254
    )
    note = forms.CharField(
        label=_("Lời nhắn (sẽ được công khai cùng khoản ủng hộ)"), required=False, max_length=200
    )
    # Left empty by people; bots fill every field.
    website = forms.CharField(required=False, max_length=200)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("anonymous") and not (data.get("donor_name") or "").strip():
            self.add_error(
                "donor_name",
                _("Xin nhập họ tên, hoặc chọn «Ẩn danh» nếu không muốn công khai tên."),
            )
        return data
