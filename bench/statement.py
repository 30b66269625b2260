"""Importing and reconciling a bank statement: 500,000 lines against 500,000 donations, end to end.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/nhandao_bench_statement
    python -m bench.statement                     # 500,000 lines against 500,000 donations
    python -m bench.statement --quick --force     # 5,000 lines and donations, what CI runs
    python -m bench.statement --xlsx 50000        # … and an .xlsx of 50,000 lines (2nd appeal)

Builds its own data in the database named by ``DATABASE_URL``, which it flushes (without it, a
SQLite file of its own in the temporary directory; never the development database, and never a
database holding data no bench created unless ``--force``): a bench root and one province chapter,
an officer, an appeal with its own account, and ``--n`` transfer donations written directly (COPY
on PostgreSQL) with their receipt entries, the pocket balance and the fund's running figures kept
consistent with the entries (checked after the run with ``ledger.pockets_mismatched``).

The statement (VietinBank's layout, CSV in UTF-8 with BOM, the account number on top, ``--n``
credit lines) is made of: 80 % lines carrying a donation's reference code in the transfer note,
10 % lines of a donation without its code (same amount, the day or the day after, the donor's name
in capitals without diacritics as the counterparty, one in five with a typo), and 10 % credits of
nobody in the database; the last 10 % of the donations have no line and stay as look-alikes.

Timed: ``statements.statement_import_timed``, what the page, the API, the command and the job run
(read, dedupe, match, insert, and the commit, where PostgreSQL runs the deferred foreign-key
checks of the new lines; total wall time), then the same file again (everything a duplicate).
Prints seconds per step, lines/s, matched counts by kind and their correctness against the
generator's truth. Target from the issue: under 60 s at 500,000.
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import _people_db as db

TARGET_S = 60.0
DEFAULT_N = 500_000
QUICK_N = 5_000
ACCOUNT = "0011009998887"
ACCOUNT_XLSX = "0011009998888"
CODE = "BENCHST"

FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Đinh",
    "Lâm",
    "Trịnh",
    "Mai",
]
MIDDLE = [
    "Văn",
    "Thị",
    "Hữu",
    "Đức",
    "Minh",
    "Ngọc",
    "Thanh",
    "Quốc",
    "Xuân",
    "Thu",
    "Kim",
    "Hồng",
    "Gia",
    "Bảo",
    "Phương",
    "Anh",
    "Đình",
    "Công",
]
GIVEN = [
    "An",
    "Bình",
    "Châu",
    "Cường",
    "Dũng",
    "Duy",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hiền",
    "Hiếu",
    "Hoa",
    "Hòa",
    "Hùng",
    "Hương",
    "Huy",
    "Khang",
    "Khánh",
    "Khoa",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Minh",
    "My",
    "Nam",
    "Nga",
    "Ngân",
    "Nghĩa",
    "Nhung",
    "Oanh",
    "Phát",
    "Phong",
    "Phúc",
    "Phương",
    "Quân",
    "Quang",
    "Quyên",
    "Sơn",
    "Tâm",
    "Tân",
    "Thảo",
    "Thắng",
    "Thành",
    "Thúy",
    "Tiến",
    "Toàn",
    "Trang",
    "Trí",
    "Trung",
    "Tú",
    "Tuấn",
    "Tùng",
    "Uyên",
    "Vân",
    "Việt",
    "Vinh",
    "Xuân",
    "Yến",
    "Ánh",
    "Bảo",
    "Đạt",
    "Điệp",
    "Đông",
    "Hậu",
    "Hằng",
    "Kiên",
    "Lộc",
    "Luân",
    "Mạnh",
    "Nhân",
    "Ninh",
    "Tài",
]
COMMON_AMOUNTS = (
    50_000,
    100_000,
    200_000,
    300_000,
    500_000,
    1_000_000,
    2_000_000,
    5_000_000,
    10_000_000,
    150_000,
    250_000,
    20_000_000,
)
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
DAYS = 60


def reference(i: int) -> str:
    digits = []
    for _ in range(7):
        i, rest = divmod(i, len(ALPHABET))
        digits.append(ALPHABET[rest])
    return "UH" + "".join(reversed(digits))


def shout(name: str) -> str:
    """The name as a bank prints the counterparty: capitals, no diacritics."""
    from nhandao.core.text import fold

    return fold(name).upper()


def typo(text: str, rng: random.Random) -> str:
    """One letter of the longest word dropped."""
    words = text.split()
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[longest]
    if len(word) > 3:
        cut = rng.randrange(1, len(word) - 1)
        words[longest] = word[:cut] + word[cut + 1 :]
    return " ".join(words)


class Plan:
    """The generated donations and statement, with the truth of each line."""

    def __init__(self, n: int, seed: int, today: dt.date, first_id: int):
        rng = random.Random(seed)
        self.n = n
        self.start = today - dt.timedelta(days=DAYS)
        self.donations: list[tuple[int, str, str, int, dt.date]] = []  # id, ref, name, amount, day
        for i in range(n):
            name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            if rng.random() < 0.4:
                amount = rng.choice(COMMON_AMOUNTS)
            else:
                amount = rng.randrange(1, 500) * 10_000
            day = self.start + dt.timedelta(days=rng.randrange(DAYS))
            self.donations.append((first_id + i, reference(i + 1), name, amount, day))
        # Lines: 80 % by reference, 10 % by name, 10 % unknown; in date order as banks print.
        by_ref = int(n * 0.8)
        by_name = int(n * 0.1)
        rows: list[tuple[dt.date, int, str, str, str, str, int | None]] = []
        for i in range(by_ref + by_name):
            pk, ref, name, amount, day = self.donations[i]
            posted = min(day + dt.timedelta(days=rng.randrange(2)), today)
            who = shout(name)
            if i < by_ref:
                note = f"{CODE} {ref} {who} ung ho dong bao"
                rows.append((posted, amount, note, who, "ref", f"FT{i:012d}", pk))
            else:
                if rng.random() < 0.2:
                    who = typo(who, rng)
                note = f"{who} chuyen tien ung ho bao lu"
                rows.append((posted, amount, note, who, "name", f"FT{i:012d}", pk))
        for i in range(by_ref + by_name, n):
            posted = self.start + dt.timedelta(days=rng.randrange(DAYS))
            amount = rng.randrange(1, 3000) * 1_000 + 7
            who = f"CONG TY TNHH {rng.choice(GIVEN).upper()} {i}"
            rows.append(
                (posted, amount, "THANH TOAN HOP DONG", shout(who), "none", f"FT{i:012d}", None)
            )
        rows.sort(key=lambda r: r[0])
        self.rows = rows


def write_csv(plan: Plan, path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["VIETINBANK - LỊCH SỬ GIAO DỊCH"])
        w.writerow([f"Số tài khoản: {ACCOUNT}"])
        w.writerow(["Tên tài khoản: HOI CHU THAP DO (BENCH)"])
        w.writerow([])
        w.writerow(
            [
                "STT",
                "Ngày giao dịch",
                "Nội dung chi tiết",
                "Ghi nợ",
                "Ghi có",
                "Số dư",
                "Tên đối ứng",
                "Tài khoản đối ứng",
                "Số giao dịch",
            ]
        )
        for n, (day, amount, note, who, _kind, ref, _pk) in enumerate(plan.rows, start=1):
            money = f"{amount:,}".replace(",", ".")
            w.writerow([n, day.strftime("%d/%m/%Y"), note, "", money, "", who, "", ref])


def write_xlsx(plan: Plan, path: Path, count: int, account: str) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Lich su giao dich")
    sheet.write_row(0, 0, ["VIETINBANK - LỊCH SỬ GIAO DỊCH"])
    sheet.write_row(1, 0, [f"Số tài khoản: {account}"])
    header = ["STT", "Ngày giao dịch", "Nội dung chi tiết", "Ghi nợ", "Ghi có", "Số dư"]
    sheet.write_row(3, 0, [*header, "Tên đối ứng", "Tài khoản đối ứng", "Số giao dịch"])
    for n, (day, amount, note, who, _kind, ref, _pk) in enumerate(plan.rows[:count], start=1):
        sheet.write_row(
            3 + n, 0, [n, day.strftime("%d/%m/%Y"), note, None, amount, None, who, None, ref]
        )
    book.close()


def build(n: int, seed: int) -> tuple[Any, Any, Plan, float]:
    """The tree, the officer, the appeal and ``n`` donations with consistent ledger figures."""
    from django.db import connection
    from django.db.models import Max
    from django.utils import timezone

    from nhandao.funds import services
    from nhandao.funds.models import Donation, Entry, Fund, Pocket
    from nhandao.imports.sql import bulk_load, is_pg
    from nhandao.orgs import services as orgs
    from nhandao.orgs.models import Unit, UnitKind

    start = time.perf_counter()
    root = orgs.unit_create_root(name="Trung ương Hội Chữ thập đỏ (bench)", short_code="BENCH-ST")
    province = orgs.unit_bulk_add_children(
        parent=root, units=[Unit(name="Hội Chữ thập đỏ thành phố Hà Nội", kind=UnitKind.PROVINCE)]
    )[0]
    province = Unit.objects.get(pk=province.pk)
    officer = db.make_user("statement", province.pk, "officer")
    today = timezone.localdate()
    fund = services.appeal_create(
        actor=officer,
        unit=province,
        data=services.AppealData(
            name="Ủng hộ đồng bào bị thiệt hại do bão (bench)",
            code=CODE,
            opens_on=today - dt.timedelta(days=DAYS + 5),
            bank_name="VietinBank",
            bank_bin="970415",
            account_no=ACCOUNT,
            account_name="HOI CHU THAP DO (BENCH)",
        ),
    )
    first_id = (Donation.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    plan = Plan(n, seed, today, first_id)
    now = timezone.now()
    pocket = services.ledger.pocket_for(fund, province)
    first_entry = (Entry.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    total = sum(d[3] for d in plan.donations)
    donation_cols = [
        "id",
        "earmark_kind",
        "unit_id",
        "fund_id",
        "donor_name",
        "anonymous",
        "method",
        "amount",
        "received_on",
        "reference",
        "note",
        "valued_by",
        "status",
        "reversed_reason",
        "recorded_by_id",
        "recorded_at",
    ]
    entry_cols = [
        "id",
        "pocket_id",
        "fund_id",
        "unit_id",
        "kind",
        "amount",
        "posted_on",
        "description",
        "donation_id",
        "reason",
        "created_by_id",
        "created_at",
    ]
    with connection.cursor() as cursor:
        bulk_load(
            cursor,
            "funds_donation",
            donation_cols,
            (
                (pk, "", province.pk, fund.pk, name, False, "transfer", amount, day, ref, "", "",
                 "recorded", "", officer.pk, now)
                for pk, ref, name, amount, day in plan.donations
            ),
        )  # fmt: skip
        bulk_load(
            cursor,
            "funds_entry",
            entry_cols,
            (
                (first_entry + i, pocket.pk, fund.pk, province.pk, "receipt", amount, day,
                 f"Nhận ủng hộ: {name}", pk, "", officer.pk, now)
                for i, (pk, _ref, name, amount, day) in enumerate(plan.donations)
            ),
        )  # fmt: skip
        if is_pg():
            for table in ("funds_donation", "funds_entry"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT MAX(id) FROM {table}))"
                )
    Pocket.objects.filter(pk=pocket.pk).update(balance=total)
    Fund.objects.filter(pk=fund.pk).update(donations_count=n, received_money=total)
    if is_pg():
        db.analyze()
    return officer, Fund.objects.get(pk=fund.pk), plan, time.perf_counter() - start


def check(plan: Plan, statement: Any) -> dict[str, Any]:
    """Matched counts by kind of line, and how many went to the right donation."""
    from nhandao.funds.models import StatementLine

    got = {
        ref: (status, donation, note)
        for ref, status, donation, note in StatementLine.objects.filter(
            statement=statement
        ).values_list("bank_ref", "status", "donation_id", "match_note")
    }
    out: dict[str, Any] = {}
    for kind in ("ref", "name", "none"):
        rows = [r for r in plan.rows if r[4] == kind]
        matched = [r for r in rows if got[r[5]][1] is not None]
        right = [r for r in matched if got[r[5]][1] == r[6]]
        out[kind] = {"lines": len(rows), "matched": len(matched), "right": len(right)}
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=DEFAULT_N, help="lines and donations")
    parser.add_argument("--xlsx", type=int, default=0, help="also an .xlsx of this many lines")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_N:,} lines")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--force", action="store_true", help="flush a database not the bench's")
    parser.add_argument("--profile", action="store_true", help="cProfile the timed import")
    args = parser.parse_args(argv)
    if args.quick:
        args.n = min(args.n, QUICK_N)
        args.xlsx = min(args.xlsx, QUICK_N)

    db.setup_django("statement")
    from django.db import connection

    from nhandao.funds import ledger, statements
    from nhandao.funds.models import StatementLine

    print(f"Building ({db.vendor()}): {args.n:,} donations…", flush=True)
    db.prepare_database("statement", args.force)
    officer, fund, plan, build_s = build(args.n, args.seed)
    work = Path(tempfile.mkdtemp(prefix="nhandao_bench_statement_"))
    path = work / "lich-su-giao-dich.csv"
    write_csv(plan, path)
    data = path.read_bytes()
    print(
        f"  built in {build_s:.1f} s; statement {path.name}: {len(plan.rows):,} lines, "
        f"{len(data) / 1e6:.1f} MB",
        flush=True,
    )
    connection.close()

    profile = None
    if args.profile:
        import cProfile

        profile = cProfile.Profile()
        profile.enable()
    start = time.perf_counter()
    result = statements.statement_import_timed(
        actor=officer, fund=fund, data=data, filename=path.name, layout="auto"
    )
    total_s = time.perf_counter() - start
    if profile is not None:
        import pstats

        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(35)
    statement = result.statement
    t = result.timings
    truth = check(plan, statement)
    again_start = time.perf_counter()
    again = statements.statement_import_timed(
        actor=officer, fund=fund, data=data, filename=path.name
    ).statement
    again_s = time.perf_counter() - again_start
    problems: list[str] = []
    if again.lines_new:
        problems.append(f"the second import added {again.lines_new} lines")
    if StatementLine.objects.filter(fund=fund).count() != len(plan.rows):
        problems.append("stored lines differ from the statement")
    wrong = sum(v["matched"] - v["right"] for v in truth.values())
    if wrong:
        problems.append(f"{wrong} lines matched to the wrong donation")
    if ledger.pockets_mismatched():
        problems.append("a pocket's balance differs from its entries")
    if truth["ref"]["right"] != truth["ref"]["lines"]:
        problems.append("a line with its reference code was not matched")

    xlsx: dict[str, Any] = {}
    if args.xlsx:
        # Into a second appeal (its own account): every line is new, none has a donation there.
        from nhandao.funds import services

        other = services.appeal_create(
            actor=officer,
            unit=fund.unit,
            data=services.AppealData(
                name="Cuộc vận động thứ hai (bench)",
                code=CODE + "X",
                opens_on=fund.opens_on,
                bank_bin="970415",
                account_no=ACCOUNT_XLSX,
            ),
        )
        xpath = work / "lich-su-giao-dich.xlsx"
        write_xlsx(plan, xpath, args.xlsx, ACCOUNT_XLSX)
        x_start = time.perf_counter()
        x_result = statements.statement_import_timed(
            actor=officer, fund=other, data=xpath.read_bytes(), filename=xpath.name
        )
        x_s = time.perf_counter() - x_start
        xlsx = {
            "lines": args.xlsx,
            "mb": round(xpath.stat().st_size / 1e6, 1),
            "total_s": round(x_s, 2),
            "read_s": round(x_result.timings["read"], 2),
            "new": x_result.statement.lines_new,
        }

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = os.getloadavg()
    rate = len(plan.rows) / total_s if total_s else 0.0
    print()
    print(f"Database: {db.vendor()}; {len(plan.rows):,} lines against {args.n:,} donations")
    print(
        f"read {t['read']:.1f} s · dedupe {t['dedupe']:.1f} s · match {t['match']:.1f} s · "
        f"insert {t['insert']:.1f} s · commit {t['commit']:.1f} s · total {total_s:.1f} s "
        f"({rate:,.0f} lines/s; "
        f"target < {TARGET_S:.0f} s)"
    )
    print(
        f"matched: by code {truth['ref']['right']:,}/{truth['ref']['lines']:,}, by amount + day "
        f"+ name {truth['name']['right']:,}/{truth['name']['lines']:,}, strangers "
        f"{truth['none']['matched']:,}/{truth['none']['lines']:,} (should be 0); "
        f"auto-matched {statement.matched_auto:,}"
    )
    print(f"second import of the same file: {again_s:.1f} s, {again.lines_duplicate:,} duplicates")
    if xlsx:
        print(f"xlsx: {xlsx['lines']:,} lines ({xlsx['mb']} MB) in {xlsx['total_s']} s")
    print(f"peak memory {peak_mb:,.0f} MB; load average {load[0]:.1f}")
    for p in problems:
        print("CHECK FAILED:", p)
    out: dict[str, Any] = {
        "bench": "statement",
        "db": db.vendor(),
        "lines": len(plan.rows),
        "donations": args.n,
        "read_s": round(t["read"], 2),
        "dedupe_s": round(t["dedupe"], 2),
        "match_s": round(t["match"], 2),
        "insert_s": round(t["insert"], 2),
        "commit_s": round(t["commit"], 2),
        "total_s": round(total_s, 2),
        "lines_per_s": round(rate),
        "matched_auto": statement.matched_auto,
        "by_code": truth["ref"],
        "by_name": truth["name"],
        "strangers": truth["none"],
        "reimport_s": round(again_s, 2),
        "reimport_duplicates": again.lines_duplicate,
        "xlsx": xlsx,
        "build_s": round(build_s, 1),
        "peak_mb": round(peak_mb),
        "load": round(load[0], 1),
        "target_s": TARGET_S,
        "ok": not problems and total_s < TARGET_S,
        "problems": problems,
    }
    import json

    print(json.dumps(out, ensure_ascii=False))
    if problems:
        sys.exit(1)
    return out


if __name__ == "__main__":
    main()
