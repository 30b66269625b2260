"""Reads of the public site that ``nhandao.funds.public`` does not offer (yet): the newest gifts
by the day they were received, the years whose statement has something to say, and what a fund
spent when no aid record tells who received it.

They follow the same rules as ``funds.public``: figures and public names only (an anonymous
donor is "Nhà hảo tâm" and their note is never shown), and anything that sums the ledger is
cached under a key that changes with every movement of the fund.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from nhandao.funds import public
from nhandao.funds.models import Donation, DonationStatus, Entry, EntryKind, Fund

SPENT_LINES_SHOWN = 100


def latest_donations(fund: Fund, size: int) -> list[public.PublicDonation]:
    """The fund's ``size`` newest recorded gifts by the day received (then the order they were
    entered): a gift entered late under an earlier day takes its place by that day. One range of
    the portal's ``(fund, received_on, id)`` index read backwards."""
    anonymous_name = pgettext("anonymous donor", "Nhà hảo tâm")
    rows = (
        Donation.objects.filter(fund=fund, status=DonationStatus.RECORDED)
        .order_by("-received_on", "-id")
        .values_list("id", "received_on", "donor_name", "anonymous", "amount", "note")[:size]
    )
    return [
        public.PublicDonation(
            id=pk,
            received_on=day,
            name=anonymous_name if anonymous else name,
            amount=amount,
            note=public.public_note(note, anonymous) if note else "",
        )
        for pk, day, name, anonymous, amount, note in rows
    ]


def statement_years(fund: Fund, state: str | None = None) -> list[int]:
    """The years (newest first) among ``funds.public.statement_years`` whose statement is not
    empty: the fund's ledger moved that year, or it carried a balance into it. A fund opened in
    2011 whose first movement is in 2026 lists 2026 only."""
    allowed = public.statement_years(fund)
    if not allowed:
        return []
    key = f"portal:years:{allowed[0]}:" + (state or public.state_key(fund))
    found: list[int] | None = cache.get(key)
    if found is not None:
        return found
    per_year = {
        int(y): int(s or 0)
        for y, n, s in Entry.objects.filter(fund=fund)
        .annotate(y=ExtractYear("posted_on"))
        .values("y")
        .annotate(n=Count("id"), s=Sum("amount"))
        .values_list("y", "n", "s")
        .order_by()
        if n
    }
    found = []
    for year in sorted(allowed):
        carried = sum(s for y, s in per_year.items() if y < year)
        if year in per_year or carried:
            found.append(year)
    found.reverse()
    cache.set(key, found, public.FIGURES_TTL)
    return found


@dataclass(frozen=True)
class SpentLine:
    label: str  # the distribution's title, or "other spending"
    held_on: dt.date | None
    amount: int


def spent_lines(fund: Fund, state: str | None = None) -> list[SpentLine]:
    """What the fund spent (disbursements not reversed) by distribution, its title and day, the
    rest as one "other spending" line: the same grouping as the yearly statement, never the
    entries' free-text descriptions (they may name a recipient who did not consent)."""
    key = "portal:spent:" + (state or public.spending_state(fund))
    found: list[SpentLine] | None = cache.get(key)
    if found is not None:
        return found
    rows = (
        Entry.objects.filter(fund=fund, kind=EntryKind.DISBURSEMENT, reversed_by__isnull=True)
        .values("distribution_id", "distribution__title", "distribution__held_on")
        .annotate(s=Sum("amount"))
        .order_by("-distribution__held_on", "distribution_id")
    )
    lines: list[SpentLine] = []
    other = 0
    for row in rows:
        amount = -int(row["s"] or 0)
        if row["distribution_id"] is None:
            other += amount
        elif amount:
            lines.append(
                SpentLine(row["distribution__title"], row["distribution__held_on"], amount)
            )
    lines = lines[:SPENT_LINES_SHOWN]
    if other:
        lines.append(SpentLine(str(_("Chi khác (không gắn đợt trao)")), None, other))
    cache.set(key, lines, public.GIVEN_TTL)
    return lines


__all__ = ["SpentLine", "latest_donations", "spent_lines", "statement_years"]
