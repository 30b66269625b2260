"""The ORM paths test_core.py does not cover: bulk updates, a related manager's delete,
update_or_create and refresh-then-save all refuse to change an entry; no page or API path edits
or deletes one."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import NoReverseMatch, reverse

from nhandao.core.errors import ApplicationError
from nhandao.funds.models import Entry

pytestmark = pytest.mark.django_db


def test_bulk_and_related_paths_cannot_change_entries(appeal, give):
    give(appeal, 100_000)
    entry = Entry.objects.get()
    entry.description = "Sửa lén"
    with pytest.raises(ApplicationError), transaction.atomic():
        Entry.objects.bulk_update([entry], ["description"])
    with pytest.raises(ApplicationError), transaction.atomic():
        entry.pocket.entries.all().delete()
    with pytest.raises(ApplicationError), transaction.atomic():
        Entry.objects.update_or_create(pk=entry.pk, defaults={"amount": 5})
    with pytest.raises(ApplicationError), transaction.atomic():
        appeal.pockets.get().entries.update(amount=7)
    assert Entry.objects.get().description.startswith("Nhận ủng hộ")
    assert Entry.objects.get().amount == 100_000


def test_no_page_edits_or_deletes_an_entry():
    for name in ("entry_edit", "entry_delete", "entry_update"):
        with pytest.raises(NoReverseMatch):
            reverse(name, kwargs={"pk": 1})
