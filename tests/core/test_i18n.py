"""The English catalog: known strings translate, the catalog is complete and compiled, the
language menu switches a page, and every string marked in the code is in the catalog.

The source language is Vietnamese (the msgids); src/nhandao/locale/en/LC_MESSAGES/django.po holds
the English. The .mo next to it is committed, so a machine without gettext also gets English.
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

import nhandao
from nhandao.core.idnumber import check_citizen_id, check_legacy_id
from nhandao.core.phone import InvalidPhone, normalize_phone
from nhandao.orgs.models import UnitKind
from tests.conftest import login

SRC = Path(nhandao.__file__).resolve().parent
LC_MESSAGES = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "django.po"
MO_FILE = LC_MESSAGES / "django.mo"

REFRESH_COMMANDS = """\
Refresh the English catalog (from the repository root):
  .venv/bin/python manage.py makemessages -l en --ignore .venv --ignore node_modules \\
      --ignore tests --ignore bench --ignore docs --ignore var --ignore staticfiles \\
      --ignore "*/migrations/*" --add-location file --no-obsolete
  # translate the new entries in src/nhandao/locale/en/LC_MESSAGES/django.po:
  # no empty msgstr, no "#, fuzzy" flag, placeholders kept as they are
  .venv/bin/python manage.py compilemessages --ignore .venv --ignore node_modules
and commit both django.po and django.mo."""


# --- a small .po reader (polib is not a dependency) -------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')


def read_po(path: Path) -> list[Entry]:
    """The live entries of a .po file (header and obsolete "#~" entries left out)."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None  # the field a continuation line extends

    def finish() -> None:
        if entry is not None and entry.msgid:
            entries.append(entry)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if entry is not None and target is not None and target[0] == "msgstr":
                finish()  # a comment after a msgstr starts the next entry
                entry, target = None, None
            if line.startswith("#,"):
                entry = entry or Entry(line=number)
                entry.flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            continue
        if line.startswith('"'):
            if entry is None or target is None:
                raise AssertionError(f"{path}:{number}: stray string line")
            text = ast.literal_eval(line)
            name, form = target
            if name == "msgstr":
                entry.msgstr[form] += text
            else:
                setattr(entry, name, getattr(entry, name) + text)
            continue
        match = _KEYWORD.match(line)
        if match is None:
            raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
        keyword, form_index, literal = match.groups()
        text = ast.literal_eval(literal)
        if keyword in ("msgctxt", "msgid") and target is not None and target[0] == "msgstr":
            finish()
            entry = None
        if entry is None:
            entry = Entry(line=number)
        if keyword.startswith("msgstr"):
            position = int(form_index) if form_index is not None else 0
            entry.msgstr[position] = text
            target = ("msgstr", position)
        else:
            setattr(entry, keyword, text)
            target = (keyword, 0)
    finish()
    return entries


@pytest.fixture(scope="module")
def po_entries() -> list[Entry]:
    assert PO_FILE.is_file(), f"No English catalog at {PO_FILE}.\n{REFRESH_COMMANDS}"
    return read_po(PO_FILE)


# --- (a) known strings ------------------------------------------------------------------------


def test_unit_kinds_and_core_messages_translate_to_english() -> None:
    with translation.override("en"):
        assert str(UnitKind.BRANCH.label) == "Branch"
        assert str(UnitKind.COMMUNE.label) == "Commune chapter"
        assert str(UnitKind.NATIONAL.label) == "National office"
        assert str(UnitKind.CLUB.label) == "Club"
        with pytest.raises(InvalidPhone, match=r"^No phone number entered\.$"):
            normalize_phone("")
        with pytest.raises(InvalidPhone) as excinfo:
            normalize_phone("091234567")
        assert (
            str(excinfo.value)
            == "A mobile number must have 10 digits (this one has 9): “091234567”."
        )
        assert check_legacy_id("12345").errors == [
            "An old ID card number must have 9 or 12 digits (this one has 5)."
        ]
        assert check_citizen_id("").errors == ["No citizen ID number entered."]


def test_vietnamese_is_still_the_default() -> None:
    with translation.override("vi"):
        assert str(UnitKind.BRANCH.label) == "Chi hội"
        with pytest.raises(InvalidPhone, match=r"^Chưa nhập số điện thoại\.$"):
            normalize_phone("")


def test_plural_entry_translates() -> None:
    with translation.override("en"):
        assert translation.ngettext("%(n)s kết quả", "%(n)s kết quả", 1) % {"n": 1} == "1 result"
        assert translation.ngettext("%(n)s kết quả", "%(n)s kết quả", 3) % {"n": 3} == "3 results"


# One Vietnamese word can mean two things: (msgid, context, English without the context,
# English with it). The context keeps the Vietnamese as it is.
TWO_MEANINGS = [
    ("Không", "yes/no answer", "None", "No"),
    ("Đăng ký", "noun", "Register", "Registrations"),
    ("Kế hoạch", "noun", "Planned", "Plan"),
    ("Hủy", "status", "Cancel", "Cancelled"),
    ("Hủy", "void action", "Cancel", "Void"),
    ("Lớp", "training course", "Class", "Course"),
    ("Cam kết", "sponsorship commitment", "Pledges", "Commitment"),
    ("Chi", "verb", "Spending", "Spend"),
]


@pytest.mark.parametrize(("msgid", "context", "plain", "meant"), TWO_MEANINGS)
def test_a_word_with_two_meanings_translates_by_its_context(
    msgid: str, context: str, plain: str, meant: str
) -> None:
    with translation.override("en"):
        assert translation.gettext(msgid) == plain
        assert translation.pgettext(context, msgid) == meant
    with translation.override("vi"):
        assert translation.pgettext(context, msgid) == msgid


def test_the_code_asks_for_the_meaning_it_shows() -> None:
    from nhandao.aid.models import DistributionStatus
    from nhandao.blood.models import SessionStatus
    from nhandao.members.exports_volunteers import _flag

    with translation.override("en"):
        assert str(DistributionStatus.CANCELLED.label) == "Cancelled"
        assert str(SessionStatus.CANCELLED.label) == "Cancelled"
        assert str(DistributionStatus.PLANNED.label) == "Planned"
        assert (_flag(True), _flag(False)) == ("Yes", "No")
    with translation.override("vi"):
        assert str(DistributionStatus.CANCELLED.label) == "Hủy"
        assert _flag(False) == "Không"


# --- (b) the catalog is complete and compiled -------------------------------------------------

_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


def catalog_problems(entries: list[Entry], name: str) -> list[str]:
    """Fuzzy entries, empty translations and placeholders lost or added in translation."""
    problems = []
    for e in entries:
        where = f"{name}:{e.line} {e.msgid!r}"
        if "fuzzy" in e.flags:
            problems.append(f"{where}: fuzzy (msgfmt ignores it; check it and drop the flag)")
        forms = [0, 1] if e.msgid_plural is not None else [0]
        if any(not e.msgstr.get(i) for i in forms):
            problems.append(f"{where}: empty msgstr")
            continue
        sources = [e.msgid, e.msgid_plural] if e.msgid_plural is not None else [e.msgid]
        for i, source in zip(forms, sources, strict=True):
            if sorted(_PLACEHOLDER.findall(source)) != sorted(_PLACEHOLDER.findall(e.msgstr[i])):
                problems.append(f"{where}: placeholders differ in msgstr[{i}] {e.msgstr[i]!r}")
    return problems


def test_every_entry_is_translated_and_not_fuzzy(po_entries: list[Entry]) -> None:
    assert len(po_entries) > 200
    problems = catalog_problems(po_entries, PO_FILE.name)
    assert not problems, "\n".join(problems) + "\n\n" + REFRESH_COMMANDS


def test_the_checks_catch_fuzzy_empty_and_broken_entries(tmp_path: Path) -> None:
    sample = tmp_path / "django.po"
    sample.write_text(
        """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

#: a.py
msgid "Tổng quan"
msgstr "Overview"

#: a.py
#, fuzzy, python-format
#| msgid "Cũ %(n)s"
msgid "Mới %(n)s"
msgstr "Old %(n)s"

#: a.py
msgid ""
"Dài "
"hai dòng"
msgstr ""

#: a.py
#, python-format
msgid "%(n)s kết quả"
msgid_plural "%(n)s kết quả"
msgstr[0] "%(n)s result"
msgstr[1] "results"

#: a.py
msgctxt "unit status"
msgid "Ngừng hoạt động"
msgstr "Inactive"

#~ msgid "Bỏ"
#~ msgstr ""
""",
        encoding="utf-8",
    )
    entries = read_po(sample)
    assert [e.key for e in entries] == [
        (None, "Tổng quan"),
        (None, "Mới %(n)s"),
        (None, "Dài hai dòng"),
        (None, "%(n)s kết quả"),
        ("unit status", "Ngừng hoạt động"),
    ]
    problems = catalog_problems(entries, "django.po")
    assert len(problems) == 3
    assert "'Mới %(n)s': fuzzy" in problems[0]
    assert "'Dài hai dòng': empty msgstr" in problems[1]
    assert "placeholders differ in msgstr[1] 'results'" in problems[2]


def test_compiled_catalog_matches_the_po(po_entries: list[Entry]) -> None:
    """django.mo is committed: it must be compiled from the current django.po."""
    assert MO_FILE.is_file(), f"No {MO_FILE}.\n{REFRESH_COMMANDS}"
    with MO_FILE.open("rb") as fh:
        mo = gettext.GNUTranslations(fh)
    stale = []
    for e in po_entries:
        if e.msgid_plural is not None:
            got = [mo.ngettext(e.msgid, e.msgid_plural, n) for n in (1, 2)]
            want = [e.msgstr[0], e.msgstr[1]]
        elif e.msgctxt is not None:
            got, want = [mo.pgettext(e.msgctxt, e.msgid)], [e.msgstr[0]]
        else:
            got, want = [mo.gettext(e.msgid)], [e.msgstr[0]]
        if got != want:
            stale.append(f"{e.msgid!r}: .mo has {got!r}, .po has {want!r}")
    assert not stale, "django.mo is out of date:\n" + "\n".join(stale) + "\n\n" + REFRESH_COMMANDS


# --- (c) switching the language of a page -----------------------------------------------------


def test_language_menu_switches_the_dashboard(people) -> None:
    client = login(Client(), people.hn_officer)

    page = client.get("/")
    assert page.status_code == 200
    assert '<html lang="vi">' in page.text
    assert "Tổng quan" in page.text

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get("/")
    assert '<html lang="en">' in page.text
    assert "Overview" in page.text
    assert "Tổng quan" not in page.text
    assert "Sign out" in page.text

    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    page = client.get("/")
    assert '<html lang="vi">' in page.text
    assert "Tổng quan" in page.text
    assert "Overview" not in page.text


# --- (d) every string marked in the code is in the catalog ------------------------------------

# One or more adjacent Python string literals (implicit concatenation), possibly across lines.
_PY_LITERAL = r"""(?:[rRbBuU]?"(?:[^"\\\n]|\\.)*"|[rRbBuU]?'(?:[^'\\\n]|\\.)*')"""
_PY_LITERALS = rf"((?:\s*{_PY_LITERAL})+)"
_PY_CALL = re.compile(rf"\b(?:_|gettext|gettext_lazy|ngettext|ngettext_lazy)\(\s*{_PY_LITERALS}")
_PY_PCALL = re.compile(
    rf"\b(?:pgettext|pgettext_lazy|npgettext|npgettext_lazy)\(\s*{_PY_LITERALS}\s*,{_PY_LITERALS}"
)
_TPL_TRANSLATE = re.compile(
    r"""\{%\s*(?:translate|trans)\s+(["'])(.*?)\1(?:\s+noop)?(?:\s+context\s+(["'])(.*?)\3)?"""
)
_TPL_BLOCK = re.compile(
    r"\{%\s*(?:blocktranslate|blocktrans)\b([^%]*)%\}(.*?)\{%\s*(?:plural|endblocktranslate|"
    r"endblocktrans)\s*%\}"
)
_TPL_VAR = re.compile(r"\{\{\s*(\w+)\s*\}\}")
_TPL_CONTEXT = re.compile(r"""\bcontext\s+(["'])(.*?)\1""")


def _python_literal(source: str) -> str:
    return ast.literal_eval(f"({source.strip()})")


def marked_strings() -> dict[tuple[str | None, str], str]:
    """(context, msgid) of every single-line literal marked for translation, with where."""
    found: dict[tuple[str | None, str], str] = {}
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        where = str(path.relative_to(SRC.parent.parent))
        for m in _PY_CALL.finditer(text):
            found.setdefault((None, _python_literal(m.group(1))), where)
        for m in _PY_PCALL.finditer(text):
            key = (_python_literal(m.group(1)), _python_literal(m.group(2)))
            found.setdefault(key, where)
    for path in sorted(SRC.rglob("templates/**/*.html")):
        text = path.read_text(encoding="utf-8")
        where = str(path.relative_to(SRC.parent.parent))
        for m in _TPL_TRANSLATE.finditer(text):
            found.setdefault((m.group(4), m.group(2)), where)
        for m in _TPL_BLOCK.finditer(text):
            options, body = m.groups()
            if "trimmed" in options.split():
                body = " ".join(body.split())
            msgid = _TPL_VAR.sub(r"%(\1)s", body.replace("%", "%%"))
            context = _TPL_CONTEXT.search(options)
            found.setdefault((context.group(2) if context else None, msgid), where)
    return found


def test_scan_finds_strings_of_the_core_orgs_and_templates() -> None:
    where = set(marked_strings().values())
    for folder in ("core", "orgs", "templates", "orgs/templates"):
        assert any(w.startswith(f"src/nhandao/{folder}/") for w in where), folder


def test_every_marked_string_is_in_the_catalog(po_entries: list[Entry]) -> None:
    catalog = {e.key for e in po_entries}
    missing = sorted(
        f"  {where}: {msgid!r}" + (f" (context {ctx!r})" if ctx else "")
        for (ctx, msgid), where in marked_strings().items()
        if (ctx, msgid) not in catalog
    )
    assert not missing, (
        f"{len(missing)} string(s) marked for translation are not in {PO_FILE.name}:\n"
        + "\n".join(missing)
        + "\n\n"
        + REFRESH_COMMANDS
    )


def test_a_seeded_role_is_named_in_the_users_language(db):
    """The role in the top bar followed the language switch no more than the database did."""
    from django.utils import translation

    from nhandao.orgs.models import Role

    role = Role.objects.get(code="unit_admin")
    assert role.label == "Quản trị đơn vị"
    with translation.override("en"):
        assert role.label == "Unit administrator" and str(role) == "Unit administrator"
    custom = Role(code="x", name="Vai trò tự đặt")
    with translation.override("en"):
        assert custom.label == "Vai trò tự đặt"
