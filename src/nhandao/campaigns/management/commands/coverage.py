"""`manage.py coverage --campaign ID --unit CODE [--out uncovered.csv]`: per sub-unit, the eligible
households, those reached and those still without a gift; the CSV lists the latter."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from nhandao.campaigns import selectors
from nhandao.orgs.selectors import unit_get

from ._common import acting_user, add_user_argument, unit_by_code

PAGE = 5_000


class Command(BaseCommand):
    help = "Độ phủ của phong trào theo từng đơn vị trực thuộc; ghi danh sách hộ chưa nhận ra CSV."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--campaign", type=int, required=True, help="Mã số phong trào")
        parser.add_argument("--unit", required=True, help="Mã đơn vị, ví dụ P01")
        parser.add_argument("--out", default="", help="Tệp CSV danh sách hộ chưa nhận")
        add_user_argument(parser)

    def handle(self, *args: Any, **o: Any) -> None:
        code_unit = unit_by_code(o["unit"])
        actor = acting_user(o["user"], code_unit)
        try:
            campaign = selectors.campaign_get(user=actor, pk=o["campaign"])
            unit = unit_get(user=actor, pk=code_unit.pk)
        except Http404 as exc:
            raise CommandError(
                "Không có phong trào hoặc đơn vị này trong phạm vi của người thực hiện."
            ) from exc
        cov = selectors.coverage(campaign=campaign, unit=unit)
        self.stdout.write(f"{campaign.name} · {unit.name}")
        self.stdout.write("Đơn vị\tĐủ điều kiện\tĐã nhận\tChưa nhận\tTỷ lệ")
        for r in cov.rows:
            self.stdout.write(
                f"{r.unit.name}\t{r.eligible}\t{r.covered}\t{r.uncovered}\t{r.percent:.1f}%"
            )
        self.stdout.write(
            f"Cộng\t{cov.eligible}\t{cov.covered}\t{cov.uncovered}\t{cov.percent:.1f}%"
        )
        if o["out"]:
            path = Path(o["out"])
            written = self._write(path, campaign, unit)
            self.stdout.write(f"Đã ghi {written} hộ chưa nhận vào {path.resolve()}")

    @staticmethod
    def _write(path: Path, campaign: Any, unit: Any) -> int:
        written = 0
        with path.open("w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                ["stt", "person_id", "household_id", "ho_ten", "nam_sinh", "dia_chi", "don_vi"]
            )
            offset = 0
            while True:
                page = selectors.uncovered_list(
                    campaign=campaign, unit=unit, limit=PAGE, offset=offset
                )
                for p in page.people:
                    written += 1
                    address = ", ".join(
                        x for x in (p.address_detail, p.ward.name if p.ward else "") if x
                    )
                    writer.writerow(
                        [
                            written,
                            p.pk,
                            p.household_id or "",
                            _text(p.full_name),
                            p.birth_display,
                            _text(address),
                            p.unit.name,
                        ]
                    )
                offset += PAGE
                if offset >= page.total or not page.people:
                    break
        return written


def _text(value: str) -> str:
    """A cell that a spreadsheet would read as a formula stays text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
