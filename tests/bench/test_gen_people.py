"""bench/gen_people.py: determinism, shape, ground truth and realism of the generated people."""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest
import vietnam_provinces
from python_calamine import CalamineWorkbook

from bench import gen_people
from bench.gen_people import (
    CSV_HEADER,
    DEGRADATIONS,
    GROUPS,
    ID_DEGRADATIONS,
    TITLE,
    PersonRecord,
    generate,
    old_address_sample,
    toggle_tone_placement,
)
from nhandao.core.dates import PartialDate, Precision, parse_date
from nhandao.core.idnumber import check_citizen_id
from nhandao.core.phone import MOBILE_PREFIXES, normalize_phone
from nhandao.core.text import fold, split_name

LIST_DAY = date(2025, 12, 31)
NORTH = {1, 22, 24, 31, 33, 37}
SOUTH = {75, 79, 80, 82, 86, 91, 92, 96}
MOUNTAINS = {11, 12, 14}


def _wards() -> dict[int, tuple[int, str, str]]:
    nested = json.loads(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
    return {w["code"]: (p["code"], w["name"], p["name"]) for p in nested for w in p["wards"]}


WARDS = _wards()


@pytest.fixture(scope="module")
def people() -> list[PersonRecord]:
    return list(generate(20_000, seed=11))


def _visible(rec: PersonRecord) -> tuple[str, ...]:
    return (rec.full_name, rec.birth, rec.id_number, rec.phone, rec.address_text)


def test_same_seed_same_records_other_seed_other_records() -> None:
    first = list(generate(1500, seed=7))
    again = list(generate(1500, seed=7))
    other = list(generate(1500, seed=8))
    assert first == again
    assert [_visible(r) for r in first] != [_visible(r) for r in other]


@pytest.mark.parametrize("n", [0, 1, 2, 37, 1000])
def test_exactly_n_records_with_sequential_refs(n: int) -> None:
    records = list(generate(n, seed=3))
    assert len(records) == n
    assert [r.ref for r in records] == [f"R{i:07d}" for i in range(1, n + 1)]


@pytest.mark.parametrize("rate", [0.0, 0.05, 0.15, 0.4])
def test_duplicate_share_is_close_to_the_rate(rate: float) -> None:
    records = list(generate(6000, seed=5, dup_rate=rate))
    share = sum(r.is_duplicate for r in records) / len(records)
    assert share == pytest.approx(rate, abs=0.005)
    originals = {r.entity_id for r in records if not r.is_duplicate}
    # Every copy is of a person listed earlier.
    assert all(r.entity_id in originals for r in records if r.is_duplicate)


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError):
        next(generate(10, dup_rate=1.0))
    with pytest.raises(ValueError):
        next(generate(-1))
    with pytest.raises(ValueError):
        next(generate(10, province_codes=[2]))  # Hà Giang is no longer a province


def test_undegraded_citizen_ids_pass_the_check(people: list[PersonRecord]) -> None:
    checked = 0
    for rec in people:
        if not rec.id_number or ID_DEGRADATIONS & set(rec.degradations):
            continue
        result = check_citizen_id(rec.id_number, birth_date=rec.birth_date, sex=rec.sex)
        assert result.errors == [], rec
        assert result.warnings == [], rec
        assert result.birth_year == rec.birth_date.year
        assert result.sex == rec.sex
        checked += 1
    assert checked > 0.6 * len(people)


def test_a_citizen_id_belongs_to_one_person(people: list[PersonRecord]) -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for rec in people:
        if rec.id_number and not ID_DEGRADATIONS & set(rec.degradations):
            owners[rec.id_number].add(rec.entity_id)
    assert all(len(entities) == 1 for entities in owners.values())


def test_id_province_is_mostly_the_old_province_of_the_ward(people: list[PersonRecord]) -> None:
    # Quảng Trị (2025) took in the old Quảng Bình (044) and Quảng Trị (045).
    records = list(generate(3000, seed=2, province_codes=[44], dup_rate=0))
    codes = Counter(r.id_number[:3] for r in records if r.id_number)
    local = codes["044"] + codes["045"]
    assert local / sum(codes.values()) > 0.8
    assert len(codes) > 5  # people who moved were registered elsewhere


def test_ward_codes_exist_and_new_addresses_name_the_ward(people: list[PersonRecord]) -> None:
    old_form = 0
    for rec in people:
        assert rec.ward_code in WARDS
        _, ward_name, province_name = WARDS[rec.ward_code]
        if not province_name.startswith("Thành phố"):
            province_name = f"Tỉnh {province_name}"
        if not rec.address_text.endswith(f", {ward_name}, {province_name}"):
            old_form += 1
            assert rec.address_text.count(",") >= 3  # hamlet, commune, district, province
        assert rec.address_text.startswith(rec.hamlet) or rec.address_text.startswith("Số ")
    assert 0.2 < old_form / len(people) < 0.5


def test_old_addresses_convert_to_the_recorded_ward() -> None:
    from vietnamadminunits import convert_address

    sample = old_address_sample(40, seed=3)
    assert len(sample) == 40
    assert any(address.startswith("xã ") and ", huyện " in address for address, _ in sample)
    agree = 0
    for address, ward_code in sample:
        unit = convert_address(address)  # no street part: the converter stays offline
        agree += fold(unit.ward or "") == fold(WARDS[ward_code][1])
    assert agree >= 38


def test_vinh_thuy_goes_to_its_new_commune() -> None:
    pairs = dict(old_address_sample(20_000))
    code = pairs["xã Vĩnh Thủy, huyện Vĩnh Linh, tỉnh Quảng Trị"]
    assert WARDS[code][1:] == ("Xã Vĩnh Thủy", "Quảng Trị")


def test_province_filter() -> None:
    records = list(generate(800, seed=4, province_codes=[1, 44]))
    assert {WARDS[r.ward_code][0] for r in records} == {1, 44}


def test_copies_share_the_entity_and_differ_from_the_original(
    people: list[PersonRecord],
) -> None:
    originals = {r.entity_id: r for r in people if not r.is_duplicate}
    copies = [r for r in people if r.is_duplicate]
    assert copies
    kinds: Counter[str] = Counter()
    for copy in copies:
        original = originals[copy.entity_id]
        assert _visible(copy) != _visible(original)
        assert copy.degradations
        assert set(copy.degradations) <= set(DEGRADATIONS)
        kinds.update(copy.degradations)
        assert (copy.birth_date, copy.sex, copy.ward_code, copy.household_ref) == (
            original.birth_date,
            original.sex,
            original.ward_code,
            original.household_ref,
        )
        assert fold(copy.full_name).split()[0] == fold(original.full_name).split()[0] or (
            "given_typo" in copy.degradations
        )
    assert set(kinds) == set(DEGRADATIONS)


def test_degradations_do_what_they_say(people: list[PersonRecord]) -> None:
    originals = {r.entity_id: r for r in people if not r.is_duplicate}
    for copy in (r for r in people if r.is_duplicate):
        original = originals[copy.entity_id]
        done = set(copy.degradations)
        if "no_diacritics" in done:
            assert copy.full_name.isascii()
        if "upper_case" in done:
            assert copy.full_name == copy.full_name.upper()
        if "birth_year_only" in done:
            assert copy.birth == str(copy.birth_date.year)
        if "id_missing" in done:
            assert copy.id_number == ""
        if done & ID_DEGRADATIONS:
            assert copy.id_number != original.id_number
            assert sorted(copy.id_number) == sorted(original.id_number) or (
                "id_typo" in done
                and sum(a != b for a, b in zip(copy.id_number, original.id_number, strict=True))
                == 1
            )
        if "phone_format" in done:
            assert normalize_phone(copy.phone) == normalize_phone(original.phone)
            assert copy.phone != original.phone
        if "middle_dropped" in done:
            assert len(copy.full_name.split()) == 2
        if not done & {"no_diacritics", "upper_case", "given_typo", "middle_dropped"}:
            assert fold(copy.full_name) == fold(original.full_name)


def test_tone_placement_variants() -> None:
    assert toggle_tone_placement("Nguyễn Thị Hòa") == "Nguyễn Thị Hoà"
    assert toggle_tone_placement("Nguyễn Thị Hoà") == "Nguyễn Thị Hòa"
    assert toggle_tone_placement("Lê Thị Thủy") == "Lê Thị Thuỷ"
    assert toggle_tone_placement("Trần Văn Quý") == "Trần Văn Quý"
    assert toggle_tone_placement("Phạm Văn Hoàng") == "Phạm Văn Hoàng"
    assert fold("Hòa") == fold("Hoà") and "Hòa" != "Hoà"


def test_hard_negatives_same_name_year_and_ward(people: list[PersonRecord]) -> None:
    by_key: dict[tuple[str, int, int], set[str]] = defaultdict(set)
    for rec in people:
        if not rec.is_duplicate:
            by_key[(fold(rec.full_name), rec.birth_date.year, rec.ward_code)].add(rec.entity_id)
    namesakes = [key for key, entities in by_key.items() if len(entities) > 1]
    assert len(namesakes) >= 20


def test_households(people: list[PersonRecord]) -> None:
    households: dict[str, list[PersonRecord]] = defaultdict(list)
    for rec in people:
        if not rec.is_duplicate:
            households[rec.household_ref].append(rec)
    shared_family = 0
    families = 0
    for members in households.values():
        assert sum(m.is_head for m in members) == 1
        assert members[0].is_head  # the list starts each household with its head
        assert len({m.address_text for m in members}) == 1
        assert len({m.ward_code for m in members}) == 1
        if len(members) >= 3:
            families += 1
            names = [split_name(m.full_name) for m in members]
            given = [n.given for n in names]
            assert len(set(given)) >= len(given) - 1
            shared_family += len({n.family for n in names}) < len(names)
    assert families > 1000
    assert shared_family / families > 0.9


def test_groups_follow_age(people: list[PersonRecord]) -> None:
    seen: Counter[str] = Counter()
    for rec in people:
        assert set(rec.groups) <= set(GROUPS)
        assert rec.groups == sorted(rec.groups, key=GROUPS.index)
        age = 2025 - rec.birth_date.year
        if "lonely_elderly" in rec.groups:
            assert age >= 60
        if "orphan" in rec.groups:
            assert age < 18
        seen.update(rec.groups)
    assert set(seen) == set(GROUPS)


def test_phones_are_valid_mobiles(people: list[PersonRecord]) -> None:
    phones = [r.phone for r in people if r.phone]
    assert 0.3 < len(phones) / len(people) < 0.8
    assert any(p.startswith("+84") for p in phones)
    for phone in phones:
        number = normalize_phone(phone)
        assert len(number) == 10 and number[:3] in MOBILE_PREFIXES


def test_birth_text_reads_back_as_the_true_date(people: list[PersonRecord]) -> None:
    forms: Counter[str] = Counter()
    for rec in people:
        if rec.is_duplicate or not rec.birth:
            continue
        parsed: PartialDate = parse_date(rec.birth, today=LIST_DAY)
        if parsed.precision is Precision.YEAR:
            assert parsed.year == rec.birth_date.year
            forms["year"] += 1
        else:
            assert parsed.value == rec.birth_date
            forms["day"] += 1
    assert forms["year"] > 0.03 * len(people)
    years = [r.birth_date.year for r in people]
    assert min(years) >= 1930 and max(years) <= 2024


def test_names_look_vietnamese(people: list[PersonRecord]) -> None:
    originals = [r for r in people if not r.is_duplicate]
    family = Counter(split_name(r.full_name).family for r in originals)
    total = len(originals)
    assert 0.30 < family["Nguyễn"] / total < 0.42
    assert 0.08 < family["Trần"] / total < 0.14
    assert family.most_common(3)[0][0] == "Nguyễn"
    south = Counter(
        split_name(r.full_name).family for r in originals if WARDS[r.ward_code][0] in SOUTH
    )
    north = Counter(
        split_name(r.full_name).family for r in originals if WARDS[r.ward_code][0] in NORTH
    )
    assert south["Huỳnh"] > 3 * max(north["Huỳnh"], 1) * sum(south.values()) / sum(north.values())
    women = [r for r in originals if r.sex == "female" and r.birth_date.year < 1970]
    thi = sum(split_name(r.full_name).middle.startswith("Thị") for r in women)
    assert thi / len(women) > 0.5
    assert len(set(gen_people._MALE_GIVEN)) >= 80
    assert len(set(gen_people._FEMALE_GIVEN)) >= 80
    two_middles = sum(len(r.full_name.split()) >= 4 for r in originals)
    assert two_middles > 0.02 * total


def test_hamlets_follow_the_region(people: list[PersonRecord]) -> None:
    def prefixes(provinces: set[int]) -> Counter[str]:
        return Counter(r.hamlet.split()[0] for r in people if WARDS[r.ward_code][0] in provinces)

    south = prefixes(SOUTH)
    assert south["Ấp"] + south["Khu"] > 0.9 * sum(south.values())
    north = prefixes(NORTH)
    assert north["Thôn"] + north["Xóm"] + north["Tổ"] > 0.9 * sum(north.values())
    assert prefixes(MOUNTAINS)["Bản"] > 0


def _read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def test_cli_writes_csv_and_truth(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, truth = tmp_path / "people.csv", tmp_path / "truth.csv"
    code = gen_people.main(["--n", "300", "--seed", "1", "--out", str(out), "--truth", str(truth)])
    assert code == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = _read_csv(out)
    assert tuple(rows[0]) == CSV_HEADER
    assert len(rows) == 301
    assert [r[0] for r in rows[1:4]] == ["1", "2", "3"]
    assert {r[3] for r in rows[1:]} == {"Nam", "Nữ"}
    truth_rows = _read_csv(truth)
    assert truth_rows[0] == ["ref", "entity_id", "household_ref"]
    assert [t[0] for t in truth_rows[1:]] == [r[11] for r in rows[1:]]
    expected = list(generate(300, seed=1))
    assert [t[1] for t in truth_rows[1:]] == [r.entity_id for r in expected]
    assert [r[1] for r in rows[1:]] == [r.full_name for r in expected]
    assert "rows/s" in capsys.readouterr().err


def test_cli_writes_xlsx_with_a_title_block(tmp_path: Path) -> None:
    out = tmp_path / "people.xlsx"
    assert gen_people.main(["--n", "120", "--format", "xlsx", "--out", str(out)]) == 0
    sheet = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    header_at = next(i for i, row in enumerate(sheet) if tuple(row) == CSV_HEADER)
    assert header_at > 0
    assert any(TITLE in row for row in sheet[:header_at])
    data = sheet[header_at + 1 :]
    assert len(data) == 120
    expected = list(generate(120, seed=1))
    assert [row[1] for row in data] == [r.full_name for r in expected]
    assert [row[4] for row in data] == [r.id_number for r in expected]  # kept as text
