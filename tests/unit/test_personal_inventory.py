"""The inventory of personal data (`domain/personal.py`) decides every field."""

from __future__ import annotations

import dataclasses
import re
import typing
from datetime import date
from pathlib import Path
from typing import Any

from bridgework.domain.catalog import EVENT_TYPES
from bridgework.domain.personal import NOT_PERSONAL, PERSONAL, placeholder

_COLUMNS = {"originator_id", "originator_version", "originator_topic", "timestamp"}
README = Path(__file__).parents[2] / "README.md"


def _fields(cls: Any) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls) if f.name not in _COLUMNS}


def _needs_deciding(annotation: Any) -> bool:
    """Text, dates, and anything holding them (lists, optionals, structs of them)."""
    if annotation in (str, date) or (isinstance(annotation, type) and issubclass(annotation, date)):
        return True
    if dataclasses.is_dataclass(annotation):
        return any(_needs_deciding(t) for t in typing.get_type_hints(annotation).values())
    return any(_needs_deciding(a) for a in typing.get_args(annotation) if a is not Ellipsis)


def test_every_text_date_or_list_field_of_every_event_is_decided():
    undecided = [
        f"{name}.{field}"
        for name, cls in EVENT_TYPES.items()
        for field, annotation in _fields(cls).items()
        if _needs_deciding(annotation)
        and field not in PERSONAL.get(name, {})
        and field not in NOT_PERSONAL.get(name, frozenset())
    ]
    assert not undecided, f"decide in domain/personal.py whether these are personal: {undecided}"


def test_the_inventory_names_only_fields_that_exist_and_decides_each_once():
    for table in (PERSONAL, NOT_PERSONAL):
        for name, fields in table.items():
            assert name in EVENT_TYPES, name
            missing = set(fields) - set(_fields(EVENT_TYPES[name]))
            assert not missing, (name, missing)
    twice = {
        (name, f)
        for name, fields in PERSONAL.items()
        for f in fields
        if f in NOT_PERSONAL.get(name, ())
    }
    assert not twice


def test_every_personal_field_has_a_placeholder_and_a_subject_id_in_its_event():
    for name, fields in PERSONAL.items():
        known = _fields(EVENT_TYPES[name])
        for field, whose in fields.items():
            placeholder(known[field])  # raises for a type that could not be erased
            assert whose.id_field == "originator_id" or known[whose.id_field] is not None
            if whose.owner_field is not None:
                assert whose.owner_field in known, (name, whose.owner_field)


def test_the_readme_lists_every_event_with_personal_fields():
    text = README.read_text()
    for name, fields in PERSONAL.items():
        row = re.search(rf"^\| `{name}` \|(.*)$", text, re.MULTILINE)
        assert row, f"README.md's inventory has no row for {name}"
        for field in fields:
            assert f"`{field}`" in row.group(1), (name, field)
