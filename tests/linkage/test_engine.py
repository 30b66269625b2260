"""The Splink engine on a generated registry: quality against the generator's truth, the model
kept on the run, the evidence, the Spark rendering, nothing fetched at run time."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from bench import _people_db as bulk
from nhandao.linkage import engine, services
from nhandao.linkage.evidence import evidence, evidence_text
from nhandao.linkage.models import CandidatePair, LinkageRun, PairStatus
from nhandao.people.models import Person

PROVINCE = 44  # Quảng Trị
N = 1500  # over engine.MIN_LOCAL_U: u and the prior are measured on the scope


def _f1(pairs: set[tuple[int, int]], entity: list[int]) -> tuple[float, float, float]:
    sizes = Counter(entity)
    truth = sum(k * (k - 1) // 2 for k in sizes.values())
    tp = sum(1 for a, b in pairs if entity[a - 1] == entity[b - 1])
    p, r = tp / len(pairs), tp / truth
    return p, r, 2 * p * r / (p + r)


@pytest.fixture
def registry(db):
    tree = bulk.build_tree((PROVINCE,))
    loaded = bulk.load_people(tree, N, seed=3, provinces=(PROVINCE,), use_cache=False)
    return tree, loaded


def test_a_run_finds_the_generated_duplicates_and_keeps_its_model(registry):
    tree, loaded = registry
    run = services.linkage_run_execute(run_id=LinkageRun.objects.create(unit_id=tree.root_pk).pk)
    assert run.status == "done" and run.records == loaded.rows and not run.trained
    pairs = set(CandidatePair.objects.filter(run=run).values_list("a_id", "b_id"))
    assert run.pairs_found == len(pairs) > 0
    assert all(a < b for a, b in pairs)
    p, r, f1 = _f1(pairs, list(loaded.entity))
    assert f1 >= 0.93, (p, r, f1)
    # The model is a Splink settings document with trained parameters, and its evidence reads.
    levels = [lv for c in run.model["comparisons"] for lv in c["comparison_levels"]]
    assert {c["output_column_name"] for c in run.model["comparisons"]} >= {
        "given_name",
        "birth",
        "id_number",
        "contact",  # phone and address together
    }
    assert all(0 < lv["m_probability"] <= 1 for lv in levels if not lv.get("is_null_level"))
    best = CandidatePair.objects.filter(run=run).order_by("-score").first()
    assert best is not None and best.score > 0.99
    assert "given_name:exact" in best.reasons or "id_number:exact" in best.reasons
    assert set(run.seconds) >= {"export", "features", "predict", "pairs"}

    # A second run proposes nothing again; a pair decided "different" stays decided.
    CandidatePair.objects.filter(pk=best.pk).update(status=PairStatus.DIFFERENT)
    again = services.linkage_run_execute(run_id=LinkageRun.objects.create(unit_id=tree.root_pk).pk)
    assert again.pairs_found == 0
    assert CandidatePair.objects.get(pk=best.pk).status == PairStatus.DIFFERENT


def test_training_on_the_scope_itself(registry, tmp_path):
    _tree, loaded = registry
    result = engine.run(Person.objects.all(), train=True, workdir=tmp_path)
    assert result.trained and result.records == loaded.rows
    lines = result.pairs_file.read_text().splitlines()
    pairs = {(int(a), int(b)) for a, b, *_ in (line.split(",", 3) for line in lines)}
    assert len(pairs) == result.pairs
    _p, _r, f1 = _f1(pairs, list(loaded.entity))
    assert f1 >= 0.9
    # The trained ID comparison: the same number is strong evidence, another number against.
    ident = next(c for c in result.model["comparisons"] if c["output_column_name"] == "id_number")
    by_label = {lv["label_for_charts"]: lv for lv in ident["comparison_levels"]}
    exact, other = by_label["id_number:exact"], by_label["id_number:else"]
    assert exact["m_probability"] / exact["u_probability"] > 1000
    assert other["m_probability"] / other["u_probability"] < 0.1


def test_evidence_reads_in_vietnamese_and_old_text_is_kept():
    shown = evidence(["given_name:exact", "id_number:else", "trùng họ tên"])
    assert [(e.label, e.agrees) for e in shown] == [
        ("trùng tên", True),
        ("khác số CCCD", False),
        ("trùng họ tên", True),
    ]
    assert evidence_text(["birth:swapped"]) == "ngày sinh đảo ngày/tháng"
    codes = {code for c in engine.comparisons(True) for code in c.codes().values()}
    from nhandao.linkage.evidence import LABELS

    assert codes <= set(LABELS)


def test_the_model_renders_for_spark():
    saved = json.loads(engine.DEFAULT_MODEL.read_text(encoding="utf-8"))
    spark = json.dumps(engine.model_for_dialect(saved["settings"], "spark"))
    assert "jaro_winkler(" in spark and "jaro_winkler_similarity(" not in spark
    assert "damerau_levenshtein(" in spark and '"sql_dialect": "spark"' in spark


def test_a_small_scope_scales_the_bundled_prior():
    big = engine.default_model(1_000_000, household=True)
    small = engine.default_model(1_000, household=False)
    assert (
        small["probability_two_random_records_match"] > big["probability_two_random_records_match"]
    )
    assert "household" not in {c["output_column_name"] for c in small["comparisons"]}


def test_duckdb_never_installs_an_extension(tmp_path):
    with engine.duckdb_connection(tmp_path) as con:
        settings = dict(
            con.execute(
                "SELECT name, value FROM duckdb_settings() WHERE name IN "
                "('autoinstall_known_extensions', 'autoload_known_extensions')"
            ).fetchall()
        )
        installed = con.execute(
            "SELECT extension_name FROM duckdb_extensions() "
            "WHERE installed AND install_mode <> 'STATICALLY_LINKED'"
        ).fetchall()
    assert settings == {
        "autoinstall_known_extensions": "false",
        "autoload_known_extensions": "false",
    }
    assert installed == []
