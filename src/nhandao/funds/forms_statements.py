"""Forms of the statements pages: upload (layout, optional column mapping), the mapping step,
the queue's filters and actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nhandao.core.forms import DATE, MoneyField, StyledForm

from . import bank_layouts as layouts
from .models import MatchStatus

MAX_UPLOAD = 100 * 1024 * 1024


class UploadForm(StyledForm):
    file = forms.FileField(label=_("Tệp sao kê (.xlsx hoặc .csv)"))
    layout = forms.ChoiceField(
        label=_("Mẫu sao kê"), choices=layouts.LAYOUT_CHOICES, initial=layouts.AUTO
    )
    header_row = forms.IntegerField(
        label=_("Dòng tiêu đề (để trống: tự tìm)"), required=False, min_value=1, max_value=1000
    )
    mapping = forms.CharField(
        label=_("Ghép cột (tùy chọn), ví dụ: date=A,credit=E,description=C"),
        required=False,
        max_length=500,
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(
                _("Tệp «%(name)s» lớn quá 100 MB; hãy tách sao kê theo tháng."),
                params={"name": upload.name},
            )
        return upload


class MappingForm(StyledForm):
    """The column of each field, chosen under the file's first rows."""

    header_row = forms.IntegerField(
        label=_("Dòng tiêu đề (để trống nếu tệp không có)"),
        required=False,
        min_value=1,
        max_value=1000,
    )

    def __init__(self, *args: Any, columns: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        choices = [("", _("(không có)")), *columns]
        for name, label in layouts.FIELDS.items():
            self.fields[name] = forms.ChoiceField(label=label, choices=choices, required=False)
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"

    def mapping(self) -> dict[str, str]:
        return {
            name: self.cleaned_data[name] for name in layouts.FIELDS if self.cleaned_data.get(name)
        }


STATUS_CHOICES = [("", _("Mọi trạng thái")), *MatchStatus.choices]


class QueueFilterForm(StyledForm):
    status = forms.ChoiceField(
        label=_("Trạng thái"), choices=STATUS_CHOICES, required=False, initial="unmatched"
    )
    q = forms.CharField(label=_("Nội dung, người chuyển, mã"), required=False, max_length=100)
    date_from = forms.DateField(label=_("Từ ngày"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("Đến ngày"), required=False, widget=DATE)
    amount = MoneyField(label=_("Số tiền"), required=False, empty_amount=None)


class RecordForm(StyledForm):
    donor_name = forms.CharField(label=_("Tên người ủng hộ"), required=False, max_length=255)
    donor = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    anonymous = forms.BooleanField(label=_("Ẩn danh khi công khai"), required=False)


class IgnoreForm(StyledForm):
    reason = forms.CharField(label=_("Lý do"), max_length=255)
