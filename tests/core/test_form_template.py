"""The shared form layout: a hidden field has no label (the volunteer form showed "Existing"
above its button), a single checkbox sits beside its label, a list of boxes in its frame."""

from __future__ import annotations

from django import forms
from django.template.loader import render_to_string

from nhandao.core.forms import StyledForm


class _Form(StyledForm):
    existing = forms.CharField(widget=forms.HiddenInput, required=False, label="Existing")
    name = forms.CharField(label="Họ và tên")
    permanent = forms.BooleanField(label="Hoãn vĩnh viễn", required=False)
    skills = forms.MultipleChoiceField(
        label="Kỹ năng",
        choices=[("swim", "Bơi"), ("aid", "Sơ cấp cứu")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


def test_the_form_layout():
    html = render_to_string("_form.html", {"form": _Form(initial={"existing": "7"})})
    assert "Existing" not in html and 'type="hidden" name="existing" value="7"' in html
    assert '<label class="form-label" for="id_name">Họ và tên *</label>' in html
    assert (
        'class="form-check-input"' in html and 'class="form-check-label" for="id_permanent"' in html
    )
    assert html.count('class="border rounded p-2"') == 1  # the list of boxes only
