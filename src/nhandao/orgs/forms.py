"""Forms only bind and type-check input; the rules live in services and rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nhandao.core.forms import StyledForm

from .models import Role, Unit, UnitCategory, UnitKind
from .rules import NAME_MAX

DATE_WIDGET = forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}, format="%d/%m/%Y")


class UnitForm(StyledForm):
    name = forms.CharField(label=_("Tên đơn vị"), max_length=NAME_MAX + 50)
    kind = forms.ChoiceField(label=_("Cấp/loại"), choices=UnitKind.choices)
    category = forms.ChoiceField(
        label=_("Lĩnh vực/nơi sinh hoạt"), choices=UnitCategory.choices, required=False
    )
    short_code = forms.CharField(label=_("Mã đơn vị"), max_length=40, required=False)
    address = forms.CharField(label=_("Địa chỉ"), max_length=255, required=False)
    phone = forms.CharField(label=_("Điện thoại"), max_length=20, required=False)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    active_from = forms.DateField(label=_("Hoạt động từ"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args: Any, kinds: list[str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if kinds is not None:
            self.fields["kind"].choices = [  # type: ignore[attr-defined]
                c for c in UnitKind.choices if c[0] in kinds
            ]


class UnitEditForm(UnitForm):
    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        del self.fields["kind"]


class UnitMoveForm(StyledForm):
    new_parent = forms.ModelChoiceField(
        label=_("Chuyển về trực thuộc"), queryset=Unit.objects.none()
    )

    def __init__(self, *args: Any, targets: list[Unit], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["new_parent"]
        field.queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            pk__in=[t.pk for t in targets]
        ).order_by("depth", "sort_key")


class UnitDeactivateForm(StyledForm):
    end_date = forms.DateField(label=_("Ngày ngừng hoạt động"), widget=DATE_WIDGET)
    reason = forms.CharField(
        label=_("Lý do"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class UnitMergeForm(StyledForm):
    sources = forms.ModelMultipleChoiceField(
        label=_("Các đơn vị hợp nhất vào đơn vị này"),
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    merge_date = forms.DateField(label=_("Ngày hợp nhất"), widget=DATE_WIDGET)
    new_name = forms.CharField(
        label=_("Tên mới sau hợp nhất (nếu đổi)"), max_length=NAME_MAX + 50, required=False
    )

    def __init__(self, *args: Any, candidates: list[Unit], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["sources"]
        field.queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            pk__in=[c.pk for c in candidates]
        ).order_by("sort_key")


class UserCreateForm(StyledForm):
    username = forms.CharField(label=_("Tên đăng nhập"), max_length=150)
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    phone = forms.CharField(label=_("Điện thoại"), max_length=20, required=False)
    password = forms.CharField(
        label=_("Mật khẩu ban đầu"), widget=forms.PasswordInput, max_length=128
    )
    role = forms.ModelChoiceField(label=_("Vai trò"), queryset=Role.objects.none())

    def __init__(self, *args: Any, roles: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = roles  # type: ignore[attr-defined]


class AssignmentForm(StyledForm):
    username = forms.CharField(label=_("Tên đăng nhập của người dùng đã có"), max_length=150)
    role = forms.ModelChoiceField(label=_("Vai trò"), queryset=Role.objects.none())

    def __init__(self, *args: Any, roles: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = roles  # type: ignore[attr-defined]


class TokenForm(StyledForm):
    name = forms.CharField(label=_("Tên khóa"), max_length=100)
    assignment = forms.TypedChoiceField(label=_("Hoạt động với vai trò"), coerce=int)

    def __init__(self, *args: Any, assignments: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["assignment"].choices = [(a.pk, str(a)) for a in assignments]  # type: ignore[attr-defined]


class AuditFilterForm(StyledForm):
    """The audit trail's filters: who, what, which kind of record, between which days."""

    actor = forms.CharField(label=_("Người thực hiện"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("Thao tác"), required=False)
    object_type = forms.ChoiceField(label=_("Loại hồ sơ"), required=False)
    date_from = forms.DateField(label=_("Từ ngày"), required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("Đến ngày"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args: Any, object_types: list[tuple[str, str]], **kwargs: Any):
        from nhandao.core.models import AuditEvent

        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "—"), *AuditEvent.Action.choices]  # type: ignore[attr-defined]
        self.fields["object_type"].choices = [("", "—"), *object_types]  # type: ignore[attr-defined]
