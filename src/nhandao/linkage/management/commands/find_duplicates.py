"""`manage.py find_duplicates --unit UNIT_CODE --out pairs.csv`."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from nhandao.linkage.evidence import evidence_text
from nhandao.linkage.models import CandidatePair, LinkageRun
from nhandao.linkage.services import linkage_run_execute
from nhandao.orgs.models import Unit


class Command(BaseCommand):
    help = "Tìm hồ sơ trùng trong phạm vi một đơn vị; ghi mỗi cặp nghi trùng thành một dòng CSV."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--unit", required=True, help="Mã đơn vị, ví dụ TW, P01, W00070")
        parser.add_argument("--out", required=True, help="Tệp CSV kết quả")

    def handle(self, *args: Any, **options: Any) -> None:
        unit = Unit.objects.filter(short_code=options["unit"].upper()).first()
        if unit is None:
            raise CommandError(f"Không có đơn vị mã «{options['unit']}».")
        run = linkage_run_execute(run_id=LinkageRun.objects.create(unit=unit).pk)
        pairs = (
            CandidatePair.objects.filter(unit__path__startswith=unit.path, status="open")
            .select_related("a", "b")
            .order_by("-score")
        )
        path = Path(options["out"])
        with path.open("w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                [
                    "person_a",
                    "person_b",
                    "ref_a",
                    "ref_b",
                    "name_a",
                    "name_b",
                    "probability",
                    "evidence",
                ]
            )
            for p in pairs.iterator():
                writer.writerow(
                    [
                        p.a_id,
                        p.b_id,
                        p.a.source_ref,
                        p.b.source_ref,
                        p.a.full_name,
                        p.b.full_name,
                        f"{p.score:.4f}",
                        evidence_text(p.reasons),
                    ]
                )
        self.stdout.write(
            f"So sánh {run.records} hồ sơ: {run.pairs_found} cặp hồ sơ và {run.households_found} "
            "cặp hộ mới nghi trùng; "
            f"đã ghi {pairs.count()} cặp chờ quyết định vào {path.resolve()}"
        )
