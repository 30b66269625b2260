"""Forms of the training pages: binding only; checking lives in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nhandao.core.forms import DATE, StyledForm

from .models import Result, Topic


class PlanForm(StyledForm):
    year = forms.IntegerField(label=_("Năm"), min_value=1990, max_value=2100)
    title = forms.CharField(label=_("Tên kế hoạch"), max_length=255)
    note = forms.CharField(label=_("Nội dung"), required=False, widget=forms.Textarea({"rows": 3}))


class CourseForm(StyledForm):
    topic = forms.ChoiceField(label=_("Chủ đề"), choices=Topic.choices)
    title = forms.CharField(label=_("Tên lớp"), max_length=255)
    starts_on = forms.DateField(label=_("Từ ngày"), widget=DATE)
    ends_on = forms.DateField(label=_("Đến ngày"), widget=DATE)
    place = forms.CharField(label=_("Địa điểm"), max_length=255, required=False)
    trainers = forms.CharField(label=_("Giảng viên"), max_length=255, required=False)
    certificate_valid_months = forms.IntegerField(
        label=_("Chứng nhận có giá trị (tháng)"),
        min_value=0,
        max_value=240,
        required=False,
        help_text=_("Để trống: 24 tháng với lớp sơ cấp cứu, không hết hạn với lớp khác."),
    )
    plan = forms.TypedChoiceField(
        label=_("Thuộc kế hoạch"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, plans: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [("", _("Không thuộc kế hoạch")), *plans]  # type: ignore[attr-defined]


class RecordForm(StyledForm):
    attended_days = forms.IntegerField(label=_("Số buổi tham dự"), min_value=0, max_value=366)
    result = forms.ChoiceField(label=_("Kết quả"), choices=Result.choices, required=False)
    score = forms.DecimalField(
        label=_("Điểm"), max_digits=4, decimal_places=1, required=False, min_value=0, max_value=10
    )


class IssueForm(StyledForm):
    issued_on = forms.DateField(label=_("Ngày cấp"), widget=DATE)
    number = forms.CharField(
        label=_("Số chứng nhận"),
        max_length=40,
        required=False,
        help_text=_("Để trống để lấy số tiếp theo của đơn vị trong năm."),
    )


class ExpiringForm(StyledForm):
    days = forms.IntegerField(label=_("Hết hạn trong (ngày)"), min_value=1, max_value=3650)
    topic = forms.ChoiceField(
        label=_("Chủ đề"), choices=[("", _("Mọi chủ đề")), *Topic.choices], required=False
    )
