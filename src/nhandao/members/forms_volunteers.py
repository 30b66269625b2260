"""Forms of the volunteers', teams', staff, applications' and public pages: binding only; the
checking lives in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nhandao.core.forms import DATE, StyledForm
from nhandao.people.models import Sex

from .models import ApplicationKind, Employment, StaffBasis, VolunteerKind

# The person registry's own choices (Chưa rõ / Nam / Nữ), as on every form of a person.
SEX_CHOICES = Sex.choices
ACTIVE_CHOICES = [
    ("", _("Tất cả")),
    ("yes", _("Tích cực")),
    ("no", _("Chưa đạt tiêu chí")),
    ("none", _("Chưa có tiêu chí")),
]


class VolunteerFilterForm(StyledForm):
    q = forms.CharField(label=_("Tìm"), required=False)
    kind = forms.ChoiceField(
        label=_("Loại"), choices=[("", _("Tất cả")), *VolunteerKind.choices], required=False
    )
    skill = forms.ChoiceField(label=_("Kỹ năng"), required=False)
    team = forms.TypedChoiceField(label=_("Đội"), coerce=int, required=False, empty_value=None)
    active = forms.ChoiceField(label=_("Tích cực"), choices=ACTIVE_CHOICES, required=False)

    def __init__(
        self, *args: Any, skills: list[tuple[str, str]], teams: list[tuple[int, str]], **kw: Any
    ):
        super().__init__(*args, **kw)
        self.fields["skill"].choices = [("", _("Mọi kỹ năng")), *skills]  # type: ignore[attr-defined]
        self.fields["team"].choices = [("", _("Mọi đội")), *teams]  # type: ignore[attr-defined]


class PersonFields(StyledForm):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    birth = forms.CharField(
        label=_("Ngày sinh"), max_length=10, help_text=_("dd/mm/yyyy hoặc năm sinh")
    )
    sex = forms.ChoiceField(label=_("Giới tính"), choices=SEX_CHOICES, required=False)
    id_number = forms.CharField(label=_("Số CCCD"), max_length=20, required=False)
    phone = forms.CharField(label=_("Điện thoại"), max_length=20, required=False)
    address_detail = forms.CharField(label=_("Địa chỉ"), max_length=255, required=False)


class VolunteerForm(PersonFields):
    kind = forms.ChoiceField(label=_("Loại"), choices=VolunteerKind.choices)
    joined_on = forms.DateField(label=_("Ngày tham gia"), widget=DATE, required=False)
    skills = forms.MultipleChoiceField(
        label=_("Kỹ năng"), widget=forms.CheckboxSelectMultiple, required=False
    )
    availability = forms.CharField(
        label=_("Thời gian có thể tham gia"), max_length=255, required=False
    )
    rank = forms.CharField(label=_("Hạng"), max_length=60, required=False)
    existing = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, skills: list[tuple[str, str]], **kw: Any):
        super().__init__(*args, **kw)
        self.fields["skills"].choices = skills  # type: ignore[attr-defined]


class VolunteerEditForm(StyledForm):
    kind = forms.ChoiceField(label=_("Loại"), choices=VolunteerKind.choices)
    skills = forms.MultipleChoiceField(
        label=_("Kỹ năng"), widget=forms.CheckboxSelectMultiple, required=False
    )
    availability = forms.CharField(
        label=_("Thời gian có thể tham gia"), max_length=255, required=False
    )
    rank = forms.CharField(label=_("Hạng"), max_length=60, required=False)

    def __init__(self, *args: Any, skills: list[tuple[str, str]], **kw: Any):
        super().__init__(*args, **kw)
        self.fields["skills"].choices = skills  # type: ignore[attr-defined]


class HoursForm(StyledForm):
    served_on = forms.DateField(label=_("Ngày"), widget=DATE)
    hours = forms.CharField(label=_("Số giờ"), max_length=6)
    activity = forms.CharField(label=_("Hoạt động"), max_length=255)
    campaign = forms.TypedChoiceField(
        label=_("Phong trào"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, campaigns: list[tuple[int, str]], **kw: Any):
        super().__init__(*args, **kw)
        self.fields["campaign"].choices = [("", _("Không thuộc phong trào")), *campaigns]  # type: ignore[attr-defined]


class TeamAddForm(StyledForm):
    team = forms.TypedChoiceField(label=_("Đội"), coerce=int)
    role = forms.CharField(label=_("Vai trò trong đội"), max_length=60, required=False)
    joined_on = forms.DateField(label=_("Ngày vào đội"), widget=DATE, required=False)

    def __init__(self, *args: Any, teams: list[tuple[int, str]], **kw: Any):
        super().__init__(*args, **kw)
        self.fields["team"].choices = teams  # type: ignore[attr-defined]


class TeamMemberAddForm(StyledForm):
    volunteer = forms.IntegerField(label=_("Mã tình nguyện viên"), min_value=1)
    role = forms.CharField(label=_("Vai trò trong đội"), max_length=60, required=False)


class RuleForm(StyledForm):
    min_hours = forms.CharField(label=_("Số giờ tối thiểu"), max_length=8)
    period_months = forms.IntegerField(
        label=_("Trong số tháng gần nhất"), min_value=1, max_value=36, initial=3
    )


class StaffForm(PersonFields):
    position = forms.CharField(label=_("Chức vụ"), max_length=120)
    employment = forms.ChoiceField(label=_("Chế độ"), choices=Employment.choices)
    basis = forms.ChoiceField(
        label=pgettext_lazy("staff appointment", "Hình thức"), choices=StaffBasis.choices
    )
    term = forms.CharField(
        label=_("Nhiệm kỳ"), max_length=20, required=False, help_text=_("ví dụ 2026–2031")
    )
    term_from = forms.DateField(label=_("Từ ngày"), widget=DATE, required=False)
    term_to = forms.DateField(label=_("Đến ngày"), widget=DATE, required=False)
    education = forms.CharField(label=_("Trình độ chuyên môn"), max_length=120, required=False)
    political_theory = forms.CharField(label=_("Lý luận chính trị"), max_length=60, required=False)
    state_management = forms.CharField(label=_("Quản lý nhà nước"), max_length=60, required=False)
    insurance_no = forms.CharField(label=_("Số sổ bảo hiểm xã hội"), max_length=20, required=False)
    salary_grade = forms.CharField(label=_("Ngạch, bậc lương"), max_length=40, required=False)


class ConfirmForm(forms.Form):
    same_person = forms.IntegerField(required=False, min_value=1)


class PublicForm(forms.Form):
    """The public form: plain text, length-limited; the honeypot ``website`` must stay empty and
    ``started`` carries the signed time the form was drawn."""

    kind = forms.ChoiceField(
        label=_("Tôi muốn đăng ký làm"), choices=ApplicationKind.choices, widget=forms.RadioSelect
    )
    unit_q = forms.CharField(label=_("Đơn vị muốn tham gia"), max_length=100, required=False)
    unit = forms.IntegerField(required=False, widget=forms.HiddenInput)
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    birth = forms.CharField(label=_("Ngày sinh"), max_length=10, help_text=_("dd/mm/yyyy"))
    sex = forms.ChoiceField(label=_("Giới tính"), choices=SEX_CHOICES, required=False)
    phone = forms.CharField(label=_("Điện thoại"), max_length=15)
    email = forms.CharField(label=_("Thư điện tử"), max_length=254, required=False)
    address_detail = forms.CharField(label=_("Địa chỉ"), max_length=255, required=False)
    skills = forms.MultipleChoiceField(
        label=_("Kỹ năng"), widget=forms.CheckboxSelectMultiple, required=False
    )
    message = forms.CharField(
        label=_("Lời nhắn"), max_length=1000, required=False, widget=forms.Textarea({"rows": 3})
    )
    website = forms.CharField(required=False, max_length=200)
    started = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def __init__(self, *args: Any, skills: list[tuple[str, str]], **kw: Any):
        super().__init__(*args, **kw)
        self.fields["skills"].choices = skills  # type: ignore[attr-defined]
        for name, f in self.fields.items():
            if name in ("kind", "skills", "website", "started", "unit"):
                continue
            css = "form-select" if isinstance(f.widget, forms.Select) else "form-control"
            f.widget.attrs.setdefault("class", css)
