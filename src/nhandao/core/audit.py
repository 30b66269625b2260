"""The audit trail base: every service that changes people, money, aid or the tree records here."""

from __future__ import annotations

import datetime as dt
import re
from contextvars import ContextVar
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.translation import pgettext

from .models import AuditEvent

# The address of the request being served (set by ``core.middleware.AuditContextMiddleware``):
# every event recorded while serving it carries it, not only those whose caller passed it.
request_ip: ContextVar[str | None] = ContextVar("audit_request_ip", default=None)


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """Fields that differ, as {field: [old, new]}."""
    keys = sorted(set(old) | set(new))
    return {
        k: [_jsonable(old.get(k)), _jsonable(new.get(k))]
        for k in keys
        if _jsonable(old.get(k)) != _jsonable(new.get(k))
    }


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    unit_path: str = "",
    changes: dict[str, Any] | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    ip_address: str | None = None,
) -> AuditEvent:
    """Append one event to the audit trail (never updated, never deleted by the application)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor=actor if is_user else None,
        actor_label=(actor.get_username() if is_user else str(actor or ""))[:150],
        action=action,
        object_type=object_type[:60],
        object_id=object_id[:64],
        object_repr=object_repr[:255],
        unit_path=unit_path,
        changes=_jsonable(changes or {}),
        ip_address=ip_address or request_ip.get(),
    )


# A list's search box: a number typed there (an ID, a phone) is kept masked in the trail.
_SEARCH_KEYS = ("q", "query")
_NUMBER = re.compile(r"[\d\s.+()-]+")


def audited_filters(**given: Any) -> dict[str, Any]:
    """The filters of a list as the audit trail keeps them (``audit_list_view``): those given,
    a record by its id, a search by number masked (the trail says what was asked for; it does
    not copy identifiers)."""
    from .masking import mask_id

    out: dict[str, Any] = {}
    for key, value in given.items():
        if isinstance(value, str):
            value = value.strip()
            if key in _SEARCH_KEYS and value and _NUMBER.fullmatch(value):
                value = mask_id(re.sub(r"\D", "", value))
        elif isinstance(value, models.Model):
            value = value.pk
        if value not in (None, "", False):
            out[key] = value if isinstance(value, str | int | bool) else str(value)
    return out


def audit_list_view(
    *,
    actor: Any,
    unit_path: str,
    what: str,
    records: int,
    filters: dict[str, Any],
    ip: str | None = None,
    object_type: str = "",
    obj: models.Model | None = None,
) -> AuditEvent:
    """A list served with unmasked personal data (a page, a workbook, a CSV file, a page of the
    API) is logged once as a view of sensitive data: which list (``what``), how many records
    and with which filters, never the data itself. ``object_type`` names the kind of record
    listed, or ``obj`` the record the list belongs to (a campaign's uncovered people)."""
    return audit_record(
        actor=actor,
        action=AuditEvent.Action.VIEW_SENSITIVE,
        obj=obj,
        object_type=object_type,
        object_repr="" if obj is not None else what,
        unit_path=unit_path,
        changes={"viewed": [None, what], "records": [None, records], "filters": [None, filters]},
        ip_address=ip,
    )


def object_type_label(object_type: str) -> str:
    """The kind of an event's object in the user's language ("people.person" -> "Người")."""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return object_type
    return str(model._meta.verbose_name).capitalize()


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _shown(value: Any) -> str:
    """A value of an event's changes as a person reads it: a date as dd/mm/yyyy, nothing as
    "—", yes/no, a list joined."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return pgettext("yes or no", "có") if value else pgettext("yes or no", "không")
    if isinstance(value, list):
        return ", ".join(_shown(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_shown(v)}" for k, v in value.items())
    text = str(value)
    if _ISO_DATE.fullmatch(text):
        return dt.date.fromisoformat(text).strftime("%d/%m/%Y")
    return text


def change_rows(event: AuditEvent) -> list[tuple[str, str, str]]:
    """(field, before, after) of an event's changes, the field named as its model names it, for
    pages that show a record's history or the audit trail. A creation leaves out what it left
    empty."""
    try:
        model = apps.get_model(event.object_type) if event.object_type else None
    except (LookupError, ValueError):
        model = None
    labels: dict[str, str] = {}
    if model is not None:
        for f in model._meta.get_fields():
            name = getattr(f, "verbose_name", None)
            if name:
                labels[f.name] = str(name)
                labels[getattr(f, "attname", f.name)] = str(name)
    rows = []
    changes: dict[str, Any] = event.changes if isinstance(event.changes, dict) else {}
    for key, pair in changes.items():
        before, after = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
        if event.action == AuditEvent.Action.CREATE and before is None and after in ("", None, []):
            continue
        label = labels.get(str(key)) or str(key)
        rows.append((label[:1].upper() + label[1:], _shown(before), _shown(after)))
    return rows


def audit_events_for(*, object_type: str, object_id: str) -> models.QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type=object_type, object_id=object_id).select_related(
        "actor"
    )
