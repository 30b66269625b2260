"""Probabilistic record linkage of the person registry with Splink on DuckDB.

The registry of a scope is streamed out of the database (PostgreSQL ``COPY … TO STDOUT``, or the
Django cursor on SQLite) into a CSV file that DuckDB reads with its built-in reader: no DuckDB
extension is installed or loaded, nothing is fetched at run time. DuckDB derives the comparison
columns (names folded without diacritics and split into family, middle and given name; birth year
and full date at their precision; the hamlet/street part of the address and, for records written
with an old three-level address, the old commune), then Splink trains a Fellegi-Sunter model on
the data itself: the prior from deterministic rules, u by random sampling, m by expectation
maximisation over a few blocking rules. Small scopes, where there is too little data to train,
use the bundled model trained on generated registries (``default_model.json``).

Every setting here is plain Splink settings (a JSON document), so the same model runs on Spark for
a national registry; see docs/linkage-spark.md.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection
from django.db.models import QuerySet

DEFAULT_MODEL = Path(__file__).with_name("default_model.json")
MIN_TRAIN = 20_000  # fewer records than this: use the bundled model's m, do not run EM
MIN_LOCAL_U = 1_000  # from this many records, u and the prior are still measured on the scope
MAX_SHARED = 200  # an ID or phone shared by more records than this is a placeholder, not evidence
THRESHOLD = 0.5  # pairs at or above this probability are stored for review
INPUT = "linkage_input"

# Columns read from the registry, in this order.
SOURCE_COLUMNS = (
    "id",
    "name_key",
    "family_name",
    "middle_name",
    "given_name",
    "birth_date",
    "birth_precision",
    "sex",
    "id_number",
    "legacy_id",
    "phone",
    "ward_id",
    "address_detail",
    "address_original",
    "household_id",
    "household__head_id",
)
RAW_TYPES = {
    "id": "BIGINT",
    "name_key": "VARCHAR",
    "family_name": "VARCHAR",
    "middle_name": "VARCHAR",
    "given_name": "VARCHAR",
    "birth_date": "DATE",
    "birth_precision": "VARCHAR",
    "sex": "VARCHAR",
    "id_number": "VARCHAR",
    "legacy_id": "VARCHAR",
    "phone": "VARCHAR",
    "ward_id": "BIGINT",
    "address_detail": "VARCHAR",
    "address_original": "VARCHAR",
    "household_id": "BIGINT",
    "head_id": "BIGINT",
}


def _fold(expr: str, spaces: bool = True) -> str:
    """SQL: lower case without diacritics (đ → d), like ``core.text.fold``; ``spaces`` also
    collapses runs of white space (slower)."""
    folded = f"lower(strip_accents(replace(replace({expr}, 'Đ', 'D'), 'đ', 'd')))"
    if spaces:
        folded = f"regexp_replace({folded}, '\\s+', ' ', 'g')"
    return f"NULLIF(trim({folded}), '')"


# Kinds of administrative units as addresses write them (lower case, with or without diacritics).
WARD_KINDS = "xã|xa|phường|phuong|thị trấn|thi tran|đặc khu|dac khu"
DISTRICT_KINDS = "huyện|huyen|quận|quan|thị xã|thi xa|thành phố|thanh pho"
PROVINCE_KINDS = "tỉnh|tinh|thành phố|thanh pho"

# Only constants of this module are formatted into the SQL below; no value comes from a user.
FEATURES_SQL = f"""
CREATE OR REPLACE TABLE {INPUT} AS
WITH raw AS (
    SELECT *,
        -- The address as written, in lower case: the ward part is found by its kind, with or
        -- without diacritics, and only the short pieces around it are folded.
        lower(coalesce(NULLIF(address_original, ''), address_detail)) AS address_lower
    FROM linkage_raw
), crowded AS (
    -- An ID or phone written on more than MAX_SHARED records is a placeholder, not evidence.
    SELECT 'id' AS kind, id_number AS value FROM linkage_raw WHERE id_number <> ''
        GROUP BY id_number HAVING count(*) > {MAX_SHARED}
    UNION ALL SELECT 'legacy', legacy_id FROM linkage_raw WHERE legacy_id <> ''
        GROUP BY legacy_id HAVING count(*) > {MAX_SHARED}
    UNION ALL SELECT 'phone', phone FROM linkage_raw WHERE phone <> ''
        GROUP BY phone HAVING count(*) > {MAX_SHARED}
), shared AS (
    SELECT *,
        NULLIF(id_number, '') IN (SELECT value FROM crowded WHERE kind = 'id') AS crowded_id,
        NULLIF(legacy_id, '') IN (SELECT value FROM crowded WHERE kind = 'legacy')
            AS crowded_legacy,
        NULLIF(phone, '') IN (SELECT value FROM crowded WHERE kind = 'phone') AS crowded_phone,
        string_split(name_key, ' ') AS name_words,
        regexp_extract(address_lower, '^(.*?),\\s*({WARD_KINDS}) ', 1) AS locality_text,
        regexp_extract(address_lower,
            ',\\s*(({WARD_KINDS}) [^,]+,\\s*({DISTRICT_KINDS}) [^,]+),'
            || '\\s*({PROVINCE_KINDS}) [^,]+$',
            1) AS old_commune_text
    FROM raw
)
SELECT
    id AS unique_id,
    NULLIF(name_key, '') AS name_key,
    -- name_key is the full name folded (no diacritics, lower case, single spaces): its first
    -- word is the family name, its last the given name, the words between the middle name.
    NULLIF(name_words[1], '') AS family_name,
    CASE WHEN len(name_words) > 2
        THEN array_to_string(name_words[2:len(name_words) - 1], ' ') END AS middle_name,
    CASE WHEN len(name_words) > 1 THEN name_words[len(name_words)] END AS given_name,
    year(birth_date) AS birth_year,
    CASE WHEN birth_precision = 'day' THEN birth_date END AS birth_day,
    NULLIF(sex, '') AS sex,
    CASE WHEN NOT crowded_id THEN NULLIF(id_number, '') END AS id_number,
    CASE WHEN NOT crowded_id AND length(id_number) = 12
        THEN substr(id_number, 7, 6) END AS id_serial,
    CASE WHEN NOT crowded_id AND length(id_number) = 12
        THEN substr(id_number, 1, 6) END AS id_head,
    CASE WHEN NOT crowded_legacy THEN NULLIF(legacy_id, '') END AS legacy_id,
    CASE WHEN NOT crowded_phone THEN NULLIF(phone, '') END AS phone,
    ward_id,
    CASE WHEN name_key <> '' AND birth_date IS NOT NULL
        THEN name_key || '|' || year(birth_date) END AS name_year,
    CASE WHEN name_key <> '' AND birth_date IS NOT NULL AND ward_id IS NULL
        THEN name_key || '|' || year(birth_date) END AS name_year_noward,
    {_fold("locality_text", spaces=False)} AS locality,
    {_fold("old_commune_text", spaces=False)} AS old_commune,
    household_id,
    head_id
FROM shared
"""  # noqa: S608


# --- the model -----------------------------------------------------------------------------------

# For each comparison, its levels from the strongest down to "else": (code, SQL condition).
# The null level (either side unknown) comes first and carries no evidence. The codes are the
# evidence written on each pair (see ``evidence.py`` for how they read in Vietnamese).
Level = tuple[str, str]


@dataclass(frozen=True)
class Comparison:
    name: str
    null: str
    levels: tuple[Level, ...]
    tf: str = ""  # term-frequency adjusted column of the exact level, if any

    def codes(self) -> dict[int, str]:
        """Gamma value → evidence code (gamma counts down to 0 for the "else" level)."""
        n = len(self.levels)
        return {n - i: code for i, (code, _sql) in enumerate(self.levels)} | {
            0: f"{self.name}:else"
        }


COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        "given_name",
        "given_name_l IS NULL OR given_name_r IS NULL",
        (
            ("given_name:exact", "given_name_l = given_name_r"),
            ("given_name:typo", "damerau_levenshtein(given_name_l, given_name_r) <= 1"),
            ("given_name:similar", "jaro_winkler_similarity(given_name_l, given_name_r) >= 0.88"),
        ),
        tf="given_name",
    ),
    Comparison(
        "family_name",
        "family_name_l IS NULL OR family_name_r IS NULL",
        (("family_name:exact", "family_name_l = family_name_r"),),
    ),
    Comparison(
        "middle_name",
        "middle_name_l IS NULL AND middle_name_r IS NULL",
        (
            ("middle_name:exact", "middle_name_l = middle_name_r"),
            ("middle_name:missing", "middle_name_l IS NULL OR middle_name_r IS NULL"),
            (
                "middle_name:part",
                "contains(middle_name_l, middle_name_r) OR contains(middle_name_r, middle_name_l)",
            ),
        ),
    ),
    Comparison(
        "birth",
        "birth_year_l IS NULL OR birth_year_r IS NULL",
        (
            ("birth:date", "birth_day_l = birth_day_r"),
            (
                "birth:swapped",
                "year(birth_day_l) = year(birth_day_r) AND month(birth_day_l) = day(birth_day_r) "
                "AND day(birth_day_l) = month(birth_day_r)",
            ),
            (
                "birth:year",
                "birth_year_l = birth_year_r AND (birth_day_l IS NULL OR birth_day_r IS NULL)",
            ),
            ("birth:year_other_day", "birth_year_l = birth_year_r"),
        ),
    ),
    Comparison(
        "sex",
        "sex_l IS NULL OR sex_r IS NULL",
        (("sex:exact", "sex_l = sex_r"),),
    ),
    Comparison(
        "id_number",
        "id_number_l IS NULL OR id_number_r IS NULL",
        (
            ("id_number:exact", "id_number_l = id_number_r"),
            ("id_number:typo", "damerau_levenshtein(id_number_l, id_number_r) <= 1"),
        ),
    ),
    Comparison(
        "legacy_id",
        "legacy_id_l IS NULL OR legacy_id_r IS NULL",
        (("legacy_id:exact", "legacy_id_l = legacy_id_r"),),
    ),
    Comparison(
        "phone",
        "phone_l IS NULL OR phone_r IS NULL",
        (("phone:exact", "phone_l = phone_r"),),
        tf="phone",  # a phone shared by a whole household says less than one of its own
    ),
    Comparison(
        "address",
        "ward_id_l IS NULL OR ward_id_r IS NULL",
        (
            ("address:locality", "ward_id_l = ward_id_r AND locality_l = locality_r"),
            ("address:old_commune", "ward_id_l = ward_id_r AND old_commune_l = old_commune_r"),
            ("address:ward", "ward_id_l = ward_id_r"),
        ),
    ),
)
# The model compares phone and address together: household members share both, so counting a
# shared phone and a shared hamlet as two independent agreements made siblings look like one
# person. One comparison over the combinations lets training see how often they go together.
CONTACT = Comparison(
    "contact",
    "(phone_l IS NULL OR phone_r IS NULL) AND (ward_id_l IS NULL OR ward_id_r IS NULL)",
    (
        (
            "contact:phone_locality",
            "phone_l = phone_r AND ward_id_l = ward_id_r AND locality_l = locality_r",
        ),
        ("contact:phone_ward", "phone_l = phone_r AND ward_id_l = ward_id_r"),
        ("contact:phone", "phone_l = phone_r"),
        (
            "contact:locality_other_phone",
            "ward_id_l = ward_id_r AND locality_l = locality_r "
            "AND phone_l IS NOT NULL AND phone_r IS NOT NULL",
        ),
        ("contact:locality", "ward_id_l = ward_id_r AND locality_l = locality_r"),
        ("contact:old_commune", "ward_id_l = ward_id_r AND old_commune_l = old_commune_r"),
        (
            "contact:ward_other_phone",
            "ward_id_l = ward_id_r AND phone_l IS NOT NULL AND phone_r IS NOT NULL",
        ),
        ("contact:ward", "ward_id_l = ward_id_r"),
    ),
)
SEPARATE = ("phone", "address")  # evidence only: the model uses CONTACT instead

HOUSEHOLD = Comparison(
    "household",
    "(household_id_l IS NULL OR household_id_r IS NULL) "
    "AND (head_id_l IS NULL OR head_id_r IS NULL)",
    (
        ("household:same", "household_id_l = household_id_r"),
        ("household:head", "head_id_l = head_id_r"),
    ),
)

# Starting values for levels that training may never observe (true duplicates whose IDs differ
# by more than one digit, random pairs sharing an old CMND …): EM and random sampling overwrite
# them whenever the level is seen. (m, u); None leaves the other to training.
STARTING_VALUES: dict[str, tuple[float | None, float | None]] = {
    "family_name:else": (0.01, None),
    "middle_name:part": (0.01, None),
    "middle_name:else": (0.01, None),
    "birth:year_other_day": (0.02, None),
    "birth:else": (0.01, None),
    "sex:else": (0.005, None),
    "id_number:typo": (None, 1e-5),
    "id_number:else": (0.005, None),
    "legacy_id:exact": (None, 1e-6),
    "legacy_id:else": (0.01, None),
    "phone:else": (0.05, None),
    "contact:phone": (None, 1e-6),
    "contact:old_commune": (None, 1e-4),
    "contact:else": (0.05, None),
    "household:same": (0.6, 1e-5),
    "household:head": (0.2, 1e-5),
    "household:else": (0.2, 0.99998),
}

# After training, these m are set from what we know of registries rather than left to EM, which
# over-estimates them: namesakes (same name, year and ward, different people) are numerous enough
# to be taken in part for duplicates. The other m of the comparison are scaled to sum to one.
FIXED_M: dict[str, float] = {
    "id_number:else": 0.005,  # the same person under two citizen IDs differing in 2+ digits
    "birth:year_other_day": 0.005,  # the same person with two different full dates, same year
    "contact:else": 0.05,  # people move, and two units may register one person in two wards
}
M_FLOOR = 1e-4  # no single disagreement is a veto (a sex or family name mistyped happens)

# Pairs are compared only when they share one of these (each a cheap equi-join).
PREDICTION_BLOCKS: tuple[tuple[str, ...] | str, ...] = (
    ("id_number",),
    ("legacy_id",),
    ("phone",),
    ("id_serial",),  # a citizen ID mistyped in its first half
    ("id_head", "ward_id"),  # … or in its second half
    ("family_name", "birth_year", "ward_id"),  # given name mistyped, middle name dropped
    ("name_key", "ward_id"),  # birth year mistyped
    ("name_key", "birth_day"),  # registered in two wards
    # no ward on one side: the full name and the birth year (one equi-join each way)
    ("name_year_noward", "name_year"),
    ("name_year", "name_year_noward"),
    ("household_id",),
)
# Expectation maximisation: each session blocks on some columns and estimates the m of the others.
TRAINING_BLOCKS: tuple[tuple[str, ...], ...] = (
    ("given_name", "family_name", "birth_year", "ward_id"),
    ("id_number",),
)
# Rules that admit (almost) only true matches, for the prior, and the share of matches they find.
DETERMINISTIC = (
    "l.id_number = r.id_number",
    "l.name_key = r.name_key AND l.birth_day = r.birth_day AND l.ward_id = r.ward_id",
)
DETERMINISTIC_RECALL = 0.8


def _comparison(c: Comparison, with_tf: bool) -> Any:
    import splink.comparison_level_library as cll
    from splink import comparison_library as cl

    def start(level: Any, code: str) -> Any:
        m, u = STARTING_VALUES.get(code, (None, None))
        if m is not None:
            level = level.configure(m_probability=m)
        if u is not None:
            level = level.configure(u_probability=u)
        return level

    levels: list[Any] = [
        cll.CustomLevel(c.null, label_for_charts="null").configure(is_null_level=True)
    ]
    for i, (code, sql) in enumerate(c.levels):
        level = start(cll.CustomLevel(sql, label_for_charts=code), code)
        if i == 0 and c.tf and with_tf:
            level = level.configure(tf_adjustment_column=c.tf, tf_adjustment_weight=1.0)
        levels.append(level)
    levels.append(start(cll.ElseLevel(), f"{c.name}:else"))
    return cl.CustomComparison(output_column_name=c.name, comparison_levels=levels)


def adjust_model(model: dict[str, Any]) -> dict[str, Any]:
    """Apply ``FIXED_M`` and ``M_FLOOR`` to a trained model (a Splink settings dict)."""
    for comparison in model["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        name = comparison["output_column_name"]
        for lv in levels:
            if lv.get("label_for_charts") == "All other comparisons":
                lv["label_for_charts"] = f"{name}:else"
        fixed = {
            i: FIXED_M[lv["label_for_charts"]]
            for i, lv in enumerate(levels)
            if lv["label_for_charts"] in FIXED_M
        }
        rest = sum(lv.get("m_probability") or 0 for i, lv in enumerate(levels) if i not in fixed)
        for i, lv in enumerate(levels):
            m = fixed.get(i)
            if m is None:
                m = (lv.get("m_probability") or 0) * (1 - sum(fixed.values())) / (rest or 1)
            lv["m_probability"] = max(m, M_FLOOR)
    return model


# Functions whose names differ between DuckDB and another Splink backend.
_FUZZY = ("jaro_winkler_function_name", "damerau_levenshtein_function_name")


def model_for_dialect(model: dict[str, Any], dialect: str) -> dict[str, Any]:
    """The same model (trained here, on DuckDB) with its SQL written for another Splink backend,
    e.g. ``"spark"``: only the names of the fuzzy functions differ; every other function used
    (``year``, ``month``, ``day``, ``contains``, ``least``…) is common SQL."""
    from splink.internals.dialects import SplinkDialect

    source, target = SplinkDialect.from_string("duckdb"), SplinkDialect.from_string(dialect)
    text = json.dumps(model)
    for attr in _FUZZY:
        text = text.replace(f"{getattr(source, attr)}(", f"{getattr(target, attr)}(")
    out: dict[str, Any] = json.loads(text)
    out["sql_dialect"] = dialect
    return out


def comparisons(with_household: bool) -> tuple[Comparison, ...]:
    """The comparisons the evidence of a pair is told by (one per field)."""
    return COMPARISONS + ((HOUSEHOLD,) if with_household else ())


def model_comparisons(with_household: bool) -> tuple[Comparison, ...]:
    """The comparisons of the model: the fields, with phone and address as one."""
    fields = tuple(c for c in COMPARISONS if c.name not in SEPARATE)
    return fields + (CONTACT,) + ((HOUSEHOLD,) if with_household else ())


def _block(rule: tuple[str, ...] | str) -> Any:
    from splink import block_on

    if isinstance(rule, str):
        return rule
    if rule[0].endswith("_noward") or rule[-1].endswith("_noward"):
        return f"l.{rule[0]} = r.{rule[1]}"  # one side's column against the other's
    return block_on(*rule)


def settings_for(with_household: bool, with_tf: bool = True, prior: float | None = None) -> Any:
    from splink import SettingsCreator

    blocks: list[Any] = [_block(rule) for rule in PREDICTION_BLOCKS]
    return SettingsCreator(
        link_type="dedupe_only",
        probability_two_random_records_match=prior or 1e-4,
        unique_id_column_name="unique_id",
        blocking_rules_to_generate_predictions=blocks,
        comparisons=[_comparison(c, with_tf) for c in model_comparisons(with_household)],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
        additional_columns_to_retain=[],
    )


# --- running it ----------------------------------------------------------------------------------


@dataclass
class Result:
    records: int = 0
    pairs_file: Path | None = None  # CSV: a_id, b_id, probability, reasons (JSON list of codes)
    pairs: int = 0
    trained: bool = False
    model: dict[str, Any] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


Progress = Callable[[str, int], None]


@contextmanager
def duckdb_connection(workdir: Path) -> Iterator[Any]:
    import duckdb

    con = duckdb.connect(
        ":memory:",
        config={
            # Never fetch anything: every function used is in DuckDB's core.
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "threads": max(1, min(os.cpu_count() or 1, 4)),
            "temp_directory": str(workdir / "duckdb.tmp"),
            "preserve_insertion_order": False,
        },
    )
    try:
        yield con
    finally:
        con.close()


def export_people(queryset: QuerySet[Any], path: Path) -> int:
    """Write the registry rows of ``queryset`` to ``path`` as CSV (no header); returns the count.

    PostgreSQL streams ``COPY (query) TO STDOUT``; other databases go through the cursor."""
    sql, params = queryset.values_list(*SOURCE_COLUMNS).query.sql_with_params()
    n = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg's own cursor, under Django's wrapper
            with (
                path.open("wb") as out,
                raw.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params) as copy,
            ):
                for block in copy:
                    out.write(block)
            with path.open("rb") as f:
                n = sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 20), b""))
            return n
        cursor.execute(sql, params)
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            while rows := cursor.fetchmany(5000):
                writer.writerows(rows)
                n += len(rows)
    return n


def _literal(path: Path) -> str:
    """A file name as a SQL string literal."""
    return "'" + str(path).replace("'", "''") + "'"


def _read_raw(con: Any, path: Path) -> None:
    columns = ", ".join(f"'{k}': '{v}'" for k, v in RAW_TYPES.items())
    con.execute(
        "CREATE OR REPLACE TABLE linkage_raw AS SELECT * FROM read_csv("  # noqa: S608
        f"{_literal(path)}, header = false, "
        f"columns = {{{columns}}}, quote = '\"', escape = '\"', nullstr = '', "
        "auto_detect = false, strict_mode = false)"
    )


def default_model(records: int, *, household: bool, path: Path = DEFAULT_MODEL) -> dict[str, Any]:
    """The bundled model for a scope of ``records`` people. Its prior (the chance that two random
    records are one person) is scaled from the registry it was trained on: the share of
    duplicates stays, the number of pairs grows with the square of the size."""
    saved = json.loads(path.read_text(encoding="utf-8"))
    model: dict[str, Any] = saved["settings"]
    prior = model["probability_two_random_records_match"] * saved["records"] / max(records, 2)
    model["probability_two_random_records_match"] = min(prior, 0.5)
    # Blocking decides which pairs are compared, not how they score: always this code's rules.
    current = settings_for(household).create_settings_dict("duckdb")
    model["blocking_rules_to_generate_predictions"] = current[
        "blocking_rules_to_generate_predictions"
    ]
    if not household:
        model["comparisons"] = [
            c for c in model["comparisons"] if c["output_column_name"] != "household"
        ]
    return model


def save_default_model(result: Result, path: Path = DEFAULT_MODEL) -> None:
    """Keep the model of a training run as the bundled one (see bench/linkage.py)."""
    text = json.dumps({"records": result.records, "settings": result.model}, indent=1)
    path.write_text(text + "\n", encoding="utf-8")


def run(
    queryset: QuerySet[Any],
    *,
    exclude_pairs: Iterator[tuple[int, int]] | None = None,
    threshold: float = THRESHOLD,
    train: bool | None = None,
    progress: Progress | None = None,
    workdir: Path | None = None,
    household: bool | None = None,
) -> Result:
    """Score every pair of records of ``queryset`` that share a blocking key; write those at or
    above ``threshold`` (and not in ``exclude_pairs``) to ``result.pairs_file``.

    ``train``: None trains when the scope has at least ``MIN_TRAIN`` records. ``household``:
    None compares households when some records have one."""
    say = progress or (lambda _msg, _pct: None)
    result = Result()
    workdir = workdir or Path(tempfile.mkdtemp(prefix="nhandao_linkage_"))
    t = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        result.seconds[name] = round(now - t, 3)
        t = now

    from splink import DuckDBAPI, Linker, block_on

    logging.getLogger("splink").setLevel(logging.WARNING)
    lap("start")
    raw_csv = workdir / "people.csv"
    result.records = export_people(queryset, raw_csv)
    lap("export")
    say("load", 10)
    with duckdb_connection(workdir) as con:
        _read_raw(con, raw_csv)
        raw_csv.unlink()
        con.execute(FEATURES_SQL)
        con.execute("DROP TABLE linkage_raw")
        with_household = (
            bool(
                con.execute(
                    f"SELECT count(*) FROM {INPUT} WHERE household_id IS NOT NULL"  # noqa: S608
                ).fetchone()[0]
            )
            if household is None
            else household
        )
        lap("features")
        if result.records < 2:
            result.pairs_file = workdir / "pairs.csv"
            result.pairs_file.write_text("")
            return result
        result.trained = result.records >= MIN_TRAIN if train is None else train
        api = DuckDBAPI(connection=con)
        if result.trained:
            prior = _prior(con, result.records)
            linker = Linker(INPUT, settings_for(with_household, prior=prior), api)
            say("u", 20)
            _train_u(linker, result.records)
            lap("train_u")
            say("em", 35)
            for cols in TRAINING_BLOCKS:
                linker.training.estimate_parameters_using_expectation_maximisation(
                    block_on(*cols), estimate_without_term_frequencies=True
                )
            lap("train_m")
            model = adjust_model(linker.misc.save_model_to_json())
            linker = Linker(INPUT, model, api)
        else:
            model = default_model(result.records, household=with_household)
            if result.records >= MIN_LOCAL_U and (prior := _prior(con, result.records)):
                model["probability_two_random_records_match"] = prior
            linker = Linker(INPUT, model, api)
            if result.records >= MIN_LOCAL_U:
                # m says how clerks write a person twice and travels well; u and the prior say
                # how alike strangers are here (two provinces share far more wards than the
                # nation does), so they are measured on the scope itself.
                say("u", 20)
                _train_u(linker, result.records)
                linker = Linker(INPUT, adjust_model(linker.misc.save_model_to_json()), api)
                lap("train_u")
        result.model = linker.misc.save_model_to_json()
        say("predict", 55)
        predictions = linker.inference.predict(threshold_match_probability=threshold)
        lap("predict")
        say("write", 85)
        result.pairs_file = workdir / "pairs.csv"
        result.pairs = _write_pairs(
            con,
            predictions.physical_name,
            comparisons(with_household),
            exclude_pairs,
            result.pairs_file,
        )
        lap("pairs")
    return result


def _prior(con: Any, records: int) -> float | None:
    """The chance that two random records are one person, from the pairs the deterministic
    rules (``DETERMINISTIC``: same citizen ID; same name, full birth date and ward) match, over
    their recall: counted with GROUP BY, without forming the pairs. None when they match none."""

    def pairs(columns: str) -> int:
        not_null = " AND ".join(f"{c} IS NOT NULL" for c in columns.split(", "))
        row = con.execute(
            "SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM (SELECT count(*) AS n "  # noqa: S608
            f"FROM {INPUT} WHERE {not_null} GROUP BY {columns})"
        ).fetchone()
        return int(row[0]) if row else 0

    by_id = pairs("id_number")
    by_name = pairs("name_key, birth_day, ward_id")
    both = pairs("id_number, name_key, birth_day, ward_id")
    matched = by_id + by_name - both
    if matched <= 0 or records < 2:
        return None
    return min(0.5, matched / DETERMINISTIC_RECALL / (records * (records - 1) / 2))


# The sample the u probabilities are measured on is drawn with a fixed seed: the same registry
# gives the same model and the same pairs run after run (a second run once proposed a pair the
# first had not, by the luck of the sample alone).
U_SAMPLE_SEED = 20251


def _train_u(linker: Any, records: int) -> None:
    linker.training.estimate_u_using_random_sampling(
        max_pairs=min(1e6, max(1e5, records * 1.0)), seed=U_SAMPLE_SEED
    )


def _write_pairs(
    con: Any,
    table: str,
    used: tuple[Comparison, ...],
    exclude_pairs: Iterator[tuple[int, int]] | None,
    path: Path,
) -> int:
    """Pairs as ``a_id, b_id, probability, reasons`` (a_id < b_id), minus the excluded ones.

    The reasons are the strongest level each comparison reaches, evaluated on the two records
    with the same SQL as the model (Splink's output keeps only the scores)."""
    codes = []
    for c in used:
        cases = " ".join(f"WHEN {sql} THEN '{code}'" for code, sql in c.levels)
        codes.append(f"CASE WHEN {c.null} THEN NULL {cases} ELSE '{c.name}:else' END")
    reasons = f"to_json(list_filter([{', '.join(codes)}], x -> x IS NOT NULL))"
    cols = [
        row[0]
        for row in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [INPUT]
        ).fetchall()
    ]
    sides = ", ".join(f"l.{c} AS {c}_l, r.{c} AS {c}_r" for c in cols)
    con.execute("CREATE OR REPLACE TABLE linkage_excluded (a BIGINT, b BIGINT)")
    if exclude_pairs is not None:
        import pandas as pd

        def insert(rows: list[tuple[int, int]]) -> None:
            # DuckDB reads the data frame by its name (executemany takes minutes at 100,000 rows)
            frame = pd.DataFrame(rows, columns=["a", "b"], dtype="int64")
            con.execute("INSERT INTO linkage_excluded SELECT a, b FROM frame")
            del frame

        batch: list[tuple[int, int]] = []
        for pair in exclude_pairs:
            batch.append(pair)
            if len(batch) >= 100_000:
                insert(batch)
                batch = []
        if batch:
            insert(batch)
    con.execute(
        f"""CREATE OR REPLACE TABLE linkage_pairs AS
            WITH scored AS (
                SELECT least(unique_id_l, unique_id_r) AS a,
                       greatest(unique_id_l, unique_id_r) AS b,
                       round(match_probability, 4) AS p
                FROM {table}
            ), both_sides AS (
                SELECT s.a, s.b, s.p, {sides}
                FROM scored s JOIN {INPUT} l ON l.unique_id = s.a
                JOIN {INPUT} r ON r.unique_id = s.b
            )
            SELECT a, b, p, {reasons} AS reasons FROM both_sides"""  # noqa: S608
    )
    con.execute(
        "DELETE FROM linkage_pairs USING linkage_excluded x "
        "WHERE linkage_pairs.a = x.a AND linkage_pairs.b = x.b"
    )
    con.execute(
        "COPY (SELECT * FROM linkage_pairs ORDER BY a, b) "  # noqa: S608
        f"TO {_literal(path)} (FORMAT csv, HEADER false)"
    )
    row = con.execute("SELECT count(*) FROM linkage_pairs").fetchone()
    return int(row[0]) if row else 0
