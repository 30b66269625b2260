"""Indexes behind the public list of donations (/cong-khai/<code>/danh-sach/).

The list shows a fund's recorded donations newest first, 50 at a time by keyset (``id <``), and
searches them by the start of the donor's name (diacritics and case ignored), by amount and by
day. At a million donations for one appeal each search must stay an index range scan:

* ``portal_donation_name`` (PostgreSQL): ``(fund_id, nhandao_fold(donor_name) COLLATE "C",
  id)`` over recorded, non-anonymous donations (an anonymous donor is never searchable by
  name): a name search is a range of this index (``>= prefix AND < prefix's successor``) read
  in its order (name key, then id), so it stops after a page whatever the number of matches.
  ``nhandao_fold`` is an immutable SQL function (one ``translate`` with ``portal.folding``'s
  table) created here; SQLite gets the same function per connection (``PortalConfig.ready``)
  and no index on it, so an SQLite installation's name search reads the fund's rows (fine at a
  commune's or province's volume);
* ``portal_donation_amount`` and ``portal_donation_day``: ``(fund_id, amount, id)`` and
  ``(fund_id, received_on, id)`` over recorded donations, on both databases.

They are declared here rather than in ``Donation.Meta.indexes`` because the first needs a
PostgreSQL function and operator class, and all three serve the public site only.
"""

from __future__ import annotations

from django.db import migrations

from nhandao.portal.folding import FOLD_FROM, FOLD_TO, SQL_FUNCTION

RECORDED = "status = 'recorded'"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def create(apps, schema_editor):  # noqa: ANN001, ANN201
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS portal_donation_amount "
            f"ON funds_donation (fund_id, amount, id) WHERE {RECORDED}"
        )
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS portal_donation_day "
            f"ON funds_donation (fund_id, received_on, id) WHERE {RECORDED}"
        )
        if connection.vendor != "postgresql":
            return
        cursor.execute(
            f"CREATE OR REPLACE FUNCTION {SQL_FUNCTION}(text) RETURNS text "
            "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE "
            f"AS $$ SELECT translate($1, {_quote(FOLD_FROM)}, {_quote(FOLD_TO)}) $$"
        )
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS portal_donation_name ON funds_donation "
            f'(fund_id, {SQL_FUNCTION}(donor_name) COLLATE "C", id) '
            f"WHERE {RECORDED} AND NOT anonymous"
        )


def drop(apps, schema_editor):  # noqa: ANN001, ANN201
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for name in ("portal_donation_name", "portal_donation_amount", "portal_donation_day"):
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP FUNCTION IF EXISTS {SQL_FUNCTION}(text)")


class Migration(migrations.Migration):
    dependencies = [
        ("funds", "0003_donor_pairs_payment_requests"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
