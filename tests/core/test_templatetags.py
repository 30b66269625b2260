from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.template import Context, Engine

from nhandao.core.dates import PartialDate, Precision
from nhandao.core.templatetags.vn import amount_words, phone, vnd, vndate

ENGINE = Engine(libraries={"vn": "nhandao.core.templatetags.vn"})


def render(source: str, **context: object) -> str:
    return ENGINE.from_string("{% load vn %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (1500000, "1.500.000 đ"),
        (-250000, "-250.000 đ"),
        (0, "0 đ"),
        (Decimal("1500000"), "1.500.000 đ"),
        (Decimal("1500000.00"), "1.500.000 đ"),
        (None, ""),
        ("", ""),
        (Decimal("1.5"), Decimal("1.5")),
        ("abc", "abc"),
        (True, True),
    ],
)
def test_vnd(value: object, shown: object) -> None:
    assert vnd(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (date(1960, 3, 5), "05/03/1960"),
        (datetime(2026, 2, 16, 17, 30, tzinfo=UTC), "17/02/2026"),
        (PartialDate(date(1960, 3, 1), Precision.MONTH), "03/1960"),
        (None, ""),
        ("05/03/1960", "05/03/1960"),
    ],
)
def test_vndate(value: object, shown: object) -> None:
    assert vndate(value) == shown


def test_vndate_passes_naive_datetime_through() -> None:
    naive = datetime(2026, 2, 17, 0, 30)  # noqa: DTZ001
    assert vndate(naive) is naive


@pytest.mark.parametrize(
    ("value", "dialect", "shown"),
    [
        (1500000, "north", "Một triệu năm trăm nghìn đồng"),
        (105, "north", "Một trăm linh năm đồng"),
        (105, "south", "Một trăm lẻ năm đồng"),
        (Decimal("21"), "north", "Hai mươi mốt đồng"),
        (-5, "north", -5),
        (105, "central", 105),
        (None, "north", ""),
    ],
)
def test_amount_words(value: object, dialect: str, shown: object) -> None:
    assert amount_words(value, dialect) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("0912345678", "0912 345 678"),
        ("+84 912 345 678", "0912 345 678"),
        ("02438251234", "024 3825 1234"),
        ("12345", "12345"),
        ("gọi chị Lan", "gọi chị Lan"),
        (None, ""),
        (912345678, 912345678),
    ],
)
def test_phone(value: object, shown: object) -> None:
    assert phone(value) == shown


def test_filters_in_a_template() -> None:
    html = render(
        "{{ total|vnd }} | {{ total|amount_words }} | {{ total|amount_words:'south' }}"
        " | {{ day|vndate }} | {{ tel|phone }} | {{ bad|phone }}",
        total=1_000_105,
        day=date(2027, 2, 6),
        tel="84912345678",
        bad="<b>x</b>",
    )
    assert html == (
        "1.000.105 đ | Một triệu một trăm linh năm đồng | Một triệu một trăm lẻ năm đồng"
        " | 06/02/2027 | 0912 345 678 | &lt;b&gt;x&lt;/b&gt;"
    )


def test_pager_keeps_every_filter_when_paging(rf):
    from django.template import Context, Template

    request = rf.get("/x/", {"q": "an", "status": "active", "page": "2"})
    html = Template("{% load vn %}{% page_url 3 %}").render(Context({"request": request}))
    assert html == "?q=an&amp;status=active&amp;page=3"
