"""Demo funds data for the Hà Nội chapter: donors of every kind, a flood appeal with its own
(clearly fake) account and about thirty donations with their receipts (cash, transfer, one in
kind, one anonymous, one earmarked to a commune, one to a humanitarian address), a pledge with
instalments, allocations to Hoàn Kiếm, a Tết spending linked to the demo distribution, two
sponsors linked to Hoàn Kiếm addresses with their fulfilments, and one dynamic-QR request.

Everything goes through the services and the ledger, dated from the day the demo is loaded.
Idempotent: the appeal's code marks a demo already loaded, and all is written in one transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from nhandao.orgs.models import Unit, User

from . import services, spending
from . import sponsorships as sp
from .ledger import Earmark
from .models import Fund

APPEAL_CODE = "DEMOLULUT"
APPEAL_ACCOUNT = "DEMO0000000001"  # not a real account: the demo's QR codes lead nowhere

# (kind, name, extra fields)
DONORS: list[tuple[str, str, dict[str, Any]]] = [
    ("organisation", "Hội Liên hiệp Phụ nữ phường Hoàn Kiếm", {"phone": "02438250000"}),
    ("organisation", "Công đoàn Sở Y tế Hà Nội", {}),
    ("business", "Công ty Cổ phần Dược phẩm Sông Hồng", {"tax_code": "0100000001"}),
    ("business", "Công ty TNHH Xây dựng Minh Long", {"tax_code": "0100000002"}),
    ("business", "Công ty TNHH Thực phẩm Hà Thành", {"tax_code": "0101234567"}),
    ("individual", "Nguyễn Văn An", {"email": "nguyenvanan@example.com"}),
    ("individual", "Trần Thị Bích Ngọc", {"email": "bichngoc@example.com"}),
    ("individual", "Lê Hoàng Nam", {"public_name": False}),
    ("foreign", "Quỹ Hữu nghị Sakura (Nhật Bản)", {"country": "Nhật Bản"}),
    ("anonymous", "", {}),
]

# (donor index or None, name when no donor, method, amount, days ago, note, earmark)
APPEAL_GIFTS: list[tuple[int | None, str, str, int, int, str, str]] = [
    (0, "", "cash", 15_000_000, 19, "Hội viên phụ nữ quyên góp", ""),
    (1, "", "transfer", 25_000_000, 18, "Cán bộ, công chức ủng hộ một ngày lương", ""),
    (2, "", "transfer", 100_000_000, 18, "Chung tay cùng bà con vùng lũ", ""),
    (3, "", "transfer", 50_000_000, 17, "", ""),
    (4, "", "transfer", 30_000_000, 16, "", ""),
    (5, "", "cash", 2_000_000, 16, "", ""),
    (6, "", "transfer", 5_000_000, 15, "Thương gửi bà con", ""),
    (7, "", "cash", 1_000_000, 15, "", ""),
    (8, "", "transfer", 120_000_000, 14, "From Sakura Friendship Fund", ""),
    (9, "", "cash", 500_000, 14, "", ""),
    (None, "Lớp 11A2 Trường THPT Trần Phú", "cash", 3_200_000, 13, "Tiền tiết kiệm của lớp", ""),
    (None, "Gia đình ông Phạm Văn Tuấn", "cash", 2_000_000, 13, "", ""),
    (None, "Tập thể Tổ dân phố số 1", "cash", 4_500_000, 12, "", ""),
    (None, "Chùa Quán Sứ", "transfer", 20_000_000, 12, "", ""),
    (None, "Bà Đỗ Thị Mai", "cash", 300_000, 11, "", ""),
    (None, "Ông Hoàng Văn Thái", "transfer", 1_500_000, 11, "", ""),
    (None, "Cán bộ Ngân hàng Nhà nước chi nhánh Hà Nội", "transfer", 18_000_000, 10, "", ""),
    (None, "Câu lạc bộ Dưỡng sinh Hồ Gươm", "cash", 2_700_000, 9, "", ""),
    (None, "Nhóm thiện nguyện Áo Xanh", "transfer", 6_800_000, 8, "", ""),
    (None, "Anh Vũ Minh Đức", "transfer", 1_000_000, 7, "", ""),
    (None, "Chị Ngô Thu Trang", "transfer", 500_000, 6, "", ""),
    (None, "Hộ kinh doanh Bánh cuốn Thanh Vân", "cash", 1_200_000, 5, "", ""),
    (None, "Trường Tiểu học Tràng An", "cash", 8_400_000, 4, "Học sinh góp tiền nuôi lợn đất", ""),
    (None, "Ông Bùi Quang Huy", "transfer", 10_000_000, 3, "", ""),
    (None, "Bà Lý Thị Hoa", "cash", 200_000, 2, "", ""),
    (None, "Nhà hảo tâm", "cash", 5_000_000, 2, "Xin giấu tên", ""),  # anonymous
    (6, "", "transfer", 10_000_000, 1, "Cho bà con phường Hoàn Kiếm", "area"),
]
IN_KIND = [
    ("Gạo tẻ (bao 25 kg)", "bao", 40, 350_000),
    ("Nước uống (thùng 24 chai)", "thùng", 100, 90_000),
]


def _donors(actor: Any, unit: Unit) -> list[Any]:
    made = []
    for kind, name, extra in DONORS:
        made.append(
            services.donor_create(
                actor=actor,
                unit=unit,
                data=services.DonorData(kind=kind, name=name, **extra),
            )
        )
    return made


def _give(actor: Any, unit: Unit, fund: Fund, today: dt.date, **fields: Any) -> Any:
    days = fields.pop("days", 0)
    return services.donation_record(
        actor=actor,
        unit=unit,
        data=services.DonationData(
            fund=fund, received_on=today - dt.timedelta(days=days), **fields
        ),
    )


def _appeal(actor: Any, hanoi: Unit, today: dt.date) -> Fund:
    return services.appeal_create(
        actor=actor,
        unit=hanoi,
        data=services.AppealData(
            name=f"Ủng hộ đồng bào bị thiệt hại do mưa lũ năm {today.year} (dữ liệu mẫu)",
            code=APPEAL_CODE,
            opens_on=today - dt.timedelta(days=20),
            bank_name="Ngân hàng mẫu - tài khoản thử nghiệm, không chuyển tiền thật",
            bank_bin="970436",
            account_no=APPEAL_ACCOUNT,
            account_name="HOI CHU THAP DO TP HA NOI (DU LIEU MAU)",
            purpose=(
                "Hỗ trợ các hộ bị sập, tốc mái nhà và mất tài sản do mưa lũ; quà thiết yếu cho "
                "các hộ phải sơ tán."
            ),
        ),
    )


def _appeal_gifts(
    actor: Any, hanoi: Unit, hoan_kiem: Unit, fund: Fund, donors: list[Any], today: dt.date
) -> None:
    for index, name, method, amount, days, note, earmark in APPEAL_GIFTS:
        anonymous = name == "Nhà hảo tâm"
        _give(
            actor,
            hanoi,
            fund,
            today,
            amount=amount,
            method=method,
            donor=donors[index] if index is not None else None,
            donor_name=name,
            anonymous=True if anonymous else None,
            note=note,
            days=days,
            earmark=Earmark(kind="area", unit_id=hoan_kiem.pk) if earmark == "area" else Earmark(),
        )
    _give(
        actor,
        hanoi,
        fund,
        today,
        amount=sum(q * v for _n, _m, q, v in IN_KIND),
        method="in_kind",
        donor=donors[4],
        items=[services.ItemData(n, m, q, v) for n, m, q, v in IN_KIND],
        valued_by="Hội đồng định giá Hội Chữ thập đỏ thành phố",
        note="Hàng cứu trợ chuyển thẳng tới điểm sơ tán",
        days=9,
    )


def _pledge(actor: Any, hanoi: Unit, fund: Fund, donor: Any, today: dt.date) -> None:
    try:
        from . import pledges
    except ImportError:  # the pledges module arrives with the donations pages
        return
    pledges.pledge_create(
        actor=actor,
        unit=hanoi,
        data=pledges.PledgeData(
            donor=donor,
            fund=fund,
            amount=60_000_000,
            pledged_on=today - dt.timedelta(days=15),
            note="Cam kết ủng hộ thêm trong ba tháng",
            count=3,
            first_due=today + dt.timedelta(days=5),
        ),
    )


def _payment_request(fund: Fund) -> None:
    try:
        from nhandao.portal import services as portal
    except ImportError:  # the public site arrives with the portal
        return
    portal.payment_request_create(
        fund=fund,
        data=portal.GiveData(
            amount=300_000,
            donor_name="Phạm Minh Khoa",
            email="minhkhoa@example.com",
            note="Chia sẻ với bà con vùng lũ",
        ),
    )


def _money(actor: Any, hanoi: Unit, hoan_kiem: Unit, appeal: Fund, today: dt.date) -> Fund:
    """Allocations to Hoàn Kiếm and a Tết spending linked to the demo distribution."""
    spending.allocation_make(
        actor=actor,
        fund=appeal,
        from_unit=hanoi,
        to_unit=hoan_kiem,
        amount=40_000_000,
        posted_on=today,
        description="Phân bổ cho phường Hoàn Kiếm hỗ trợ các hộ bị ngập",
    )
    activity = services.fund_activity_for(hanoi)
    for name, amount, days in [
        ("Công ty TNHH Thực phẩm Hà Thành", 30_000_000, 25),
        ("Hội viên Chi hội Tổ dân phố số 2", 3_500_000, 22),
    ]:
        _give(
            actor, hanoi, activity, today, amount=amount, method="cash", donor_name=name, days=days
        )
    spending.allocation_make(
        actor=actor,
        fund=activity,
        from_unit=hanoi,
        to_unit=hoan_kiem,
        amount=20_000_000,
        posted_on=today,
        description="Phân bổ quà Tết Nhân ái cho phường Hoàn Kiếm",
    )
    from nhandao.aid.models import Distribution

    distribution = Distribution.objects.filter(unit=hoan_kiem).order_by("id").first()
    if distribution is not None:
        spending.spend(
            actor=actor,
            fund=activity,
            unit=hoan_kiem,
            amount=10_000_000,
            posted_on=today,
            description="Mua quà Tết Nhân ái (20 suất × 500.000 đ)",
            distribution=distribution,
        )
    return activity


def _sponsorships(
    actor: Any, clerk: Any, hanoi: Unit, activity: Fund, donors: list[Any], today: dt.date
) -> None:
    from nhandao.beneficiaries import services as beneficiaries
    from nhandao.beneficiaries.models import Beneficiary

    def address(ref: str) -> Any:
        return Beneficiary.objects.filter(person__source_ref=ref).select_related("unit").first()

    ill, elderly = address("HK-2025-005"), address("HK-2025-001")
    if ill is not None:
        # A business pays a monthly allowance; one month is overdue (the page shows it).
        start = today - dt.timedelta(days=100)
        s = sp.sponsorship_create(
            actor=actor,
            data=sp.SponsorshipData(
                donor=donors[2],
                beneficiary=ill,
                commitment="Hỗ trợ tiền thuốc điều trị hằng tháng",
                amount=1_000_000,
                frequency="monthly",
                starts_on=start,
                ends_on=start + dt.timedelta(days=365),
                note="Chuyển qua Hội Chữ thập đỏ phường",
            ),
        )
        gift = _give(
            actor,
            hanoi,
            activity,
            today,
            amount=1_000_000,
            method="transfer",
            donor=donors[2],
            note="Tiền thuốc tháng thứ hai",
            earmark=Earmark(kind="beneficiary", beneficiary_id=ill.pk),
            days=60,
        )
        sp.fulfilment_record(
            actor=actor,
            sponsorship=s,
            given_on=start + dt.timedelta(days=3),
            amount=1_000_000,
            description="Tiền thuốc tháng thứ nhất",
        )
        sp.fulfilment_record(
            actor=actor,
            sponsorship=s,
            given_on=today - dt.timedelta(days=58),
            amount=1_000_000,
            description="Tiền thuốc tháng thứ hai",
            donation=gift,
        )
    if elderly is not None:
        # A person visits a lonely elder every quarter; the elder agreed to be named.
        if clerk is not None:
            beneficiaries.consent_record(
                actor=clerk,
                beneficiary=elderly,
                purpose="Cho nhà tài trợ gắn kết theo dõi hoàn cảnh",
                given_on=today - dt.timedelta(days=160),
                method="paper",
            )
        start = today - dt.timedelta(days=150)
        s = sp.sponsorship_create(
            actor=actor,
            data=sp.SponsorshipData(
                donor=donors[6],
                beneficiary=elderly,
                commitment="Thăm hỏi, tặng quà và tiền chợ cho cụ hằng quý",
                amount=1_500_000,
                frequency="quarterly",
                starts_on=start,
            ),
        )
        for days, text in (
            (148, "Gạo, sữa và tiền chợ quý I"),
            (55, "Chăn ấm, thuốc bổ và tiền chợ quý II"),
        ):
            sp.fulfilment_record(
                actor=actor,
                sponsorship=s,
                given_on=today - dt.timedelta(days=days),
                amount=1_500_000,
                description=text,
            )


@transaction.atomic
def demo_seed() -> int:
    hanoi = Unit.objects.filter(short_code="P01").first()
    hoan_kiem = Unit.objects.filter(short_code="W00070").first()
    officer = User.objects.filter(username="hanoi.canbo").first()
    clerk = User.objects.filter(username="hoankiem.nhaplieu").first()
    if hanoi is None or hoan_kiem is None or officer is None:
        return 0
    if Fund.objects.filter(code=APPEAL_CODE).exists():
        return 0
    today = timezone.localdate()
    donors = _donors(officer, hanoi)
    appeal = _appeal(officer, hanoi, today)
    _appeal_gifts(officer, hanoi, hoan_kiem, appeal, donors, today)
    _pledge(officer, hanoi, appeal, donors[3], today)
    activity = _money(officer, hanoi, hoan_kiem, appeal, today)
    _sponsorships(officer, clerk, hanoi, activity, donors, today)
    _payment_request(appeal)
    return 1
