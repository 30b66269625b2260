"""Form base: gives every widget its Bootstrap class so templates stay one loop."""

from __future__ import annotations

from typing import Any

from django import forms

from .money import parse_vnd

# A date typed the Vietnamese way (dd/mm/yyyy); every form's date fields use it.
DATE = forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}, format="%d/%m/%Y")


class MoneyField(forms.CharField):
    """Whole đồng as typed ("1.500.000", "500000", "500.000 đ"); a bad amount says why, in
    Vietnamese. An empty field gives ``empty_amount`` (0 unless the form needs "not given")."""

    def __init__(self, *args: Any, empty_amount: int | None = 0, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.empty_amount = empty_amount

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if text in self.empty_values:
            return self.empty_amount
        try:
            return parse_vnd(str(text))
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


class StyledForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                continue
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)


def show_error(form: forms.Form, exc: Any) -> None:
    """A service's refusal (``ApplicationError``) on the form: on its field when the form has
    it, else above the form; a check that found several fields wrong (``extra["errors"]``, as
    ``people.services.person_check`` gives) marks each of them at once."""
    errors = exc.extra.get("errors") or {exc.field: exc.message}
    for field, message in errors.items():
        form.add_error(field if field in form.fields else None, message)
