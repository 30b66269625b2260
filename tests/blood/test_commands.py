from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from nhandao.blood.models import BloodDonation, BloodDonor


def test_import_donors_then_their_history(tree, people, tmp_path):
    tree.hoan_kiem.short_code = "HK01"
    tree.hoan_kiem.save(update_fields=["short_code"])
    donors = tmp_path / "nguoi-hien.csv"
    donors.write_text(
        "STT,Họ và tên,Năm sinh,Giới tính,Số CCCD,Nhóm máu\n"
        "1,Nguyễn Văn An,1990,Nam,001090012345,O+\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command(
        "import_blood",
        str(donors),
        "--unit",
        "hk01",
        "--kind",
        "donors",
        "--user",
        "hn_officer",
        "--errors",
        str(tmp_path / "kq1.xlsx"),
        stdout=out,
    )
    assert "đã ghi 1" in out.getvalue() and "kq1.xlsx" in out.getvalue()
    assert BloodDonor.objects.get().blood_group == "O+"
    day = (timezone.localdate() - dt.timedelta(days=90)).strftime("%d/%m/%Y")
    history = tmp_path / "lich-su.csv"
    history.write_text(
        f"STT,Số CCCD,Ngày hiến,Loại,Thể tích\n1,001090012345,{day},Toàn phần,350\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command(
        "import_blood",
        str(history),
        "--unit",
        "HK01",
        "--kind",
        "donations",
        "--user",
        "hn_officer",
        "--errors",
        str(tmp_path / "kq2.xlsx"),
        stdout=out,
    )
    assert "đã ghi 1" in out.getvalue()
    assert BloodDonation.objects.get().volume_ml == 350
    assert BloodDonor.objects.get().donation_count == 1


def test_kind_is_required(tree, people, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("Họ và tên\nA\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_blood", str(path), "--unit", "TW", "--kind", "people")
