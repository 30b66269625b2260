"""The eligibility function at every boundary the issue names (pure: no database)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from nhandao.blood.eligibility import DonorFacts, Rules, check, rules_from_row
from nhandao.blood.models import BloodRules

ON = dt.date(2026, 11, 30)
RULES = Rules()


def facts(**kw) -> DonorFacts:
    base = {
        "birth_date": dt.date(1990, 5, 17),
        "birth_precision": "day",
        "sex": "male",
        "weight_kg": Decimal("60"),
        "last_donation": None,
        "deferral_until": None,
        "deferral_permanent": False,
    }
    base.update(kw)
    return DonorFacts(**base)


def whole(f: DonorFacts, volume: int | None = None, on: dt.date = ON):
    return check(RULES, f, on=on, kind="whole_blood", volume_ml=volume)


def test_a_healthy_adult_may_give_every_bag():
    decision = whole(facts(), 450)
    assert decision.eligible and decision.reasons == []
    assert decision.allowed_volumes == [250, 350, 450]
    assert decision.max_volume_ml == 500
    assert decision.next_date is None


def test_17_years_364_days_is_too_young_and_is_told_when():
    decision = whole(facts(birth_date=dt.date(2008, 12, 1)))
    assert not decision.eligible
    assert decision.reasons == ["Chưa đủ 18 tuổi: đủ tuổi hiến máu từ 01/12/2026."]
    assert decision.next_date == dt.date(2026, 12, 1)


def test_18th_birthday_is_old_enough():
    assert whole(facts(birth_date=dt.date(2008, 11, 30))).eligible


def test_60th_birthday_is_still_allowed_the_day_after_is_not():
    assert whole(facts(birth_date=dt.date(1966, 11, 30))).eligible
    decision = whole(facts(birth_date=dt.date(1966, 11, 29)))
    assert not decision.eligible
    assert "Đã quá 60 tuổi (sinh 29/11/1966)" in decision.reasons[0]
    assert decision.next_date is None


def test_birth_year_only_is_taken_at_its_least_favourable_day():
    young = whole(facts(birth_date=dt.date(2008, 1, 1), birth_precision="year"))
    assert not young.eligible  # might be born on 31/12/2008
    assert "đủ tuổi hiến máu từ 31/12/2026" in young.reasons[0]
    assert "Chỉ biết năm hoặc tháng sinh" in young.reasons[0]
    old = whole(facts(birth_date=dt.date(1966, 1, 1), birth_precision="year"))
    assert not old.eligible  # might have turned 60 on 1/1/2026
    assert whole(facts(birth_date=dt.date(1967, 1, 1), birth_precision="year")).eligible


def test_birth_month_only():
    decision = whole(facts(birth_date=dt.date(2008, 12, 1), birth_precision="month"))
    assert not decision.eligible and decision.next_date == dt.date(2026, 12, 31)
    assert whole(facts(birth_date=dt.date(2008, 11, 1), birth_precision="month")).eligible


def test_unknown_birth_is_refused():
    decision = whole(facts(birth_date=None, birth_precision=""))
    assert not decision.eligible and "Chưa có ngày sinh" in decision.reasons[0]


def test_41_9_kg_woman_may_not_give_whole_blood():
    decision = whole(facts(sex="female", weight_kg=Decimal("41.9")))
    assert not decision.eligible
    assert decision.reasons == ["Cân nặng 41,9 kg chưa đủ 42 kg để hiến máu toàn phần (nữ)."]
    assert decision.allowed_volumes == []


def test_42_kg_woman_may_give_250_only():
    decision = whole(facts(sex="female", weight_kg=Decimal("42")))
    assert decision.eligible and decision.allowed_volumes == [250]
    assert decision.max_volume_ml == 250


def test_44_9_kg_at_350_ml_is_refused_250_is_allowed():
    f = facts(sex="female", weight_kg=Decimal("44.9"))
    decision = whole(f, 350)
    assert not decision.eligible
    assert decision.reasons == [
        "Thể tích 350 ml không được phép với cân nặng 44,9 kg: tối đa 250 ml."
    ]
    assert decision.allowed_volumes == [250]
    assert whole(f, 250).eligible


def test_44_9_kg_man_may_not_give_whole_blood():
    decision = whole(facts(sex="male", weight_kg=Decimal("44.9")))
    assert not decision.eligible and "chưa đủ 45 kg" in decision.reasons[0]


def test_unknown_sex_takes_the_higher_minimum():
    assert not whole(facts(sex="", weight_kg=Decimal("44"))).eligible
    assert whole(facts(sex="", weight_kg=Decimal("45"))).eligible


def test_from_45_kg_nine_ml_per_kg():
    at45 = whole(facts(weight_kg=Decimal("45")), 450)
    assert not at45.eligible and at45.max_volume_ml == 405
    assert at45.allowed_volumes == [250, 350]
    assert whole(facts(weight_kg=Decimal("50")), 450).eligible  # 450 ml
    assert whole(facts(weight_kg=Decimal("49.9")), 450).allowed_volumes == [250, 350]
    assert whole(facts(weight_kg=Decimal("90"))).max_volume_ml == 500


def test_unknown_weight_is_not_a_yes():
    decision = whole(facts(weight_kg=None))
    assert not decision.eligible and "Chưa có cân nặng" in decision.reasons[0]
    assert decision.max_volume_ml is None


@pytest.mark.parametrize("volume", [0, 300, 500, 1000, -250])
def test_impossible_whole_blood_volumes(volume):
    decision = whole(facts(weight_kg=Decimal("70")), volume)
    assert not decision.eligible
    assert "không phải túi máu toàn phần chuẩn (250, 350, 450 ml)" in decision.reasons[0]


def test_apheresis_needs_50_kg():
    decision = check(RULES, facts(weight_kg=Decimal("49.9")), on=ON, kind="platelets")
    assert not decision.eligible
    assert decision.reasons == ["Cân nặng 49,9 kg chưa đủ 50 kg để hiến gạn tách thành phần máu."]
    ok = check(RULES, facts(weight_kg=Decimal("50")), on=ON, kind="platelets", volume_ml=500)
    assert ok.eligible and ok.max_volume_ml == 500
    assert ok.allowed_volumes == [250, 300, 350, 400, 450, 500]


def test_apheresis_650_ml_from_60_kg():
    f59 = facts(weight_kg=Decimal("59.9"))
    assert not check(RULES, f59, on=ON, kind="plasma", volume_ml=650).eligible
    f60 = facts(weight_kg=Decimal("60"))
    decision = check(RULES, f60, on=ON, kind="plasma", volume_ml=650)
    assert decision.eligible and decision.max_volume_ml == 650
    too_much = check(RULES, f60, on=ON, kind="plasma", volume_ml=700)
    assert too_much.reasons == [
        "Thể tích 700 ml không được phép khi gạn tách với cân nặng 60 kg: tối đa 650 ml."
    ]


def test_12_weeks_minus_a_day_after_whole_blood():
    last = (dt.date(2026, 9, 1), "whole_blood")
    decision = whole(facts(last_donation=last), on=dt.date(2026, 11, 23))
    assert not decision.eligible
    assert decision.reasons == [
        "Chưa đủ 12 tuần kể từ lần hiến máu toàn phần ngày 01/09/2026: được hiến lại từ 24/11/2026."
    ]
    assert decision.next_date == dt.date(2026, 11, 24)
    assert whole(facts(last_donation=last), on=dt.date(2026, 11, 24)).eligible


def test_red_cells_wait_12_weeks_plasma_2_platelets_3():
    day = dt.date(2026, 11, 1)
    red = facts(last_donation=(day, "red_cells"))
    assert not whole(red, on=day + dt.timedelta(days=83)).eligible
    assert whole(red, on=day + dt.timedelta(days=84)).eligible
    plasma = facts(last_donation=(day, "plasma"))
    assert not whole(plasma, on=day + dt.timedelta(days=13)).eligible
    assert whole(plasma, on=day + dt.timedelta(days=14)).eligible
    platelets = facts(last_donation=(day, "platelets"))
    decision = whole(platelets, on=day + dt.timedelta(days=20))
    assert (
        "Chưa đủ 3 tuần kể từ lần hiến tiểu cầu (gạn tách) ngày 01/11/2026" in (decision.reasons[0])
    )
    assert whole(platelets, on=day + dt.timedelta(days=21)).eligible


def test_platelets_after_whole_blood_wait_the_whole_blood_interval():
    last = facts(last_donation=(dt.date(2026, 10, 1), "whole_blood"))
    decision = check(RULES, last, on=dt.date(2026, 11, 1), kind="platelets")
    assert not decision.eligible and "12 tuần" in decision.reasons[0]
    assert decision.next_date == dt.date(2026, 12, 24)


def test_whole_blood_after_platelets_waits_the_platelet_interval():
    last = facts(last_donation=(dt.date(2026, 10, 1), "platelets"))
    assert whole(last, on=dt.date(2026, 10, 22)).eligible
    assert not whole(last, on=dt.date(2026, 10, 21)).eligible


def test_a_donation_already_today_blocks_another():
    decision = whole(facts(last_donation=(ON, "plasma")))
    assert not decision.eligible and "ngày 30/11/2026" in decision.reasons[0]


def test_deferral_until_a_day_then_free_the_day_after():
    f = facts(deferral_until=dt.date(2026, 12, 5))
    decision = whole(f)
    assert decision.reasons == [
        "Đang tạm hoãn hiến máu đến hết 05/12/2026: được hiến lại từ 06/12/2026."
    ]
    assert decision.next_date == dt.date(2026, 12, 6)
    assert whole(f, on=dt.date(2026, 12, 6)).eligible


def test_permanent_deferral_has_no_next_date():
    decision = whole(facts(deferral_permanent=True, last_donation=(ON, "plasma")))
    assert not decision.eligible and decision.next_date is None
    assert "vĩnh viễn" in decision.reasons[0]


def test_reasons_add_up_and_next_date_is_the_latest():
    f = facts(
        deferral_until=dt.date(2026, 12, 5),
        last_donation=(dt.date(2026, 11, 1), "whole_blood"),
        weight_kg=Decimal("40"),
    )
    decision = whole(f)
    assert len(decision.reasons) == 3
    assert decision.next_date == dt.date(2027, 1, 24)


def test_unknown_kind():
    assert not check(RULES, facts(), on=ON, kind="urine").eligible


def test_thresholds_come_from_the_rules():
    strict = replace(RULES, min_age=20, intervals=(("platelets", 14), ("whole_blood", 90)))
    f = facts(birth_date=dt.date(2007, 1, 1))
    assert whole(f).eligible
    assert not check(strict, f, on=ON, kind="whole_blood").eligible
    last = facts(last_donation=(dt.date(2026, 11, 10), "platelets"))
    assert check(strict, last, on=ON, kind="whole_blood").eligible
    assert not whole(last).eligible


@pytest.mark.django_db
def test_rules_from_the_seeded_row_equal_the_defaults():
    row = BloodRules.objects.get(valid_from=dt.date(2013, 8, 12))
    assert rules_from_row(row) == RULES
