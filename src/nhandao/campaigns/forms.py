"""Forms of the campaign pages: binding only; the checking lives in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nhandao.core.areas import ActivityArea
from nhandao.core.forms import DATE, MoneyField, StyledForm

from .models import CampaignKind, CampaignStatus, GiftRule, Metric

ANY = [("", _("Tất cả"))]


class FilterForm(StyledForm):
    kind = forms.ChoiceField(label=_("Loại"), required=False, choices=ANY + CampaignKind.choices)
    status = forms.ChoiceField(
        label=_("Trạng thái"), required=False, choices=ANY + CampaignStatus.choices
    )
    year = forms.IntegerField(label=_("Năm"), required=False, min_value=1900, max_value=2200)


class CampaignForm(StyledForm):
    kind = forms.ChoiceField(label=_("Loại phong trào"), choices=CampaignKind.choices)
    lunar_year = forms.IntegerField(
        label=_("Năm âm lịch (Tết Nhân ái)"), required=False, min_value=1900, max_value=2199
    )
    year = forms.IntegerField(label=_("Năm"), required=False, min_value=1900, max_value=2200)
    name = forms.CharField(
        label=_("Tên phong trào"),
        max_length=255,
        required=False,
        help_text=_("Để trống để điền tự động theo loại và năm."),
    )
    theme = forms.CharField(label=_("Chủ đề"), max_length=255, required=False)
    area = forms.ChoiceField(
        label=_("Lĩnh vực hoạt động"), choices=[("", "—"), *ActivityArea.choices], required=False
    )
    starts_on = forms.DateField(label=_("Từ ngày"), required=False, widget=DATE)
    ends_on = forms.DateField(label=_("Đến ngày"), required=False, widget=DATE)
    peak_from = forms.DateField(label=_("Cao điểm từ"), required=False, widget=DATE)
    peak_to = forms.DateField(label=_("Cao điểm đến"), required=False, widget=DATE)
    groups = forms.MultipleChoiceField(
        label=_("Đối tượng"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    gift_rule = forms.ChoiceField(
        label=_("Quy tắc trao"), choices=GiftRule.choices, initial=GiftRule.HOUSEHOLD
    )
    min_gift_value = MoneyField(
        empty_amount=None,
        label=_("Giá trị tối thiểu mỗi suất (đồng)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "500.000"}),
    )
    description = forms.CharField(
        label=_("Mô tả"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, groups: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["groups"].choices = groups  # type: ignore[attr-defined]


class SplitForm(StyledForm):
    metric = forms.ChoiceField(label=pgettext_lazy("metric", "Chỉ tiêu"), choices=Metric.choices)
    group = forms.ChoiceField(label=_("Đối tượng"), required=False)
    total = MoneyField(
        empty_amount=None,
        label=_("Tổng chỉ tiêu"),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={"required": _("Chưa nhập tổng chỉ tiêu cần chia.")},
    )

    def __init__(self, *args: Any, groups: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", _("Mọi đối tượng")), *groups]  # type: ignore[attr-defined]


class ExampleForm(StyledForm):
    title = forms.CharField(label=_("Tên gương, mô hình"), max_length=255)
    who = forms.CharField(label=_("Tập thể, cá nhân"), max_length=255, required=False)
    description = forms.CharField(
        label=_("Nội dung"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
