from datetime import date

import pytest

from nhandao.core.lunar import lunar_year_of, tet_campaign_title, tet_date, year_name


@pytest.mark.parametrize(
    ("lunar_year", "tet"),
    [
        (2024, date(2024, 2, 10)),
        (2025, date(2025, 1, 29)),
        (2026, date(2026, 2, 17)),
        (2027, date(2027, 2, 6)),
        (2000, date(2000, 2, 5)),
        (1975, date(1975, 2, 11)),
    ],
)
def test_tet_date(lunar_year: int, tet: date) -> None:
    assert tet_date(lunar_year) == tet


@pytest.mark.parametrize(
    ("lunar_year", "vietnamese", "chinese"),
    [
        # UTC+7 against UTC+8: the new moon falls on either side of midnight.
        (1985, date(1985, 1, 21), date(1985, 2, 20)),
        (2007, date(2007, 2, 17), date(2007, 2, 18)),
        (2030, date(2030, 2, 2), date(2030, 2, 3)),
    ],
)
def test_tet_follows_vietnamese_not_chinese_calendar(
    lunar_year: int, vietnamese: date, chinese: date
) -> None:
    assert tet_date(lunar_year) == vietnamese
    assert tet_date(lunar_year) != chinese


@pytest.mark.parametrize(
    ("lunar_year", "name"),
    [
        (2024, "Giáp Thìn"),
        (2025, "Ất Tỵ"),
        (2026, "Bính Ngọ"),
        (2027, "Đinh Mùi"),
        (2013, "Quý Tỵ"),
        (1985, "Ất Sửu"),
        (1968, "Mậu Thân"),
    ],
)
def test_year_name(lunar_year: int, name: str) -> None:
    assert year_name(lunar_year) == name


@pytest.mark.parametrize(
    ("lunar_year", "title"),
    [
        (2024, "Tết Nhân ái Xuân Giáp Thìn 2024"),
        (2025, "Tết Nhân ái Xuân Ất Tỵ 2025"),
        (2026, "Tết Nhân ái Xuân Bính Ngọ 2026"),
        (2027, "Tết Nhân ái Xuân Đinh Mùi 2027"),
    ],
)
def test_tet_campaign_title(lunar_year: int, title: str) -> None:
    assert tet_campaign_title(lunar_year) == title


@pytest.mark.parametrize(
    ("solar", "lunar_year"),
    [
        (date(2026, 2, 16), 2025),  # Giao thừa: still Ất Tỵ
        (date(2026, 2, 17), 2026),  # Tết Bính Ngọ
        (date(2026, 1, 26), 2025),  # start of the 2026 Tết Nhân ái plan
        (date(2026, 12, 31), 2026),
        (date(2027, 2, 5), 2026),
        (date(2027, 2, 6), 2027),
        (date(1985, 1, 20), 1984),
        (date(1985, 1, 21), 1985),  # Vietnamese Tết; in China still 1984 until 20/2
        (date(1985, 2, 19), 1985),
    ],
)
def test_lunar_year_of(solar: date, lunar_year: int) -> None:
    assert lunar_year_of(solar) == lunar_year


@pytest.mark.parametrize("year", [1799, 2200, -1])
def test_out_of_range(year: int) -> None:
    with pytest.raises(ValueError):
        tet_date(year)
    with pytest.raises(ValueError):
        year_name(year)


def test_wrong_type() -> None:
    with pytest.raises(TypeError):
        tet_date("2026")  # type: ignore[arg-type]
