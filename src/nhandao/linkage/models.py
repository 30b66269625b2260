"""Batch duplicate search over the registry of a scope: runs, candidate pairs and decisions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from nhandao.core.scoping import ScopedQuerySet


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Chờ chạy")
    RUNNING = "running", _("Đang chạy")
    DONE = "done", _("Xong")
    FAILED = "failed", _("Lỗi")


class LinkageRun(models.Model):
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    # Progress: ``processed`` steps of ``total`` (per cent), ``message`` names the current step.
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    pairs_found = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    records = models.PositiveIntegerField(default=0)  # people compared
    threshold = models.FloatField(default=0.5)  # pairs at or above this probability are kept
    trained = models.BooleanField(default=False)  # trained on this scope, or the bundled model
    # The Splink model that scored the run (settings with m, u and the prior): the same JSON runs
    # on Spark (docs/linkage-spark.md).
    model = models.JSONField(null=True, blank=True)
    seconds = models.JSONField(default=dict, blank=True)  # wall time of each step
    households_found = models.PositiveIntegerField(default=0)  # new household pairs
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.unit} {self.created_at:%d/%m/%Y %H:%M}"

    @property
    def progress(self) -> int:
        return min(100, round(100 * self.processed / self.total)) if self.total else 0


class PairStatus(models.TextChoices):
    OPEN = "open", _("Chờ quyết định")
    SAME = "same", _("Cùng một người (đã gộp)")
    DIFFERENT = "different", _("Khác người")


class CandidatePair(models.Model):
    """Two records that may be one person. ``a_id < b_id``; a decided pair is never proposed
    again. ``score`` is the match probability; ``reasons`` the evidence codes (``evidence.py``)."""

    # A run writes its pairs in bulk (160,000 for a million people) from the records it has just
    # read: the database does not re-check each reference (a deferred check per row and per key
    # took longer than the whole search); deleting goes through Django, which applies on_delete.
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    run = models.ForeignKey(
        LinkageRun, null=True, on_delete=models.SET_NULL, related_name="pairs", db_constraint=False
    )
    a = models.ForeignKey(  # indexed by linkage_pair_unique (a, b)
        "people.Person",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    b = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    score = models.FloatField()
    reasons = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=PairStatus.choices, default=PairStatus.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    keeps_merged_reference = True  # a decision names the two records as they were

    class Meta:
        constraints = [models.UniqueConstraint(fields=["a", "b"], name="linkage_pair_unique")]
        indexes = [models.Index(fields=["status", "-score"], name="linkage_pair_status_score")]

    def __str__(self) -> str:
        return f"{self.a_id}~{self.b_id} ({self.score:.2f})"


class HouseholdPair(models.Model):
    """Two households that may be one: their heads are one person or a candidate pair, they carry
    the same household code, or they live at the same address under near-identical heads.
    ``a_id < b_id``; "same household" merges them, "different" is never proposed again."""

    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    run = models.ForeignKey(
        LinkageRun, null=True, on_delete=models.SET_NULL, related_name="household_pairs"
    )
    a = models.ForeignKey("people.Household", on_delete=models.CASCADE, related_name="+")
    b = models.ForeignKey("people.Household", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    reasons = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=PairStatus.choices, default=PairStatus.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    keeps_merged_reference = True  # a decision names the two households as they were

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["a", "b"], name="linkage_household_pair_unique")
        ]
        indexes = [models.Index(fields=["status", "-score"], name="linkage_hhpair_status_score")]

    def __str__(self) -> str:
        return f"{self.a_id}~{self.b_id} ({self.score:.2f})"
