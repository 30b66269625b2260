"""The one staged import pipeline: a job per uploaded file, a row per data row, and the column
mappings remembered per file shape."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nhandao.core.scoping import ScopedQuerySet


def percent(done: int, total: int) -> int:
    """A progress bar's width: 0 to 100."""
    return min(100, round(100 * done / total)) if total else 0


class JobStatus(models.TextChoices):
    MAPPING = "mapping", _("Chờ ghép cột")
    VALIDATING = "validating", _("Đang kiểm tra")
    VALIDATED = "validated", _("Đã kiểm tra, chờ ghi")
    COMMITTING = "committing", _("Đang ghi")
    COMMITTED = "committed", _("Đã ghi")
    FAILED = "failed", _("Lỗi")
    CANCELLED = "cancelled", _("Đã hủy")


class ImportJob(models.Model):
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("loại danh sách"), max_length=40)
    filename = models.CharField(_("tệp"), max_length=255)
    sheet_name = models.CharField(max_length=100, blank=True)
    source_encoding = models.CharField(max_length=20, blank=True)
    status = models.CharField(
        max_length=12, choices=JobStatus.choices, default=JobStatus.MAPPING, db_index=True
    )
    header_row = models.PositiveIntegerField(default=0)  # 0-based index in the sheet
    # The header's text per column as found at upload (a later step needs no second parse of
    # a large workbook for it); empty for jobs uploaded before it was kept.
    header_texts = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict)  # {"<column index>": "<field>"}
    signature = models.CharField(max_length=64, blank=True, db_index=True)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict)
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    committed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("lượt nhập danh sách")
        verbose_name_plural = _("lượt nhập danh sách")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def progress(self) -> int:
        return percent(self.processed_rows, self.total_rows)

    @property
    def stalled(self) -> bool:
        """A validation or a commit handed to a background job that has said nothing for
        ``STALLED_AFTER`` (validation reports every 10,000 rows; a commit ends in one
        transaction): its worker is taken as gone, and the step may be asked for again."""
        return self.status in (JobStatus.VALIDATING, JobStatus.COMMITTING) and silent_too_long(
            self.updated_at
        )


class RowStatus(models.TextChoices):
    OK = "ok", _("Hợp lệ")
    WARNING = "warning", _("Cần xem lại")
    ERROR = "error", _("Lỗi")
    DUPLICATE = "duplicate", _("Trùng")
    EXISTING = "existing", _("Đã có (bỏ qua)")


class JSONText(models.TextField):  # type: ignore[type-arg]
    """JSON kept as plain text and read back as Python values. Validation writes a million rows
    at once with COPY: PostgreSQL parsing four ``jsonb`` values per row was most of that load's
    server time (330,000 rows: 3.0 s as ``jsonb``, 1.9 s as text); nothing queries inside them,
    and the commit casts the values it writes once (``CAST("values" AS jsonb)``)."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return None if value is None else orjson.loads(value)

    def to_python(self, value: Any) -> Any:
        return orjson.loads(value) if isinstance(value, str) else value

    def get_prep_value(self, value: Any) -> Any:
        return None if value is None else orjson.dumps(value).decode()


class ImportRow(models.Model):
    """One data row of a job as validation left it. Rows are only ever read by job (and status
    within it): the unique (job, row number) index serves every read, so no other index is kept
    up to date by the bulk load of a million rows. Nor is the reference to the job checked by
    the database, row by row at the end of the load: rows are written only by validation, for a
    job it has just read, and removed with it (``on_delete`` runs in Django)."""

    job = models.ForeignKey(
        ImportJob,
        on_delete=models.CASCADE,
        related_name="rows",
        db_index=False,
        db_constraint=False,
    )
    row_number = models.PositiveIntegerField()  # as the user sees it in Excel (1-based)
    values = JSONText(default=dict)  # normalised values ready to write
    natural_key = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=RowStatus.choices, default=RowStatus.OK)
    problems = JSONText(default=list)  # [{"column": "C", "field": ..., "message": ...}]
    matches = JSONText(default=list)  # likely existing records: [{"id", "name", "score"}]
    duplicate_of_row = models.PositiveIntegerField(null=True, blank=True)
    result_id = models.BigIntegerField(null=True, blank=True)  # unused since 0002: ImportResult

    class Meta:
        ordering = ["row_number"]
        constraints = [
            models.UniqueConstraint(fields=["job", "row_number"], name="imports_row_unique")
        ]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.row_number}"


class ImportResult(models.Model):
    """What a committed row became (the id of the record written), one per written row. Kept
    apart from ImportRow so that a commit inserts narrow rows instead of rewriting wide ones.
    Written only by the commit, for the job it holds locked: the database does not check the
    reference once per row (see ImportRow)."""

    job = models.ForeignKey(
        ImportJob, on_delete=models.CASCADE, related_name="results", db_constraint=False
    )
    row_number = models.PositiveIntegerField()
    result_id = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.job_id}:{self.row_number} -> {self.result_id}"


class SavedMapping(models.Model):
    """A column mapping remembered for the next file of the same shape (same header texts)."""

    unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    signature = models.CharField(max_length=64)
    mapping = models.JSONField(default=dict)  # {"<header text>": "<field>"}
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "kind", "signature"], name="imports_mapping_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.signature[:8]}"


class ImportFile(models.Model):
    """The uploaded file of a job, in a table of its own: the job row is updated at every step
    and progress tick, and on SQLite an update rewrites the whole row, file included. Kept in the
    database (not on disk) so that workers on other machines can read it."""

    job = models.OneToOneField(
        ImportJob, on_delete=models.CASCADE, primary_key=True, related_name="file"
    )
    content = models.BinaryField(_("nội dung tệp"))

    def __str__(self) -> str:
        return str(self.job_id)


class WorkbookStatus(models.TextChoices):
    BUILDING = "building", _("Đang lập")
    READY = "ready", _("Đã xong")
    FAILED = "failed", _("Lỗi")


class ErrorWorkbook(models.Model):
    """The result workbook of a long list (the file repeated with an error column and the
    failing cells marked), built by a background job with its progress, then kept for download:
    a million rows take minutes, far longer than a page may. ``for_status`` is the job's status
    it was built for: a commit turns rows into "already imported", so a workbook of the
    validated list is rebuilt once the list is committed. ``attempt`` tells a superseded build
    apart (a build started again while an older one still runs writes nothing). Kept in the
    database, like the uploaded file, so that any web worker can serve what any job worker
    built."""

    job = models.OneToOneField(
        ImportJob, on_delete=models.CASCADE, primary_key=True, related_name="workbook"
    )
    status = models.CharField(
        max_length=10, choices=WorkbookStatus.choices, default=WorkbookStatus.BUILDING
    )
    for_status = models.CharField(max_length=12, choices=JobStatus.choices)
    attempt = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    size = models.PositiveBigIntegerField(default=0)
    content = models.BinaryField(default=b"")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    built_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tệp kết quả kiểm tra")
        verbose_name_plural = _("tệp kết quả kiểm tra")

    def __str__(self) -> str:
        return f"{self.job_id} ({self.status})"

    @property
    def progress(self) -> int:
        return percent(self.rows_done, self.rows_total)

    @property
    def stalled(self) -> bool:
        """A build that has said nothing for ``STALLED_AFTER``: its worker is taken as gone, and
        the build may be started again."""
        return self.status == WorkbookStatus.BUILDING and silent_too_long(self.updated_at)


# A background step reports every 10,000 rows (a few seconds) or ends within a minute or two
# (reading a million-row .xlsx: about 15 s; its commit: about 40 s): a quarter of an hour of
# silence is a worker that is gone.
STALLED_AFTER = dt.timedelta(minutes=15)


def silent_too_long(updated_at: dt.datetime | None) -> bool:
    return updated_at is not None and timezone.now() - updated_at > STALLED_AFTER
