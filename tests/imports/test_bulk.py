"""The set-based pipeline: the bulk row parser gives exactly what the person service gives, a
generated list imports with a fixed number of queries whatever its length, progress moves in
chunks, the import is audited once, and importing it again adds nothing."""

from __future__ import annotations

import datetime as dt
import gc
import os
import tempfile
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench import gen_people
from nhandao.beneficiaries import importers
from nhandao.beneficiaries.models import Beneficiary, GroupMembership
from nhandao.core.dates import today_vn
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.geo.legacy import convert_address
from nhandao.geo.services import geo_load_official
from nhandao.imports import services
from nhandao.imports.headers import data_rows, find_header
from nhandao.imports.models import ImportJob, ImportRow, JobStatus, RowStatus
from nhandao.imports.readers import read_table
from nhandao.people import bulk, matching
from nhandao.people import services as people_services
from nhandao.people.models import Person
from tests.conftest import actor

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def geo(db):
    geo_load_official()


def _list(n: int, seed: int = 7) -> bytes:
    """A generated list of Hà Nội people (with the generator's duplicates and faults) as CSV."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ds.csv"
        gen_people.write_csv(gen_people.generate(n, seed=seed, province_codes=[1]), path)
        return path.read_bytes()


def _run(user, unit, data: bytes, name: str = "ds.csv") -> ImportJob:
    job = services.import_upload(
        actor=actor(user), unit=unit, kind="beneficiaries", filename=name, data=data
    )
    mapping = {int(k): v for k, v in job.mapping.items()}
    header = services.job_headers(job)
    mapping[header.index("Mã tham chiếu")] = "source_ref"  # what a user picks over "Mã hộ"
    mapping = {c: f for c, f in mapping.items() if not (f == "source_ref" and header[c] == "Mã hộ")}
    job = services.import_set_mapping(actor=actor(user), job=job, mapping=mapping)
    return services.import_validate(job_id=job.pk)


def _by_service(cells: dict, unit) -> dict | None:
    """What the person service alone makes of a row (the reference for the bulk parser)."""
    text = importers._text
    address = text(cells.get("address"))
    ward_id, detail, original = unit.ward_id, address, ""
    if address:
        place = convert_address(address)
        if place.ward_code:
            ward_id, detail = place.ward_code, place.detail
            original = address if place.was_legacy else ""
        elif place.was_legacy or place.note:
            original = address
    id_raw, legacy_raw = importers._ids(text(cells.get("id_number")))
    birth = cells.get("birth")
    birth = birth if isinstance(birth, int | float | dt.date) else text(birth)
    data = people_services.PersonData(
        full_name=text(cells.get("full_name")),
        birth=birth or None,
        sex=importers.SEX_WORDS.get(importers.fold(text(cells.get("sex"))), ""),
        id_number=id_raw,
        legacy_id=legacy_raw or text(cells.get("legacy_id")),
        phone=text(cells.get("phone")),
        ward_id=ward_id,
        address_detail=detail,
        address_original=original,
        source_ref=text(cells.get("source_ref")),
    )
    try:
        return people_services.person_check(data).values
    except ApplicationError:
        return None


def test_the_bulk_parser_gives_what_the_person_service_gives(tree):
    table = read_table(_list(1500), "ds.csv")
    match = find_header(table.rows, importers.COLUMNS)
    rows = data_rows(table.rows, match)
    parse = importers.RowParser(tree.hoan_kiem)
    compared = refused = 0
    for _number, cells in rows:
        by_field = {f: cells[c] for c, f in match.mapping.items()}
        expected = _by_service(by_field, tree.hoan_kiem)
        parsed = parse(by_field)
        if expected is None:
            assert parsed.match_values is None
            assert any(p.level == "error" for p in parsed.problems)
            refused += 1
            continue
        assert parsed.match_values == expected, by_field
        compared += 1
    assert compared > 1400 and refused > 0  # the generator writes some invalid rows
    assert len(parse.places) < len(parse.addresses)  # numbered hamlets share their commune


def test_a_list_imports_with_the_same_queries_whatever_its_length(tree, people):
    counts = []
    for n in (30, 60, 600):  # the first import also loads what is cached per process
        with CaptureQueriesContext(connection) as queries:
            job = _run(people.hn_admin, tree.hanoi, _list(n, seed=n))
            job = services.import_commit(actor=actor(people.hn_admin), job=job)
        assert job.status == JobStatus.COMMITTED and job.counts["total"] == n
        counts.append(len(queries))
    assert counts[1] == counts[2], counts  # set-based: nothing is asked once per row


def test_import_writes_persons_profiles_groups_and_one_audit_event(tree, people):
    job = _run(people.hn_admin, tree.hanoi, _list(400))
    c = job.counts
    assert c["total"] == 400 and c["duplicate"] > 0 and c["error"] > 0
    assert Person.objects.count() == 0  # nothing written before the commit
    before = AuditEvent.objects.count()
    job = services.import_commit(actor=actor(people.hn_admin), job=job)
    written = job.counts["written"]
    assert written == c["ok"] + c["warning"] == Person.objects.count()
    assert Beneficiary.objects.count() == written
    assert GroupMembership.objects.filter(beneficiary__unit=tree.hanoi).exists()
    # A poverty group is written with this year and the standard; any other group with neither.
    year = today_vn().year
    poor = GroupMembership.objects.filter(group_id__in=["poor", "near_poor"])
    assert poor.exists() and set(poor.values_list("year", "standard")) == {(year, "2022–2025")}
    other = GroupMembership.objects.exclude(group_id__in=["poor", "near_poor"])
    assert other.exists() and set(other.values_list("year", "standard")) == {(None, "")}
    assert AuditEvent.objects.count() == before + 1  # one event summarising the import
    event = AuditEvent.objects.latest("pk")
    assert event.changes["written"] == [None, written]
    # Each written row points at its profile; each person is what the row said.
    assert job.results.count() == written
    result = job.results.order_by("row_number").first()
    row = job.rows.get(row_number=result.row_number)
    assert row.status in (RowStatus.OK, RowStatus.WARNING)
    profile = Beneficiary.objects.select_related("person").get(pk=result.result_id)
    cells = services.job_cells(job)[row.row_number]  # read again from the kept file
    assert profile.person.full_name.split()[-1].lower() in cells[1].lower()
    assert profile.person.unit_id == tree.hanoi.pk
    assert profile.person.created_by_id == people.hn_admin.pk
    assert profile.person.sort_key and profile.person.name_key and profile.person.key_name_year
    # A person created one by one gets the same keys as one imported.
    again = people_services.person_check(
        people_services.PersonData(
            full_name=profile.person.full_name,
            birth=profile.person.birth_date,
            ward_id=profile.person.ward_id,
        )
    ).values
    assert again["sort_key"] == profile.person.sort_key
    assert again["key_given_ward"] == profile.person.key_given_ward


def test_importing_the_list_again_adds_nothing_and_finds_the_registry(tree, people):
    data = _list(300)
    first = services.import_commit(
        actor=actor(people.hn_admin), job=_run(people.hn_admin, tree.hanoi, data)
    )
    stored = Person.objects.count()
    second = _run(people.hn_admin, tree.hanoi, data)
    assert second.counts["existing"] == first.counts["written"]
    # Rows that will not be written keep no values; the rows that may be, theirs.
    kept = ImportRow.objects.filter(job=second)
    assert not kept.filter(status=RowStatus.EXISTING).exclude(values={}).exists()
    ok = ImportRow.objects.filter(job=first, status=RowStatus.OK)
    name_at = bulk.STAGED_PERSON_FIELDS.index("full_name")
    assert ok.exists() and all(r.values["person"][name_at] for r in ok)
    duplicates = ImportRow.objects.filter(job=first, status=RowStatus.DUPLICATE)
    assert not duplicates.exclude(values={}).exists()
    second = services.import_commit(actor=actor(people.hn_admin), job=second)
    assert second.counts["written"] == 0 and Person.objects.count() == stored


def test_rows_of_a_new_list_are_matched_against_the_registry(tree, people):
    data = _list(400).decode("utf-8-sig").splitlines()
    head, body = data[0], data[1:]
    services.import_commit(
        actor=actor(people.hn_admin),
        job=_run(people.hn_admin, tree.hanoi, "\n".join([head, *body[::2]]).encode()),
    )
    # The other half: its degraded copies of people already stored are shown as likely matches.
    job = _run(people.hn_admin, tree.hanoi, "\n".join([head, *body[1::2]]).encode())
    matched = ImportRow.objects.filter(job=job).exclude(matches=[])
    assert job.counts["with_matches"] == matched.count() > 0
    m = matched.first().matches[0]
    assert {"id", "name", "birth", "unit", "score", "reasons"} <= set(m) and m["score"] >= 0.5
    assert Person.objects.filter(pk=m["id"], unit=tree.hanoi).exists()


def test_matches_outside_the_scope_are_only_counted(tree, people):
    data = _list(200)
    services.import_commit(
        actor=actor(people.hn_admin), job=_run(people.hn_admin, tree.hanoi, data)
    )
    # A commune clerk elsewhere imports the same people: seen in the registry, not in scope.
    job = _run(people.outsider, tree.quang_tri, data)
    rows = ImportRow.objects.filter(job=job).exclude(matches=[])
    assert rows.exists()
    for row in rows:
        assert row.matches == [row.matches[0]] and set(row.matches[0]) == {"outside_scope"}


def test_progress_is_saved_in_chunks(tree, people, monkeypatch):
    monkeypatch.setattr(services, "BATCH", 100)
    with CaptureQueriesContext(connection) as queries:
        job = _run(people.hn_admin, tree.hanoi, _list(350))
    updates = [
        q["sql"]
        for q in queries
        if q["sql"].startswith('UPDATE "imports_importjob"') and "processed_rows" in q["sql"]
    ]
    assert job.progress == 100
    assert 4 <= len(updates) <= 7  # every 100 rows (and the start and the end), not every row


def test_an_interrupted_validation_leaves_the_job_to_run_again(tree, people, monkeypatch):
    data = _list(120)
    real = importers.BENEFICIARIES.matches

    def breaks(user, items):
        raise RuntimeError("worker killed")

    object.__setattr__(importers.BENEFICIARIES, "matches", breaks)
    assert gc.isenabled()
    try:
        with pytest.raises(RuntimeError):
            _run(people.hn_admin, tree.hanoi, data)
    finally:
        object.__setattr__(importers.BENEFICIARIES, "matches", real)
    assert gc.isenabled()  # the collector paused for the job is back, failure or not
    job = ImportJob.objects.latest("pk")
    assert job.status == JobStatus.VALIDATING and not job.rows.exists()
    job = services.import_validate(job_id=job.pk)  # the job runs again from the start
    assert job.status == JobStatus.VALIDATED and job.rows.count() == 120


def test_the_head_of_a_big_csv_is_read_without_the_rest_but_its_rows_are_counted():
    line = "Nguyễn Văn An,1960,0912345678\n"
    data = ("Họ và tên,Năm sinh,Điện thoại\n" + line * 200_000).encode()
    assert len(data) > 4 * 1024 * 1024
    head = read_table(data, "ds.csv", head_rows=50, max_bytes=len(data))
    assert len(head.rows) == 50 and head.rows[1] == ["Nguyễn Văn An", "1960", "0912345678"]
    with pytest.raises(ApplicationError, match=r"vượt giới hạn 100\.000 dòng"):
        read_table(data, "ds.csv", head_rows=50, max_bytes=len(data), max_rows=100_000)
    whole = read_table(data, "ds.csv", max_bytes=len(data))
    assert len(whole.rows) == 200_001


def _rows_of(job: ImportJob) -> list[tuple]:
    return list(
        ImportRow.objects.filter(job=job)
        .order_by("row_number")
        .values_list(
            "row_number", "values", "natural_key", "status", "problems", "matches",
            "duplicate_of_row",
        )
    )  # fmt: skip


def test_a_long_list_checked_in_two_processes_gives_the_same_rows(tree, people, settings):
    data = _list(400)
    settings.NHANDAO_IMPORT_PARALLEL_MIN_ROWS = 10**9
    alone = _run(people.hn_admin, tree.hanoi, data)
    settings.NHANDAO_IMPORT_PARALLEL_MIN_ROWS = 10
    forked = _run(people.hn_admin, tree.hanoi, data)
    assert forked.counts == alone.counts and forked.progress == 100
    assert _rows_of(forked) == _rows_of(alone)
    assert any(r[3] == RowStatus.DUPLICATE for r in _rows_of(forked))


def test_the_forked_half_never_uses_the_database_and_falls_back(db, settings):
    from nhandao.imports import parallel

    settings.NHANDAO_IMPORT_PARALLEL_MIN_ROWS = 2
    parent = os.getpid()

    def work(start: int, stop: int, tick) -> list[tuple[int, int]]:
        if os.getpid() != parent:
            ImportJob.objects.exists()  # refused in the child: the parent does this half again
        tick(stop - start)
        return [(i, os.getpid()) for i in range(start, stop)]

    seen: list[int] = []
    result = [row for part in parallel.in_parts(work, 10, seen.append) for row in part]
    assert [i for i, _pid in result] == list(range(10))
    assert {pid for _i, pid in result} == {parent}  # the child's half was redone here
    assert seen and seen[-1] == 10
    assert ImportJob.objects.count() == 0  # the parent's session still works


def _wait_for(flag: Path) -> None:
    """Until ``flag`` exists (giving up after 20 s)."""
    for _ in range(2000):
        if flag.exists():
            return
        time.sleep(0.01)


def test_the_parts_come_in_row_order_the_first_while_the_child_still_works(db, settings):
    from nhandao.imports import parallel

    settings.NHANDAO_IMPORT_PARALLEL_MIN_ROWS = 2
    parent = os.getpid()
    flag = Path(tempfile.mkdtemp()) / "first-part-used"

    def work(start: int, stop: int, tick) -> list[tuple[int, int, bool]]:
        if os.getpid() != parent:
            _wait_for(flag)  # the child ends after the parent has had its part
        tick(stop - start)
        return [(i, os.getpid(), flag.exists()) for i in range(start, stop)]

    parts: list[list[tuple[int, int, bool]]] = []
    for part in parallel.in_parts(work, 10, lambda done: None, share=0.4, chunk=6):
        parts.append(part)
        flag.touch()  # this process works through its part before the child's is asked for
    assert [len(p) for p in parts] == [4, 6]
    assert [i for p in parts for i, _pid, _seen in p] == list(range(10))
    assert {pid for _i, pid, _seen in parts[0]} == {parent}
    assert {pid for _i, pid, _seen in parts[1]} != {parent}  # done in the child…
    assert all(seen for _i, _pid, seen in parts[1])  # …which saw the first part used meanwhile


def test_the_childs_part_comes_a_chunk_at_a_time_while_it_still_works(db, settings):
    from nhandao.imports import parallel

    settings.NHANDAO_IMPORT_PARALLEL_MIN_ROWS = 2
    parent = os.getpid()
    flag = Path(tempfile.mkdtemp()) / "first-chunk-used"

    def work(start: int, stop: int, tick) -> list[tuple[int, int, bool]]:
        if os.getpid() != parent and start >= 6:
            _wait_for(flag)  # the child's second chunk waits for the parent to use its first
        tick(stop - start)
        return [(i, os.getpid(), flag.exists()) for i in range(start, stop)]

    reported: list[int] = []
    parts: list[list[tuple[int, int, bool]]] = []
    for part in parallel.in_parts(work, 10, reported.append, share=0.2, chunk=4):
        parts.append(part)
        if len(parts) == 2:
            flag.touch()
    assert [len(p) for p in parts] == [2, 4, 4]
    assert [i for p in parts for i, _pid, _seen in p] == list(range(10))
    assert {pid for p in parts[1:] for _i, pid, _seen in p} != {parent}
    assert not any(seen for _i, _pid, seen in parts[1])
    assert all(seen for _i, _pid, seen in parts[2])  # done after the first chunk was used
    assert reported == sorted(reported) and reported[-1] == 10


def test_a_child_that_fails_half_way_leaves_only_the_rest_to_redo(db, settings):
    from nhandao.imports import parallel

    settings.NHANDAO_IMPORT_PARALLEL_MIN_ROWS = 2
    parent = os.getpid()

    def work(start: int, stop: int, tick) -> list[tuple[int, int]]:
        if os.getpid() != parent and start >= 6:
            raise RuntimeError("the child's second chunk fails")
        tick(stop - start)
        return [(i, os.getpid()) for i in range(start, stop)]

    parts = list(parallel.in_parts(work, 10, lambda done: None, share=0.2, chunk=4))
    assert [i for p in parts for i, _pid in p] == list(range(10))
    assert [len(p) for p in parts] == [2, 4, 4]
    assert {pid for _i, pid in parts[1]} != {parent}  # the first chunk is the child's
    assert {pid for _i, pid in parts[2]} == {parent}  # the rest was done here


def test_the_in_file_check_skips_only_pairs_that_cannot_reach_its_floor(tree):
    from nhandao.people.bulk import UNDATED_BOUND, InFileIndex

    table = read_table(_list(1500, seed=11), "ds.csv")
    match = find_header(table.rows, importers.COLUMNS)
    mapping = {c: f for c, f in match.mapping.items() if f != "source_ref"}
    mapping[match.header_texts.index("Mã tham chiếu")] = "source_ref"
    parse = importers.RowParser(tree.hanoi)
    values = []
    for number, cells in data_rows(table.rows, match):
        parsed = parse({f: cells[c] for c, f in mapping.items() if c < len(cells)})
        if parsed.match_values:
            values.append((number, parsed.match_values))
    assert any(v.get("birth_date") is None for _n, v in values)  # undated rows are there
    every, floored = InFileIndex(), InFileIndex(floor=services.IN_FILE_DUPLICATE)
    # The oracle: every earlier row sharing any key, each scored in full, no bound.
    oracle = matching.BatchIndex()
    assert services.IN_FILE_DUPLICATE > UNDATED_BOUND
    kept = 0
    for number, v in values:
        best, fast = every.check(number, v), floored.check(number, v)
        full = oracle.best(v)
        oracle.add(number, v)
        if full is not None and full[1].score >= services.IN_FILE_DUPLICATE:
            assert best is not None and best[1].score == full[1].score
        if best is not None and best[1].score >= services.IN_FILE_DUPLICATE:
            kept += 1
            assert fast is not None and (fast[0], fast[1].score, fast[1].reasons) == (
                best[0],
                best[1].score,
                best[1].reasons,
            )
        else:
            assert fast is None or fast[1].score < services.IN_FILE_DUPLICATE
    assert kept and floored.pairs < every.pairs and floored.scored < every.scored
    assert floored.scored < floored.pairs  # the bound spared most full scores


def test_the_score_bound_is_never_below_the_score(tree):
    table = read_table(_list(600, seed=5), "ds.csv")
    match = find_header(table.rows, importers.COLUMNS)
    parse = importers.RowParser(tree.hanoi)
    values = [
        p.match_values
        for _n, cells in data_rows(table.rows, match)
        if (
            p := parse({f: cells[c] for c, f in match.mapping.items() if c < len(cells)})
        ).match_values
    ]
    index = matching.BatchIndex()
    pairs = 0
    for number, v in enumerate(values):
        for key in matching.BLOCKING_KEYS:
            for _row, other in index._by_key.get((key, str(v.get(key))), []):
                pairs += 1
                assert matching.score_bound(v, other) >= matching.score(v, other).score
        index.add(number, v)
    assert pairs > 500


def test_the_registry_check_finds_a_person_by_given_name_commune_and_year(tree):
    """The bulk check's given name + commune + birth year rule, on SQLite as on PostgreSQL (on
    SQLite the year was once never read)."""
    from nhandao.geo.models import Ward
    from nhandao.imports import sql
    from nhandao.people import bulk

    def check(**data) -> dict:
        return people_services.person_check(people_services.PersonData(**data)).values

    ward = Ward.objects.order_by("code").first().code
    stored = Person.objects.create(
        unit=tree.hoan_kiem, **check(full_name="Nguyễn Thắm", birth="2016", ward_id=ward)
    )
    Person.objects.create(  # the same name and commune, another year
        unit=tree.hoan_kiem, **check(full_name="Nguyễn Thắm", birth="1990", ward_id=ward)
    )
    row = check(full_name="Nguyễn Ngọc Thắm", birth="12/02/2016", ward_id=ward)
    assert row["key_given_ward"] == stored.key_given_ward == f"tham|{ward}"
    assert row["name_key"] != stored.name_key
    with connection.cursor() as cursor, sql.bulk_session(cursor):
        found = list(bulk.registry_candidates(cursor, [(7, row)], None))
    assert [(c.i, c.person_id) for c in found] == [(7, stored.pk)]
    assert "trùng năm sinh" in found[0].match.reasons and found[0].match.score >= 0.5


def test_the_registry_check_finds_undated_people_whose_ids_are_one_digit_apart(tree):
    """Undated pairs are joined on names only when both IDs can be one digit apart: a digit off in
    either half of the number is still found."""
    from nhandao.geo.models import Ward
    from nhandao.imports import sql
    from nhandao.people import bulk

    def check(**data) -> dict:
        return people_services.person_check(people_services.PersonData(**data)).values

    ward = Ward.objects.order_by("code").first().code
    name = "Trần Văn Bình"
    stored = Person.objects.create(
        unit=tree.hoan_kiem, **check(full_name=name, id_number="001160012345", ward_id=ward)
    )
    dated = Person.objects.create(
        unit=tree.hoan_kiem,
        **check(full_name="Lê Thị Hoa", birth="1960", id_number="001160054321", ward_id=ward),
    )
    items = [
        (1, check(full_name=name, id_number="001160012346", ward_id=ward)),  # second half
        (2, check(full_name=name, id_number="002160012345", ward_id=ward)),  # first half
        (3, check(full_name=name, id_number="001160098765", ward_id=ward)),  # far apart
    ]
    assert all(v["id_number"] and v["birth_date"] is None for _i, v in items)
    # Namesakes of one year: one digit apart is found, further apart is not.
    items += [
        (4, check(full_name="Lê Thị Hoa", birth="1960", id_number="001160054322")),
        (5, check(full_name="Lê Thị Hoa", birth="1960", id_number="001160099999")),
    ]
    # A dated row and an undated person of its name in another commune (only the name joins
    # them; SQLite reads the undated persons first for that join).
    other_ward = Ward.objects.exclude(code=ward).order_by("code").first().code
    items.append(
        (6, check(full_name=name, birth="1960", id_number="001160012347", ward_id=other_ward))
    )
    with connection.cursor() as cursor, sql.bulk_session(cursor):
        found = list(bulk.registry_candidates(cursor, items, None))
    assert [(c.i, c.person_id) for c in found] == [
        (1, stored.pk),
        (2, stored.pk),
        (4, dated.pk),
        (6, stored.pk),
    ]
    assert all("số CCCD lệch một chữ số" in c.match.reasons for c in found)


def _namesake(name: str, year: int | None, ident: str, ward: int | None = None) -> dict:
    """The match values of a person of the given name and birth year (or none), as the parser
    makes them."""
    given = name.split()[-1]
    return {
        "name_key": name,
        "key_name_year": f"{name}|{year or ''}",
        "key_given_ward": f"{given}|{ward}" if ward else "",
        "birth_date": dt.date(year, 1, 1) if year else None,
        "birth_precision": "year" if year else "",
        "id_number": ident,
        "legacy_id": "",
        "phone": "",
        "ward_id": ward,
    }


def _best_of_each(index, rows: list[dict]) -> list:
    with bulk.memoised_reasons():
        found = [index.check(n, v) for n, v in enumerate(rows, start=2)]
    return [None if f is None else (f[0], f[1].score, f[1].reasons) for f in found]


def test_a_common_name_finds_ids_one_digit_apart_by_lookup_as_by_reading(monkeypatch):
    """Hundreds of namesakes with citizen IDs, some dated and some not, and copies whose ID is one
    digit off: the lookup of the numbers one digit off gives, row for row, what reading each
    namesake's ID gives."""
    import random

    draw = random.Random(3)
    wards = [101, 102, 103]
    rows: list[dict] = []
    for k in range(400):
        ident = f"001{draw.choice('01')}80{draw.randrange(10**6):06d}"
        rows.append(_namesake("nguyen thi hoa", 1980 if k % 4 else None, ident, draw.choice(wards)))
        if k % 10 == 9:  # a copy of an earlier row, one digit of its ID mistyped
            earlier = draw.choice(rows[:-1])
            at = draw.randrange(3, 12)
            digit = str((int(earlier["id_number"][at]) + draw.randrange(1, 10)) % 10)
            copy = dict(
                earlier,
                id_number=earlier["id_number"][:at] + digit + earlier["id_number"][at + 1 :],
            )
            rows.append(copy)
    lookups = []
    near_ids = bulk.InFileIndex._near_ids
    monkeypatch.setattr(
        bulk.InFileIndex,
        "_near_ids",
        lambda self, ident: lookups.append(ident) or near_ids(self, ident),
    )
    monkeypatch.setattr(bulk, "NEAR_SCAN_MAX", 10**9)
    read = _best_of_each(bulk.InFileIndex(floor=services.IN_FILE_DUPLICATE), rows)
    assert not lookups
    monkeypatch.setattr(bulk, "NEAR_SCAN_MAX", 8)
    looked_up = _best_of_each(bulk.InFileIndex(floor=services.IN_FILE_DUPLICATE), rows)
    assert len(lookups) > 300
    assert looked_up == read
    one_digit = [f for f in looked_up if f and "số CCCD lệch một chữ số" in f[2]]
    assert len(one_digit) >= 30


def test_an_id_of_another_length_turns_the_lookup_off(monkeypatch):
    """Two IDs one edit apart but of different lengths (which the checks never let through) are
    still found: the index reads the buckets once it holds such an ID."""
    monkeypatch.setattr(bulk, "NEAR_SCAN_MAX", 0)
    rows = [
        _namesake("tran van an", 1975, "001075000111"),
        _namesake("tran van an", 1975, "00107512345"),  # 11 digits
        _namesake("tran van an", 1975, "001075123456"),  # the same with a digit added
    ]
    found = _best_of_each(bulk.InFileIndex(floor=services.IN_FILE_DUPLICATE), rows)
    assert found[2] is not None and found[2][0] == 3
