"""The read models this application runs: every projection area, and their projections.

A new area adds its module here, exporting `PROJECTIONS` (its projection classes); the
names match the service areas (`services/areas.py`). `enrolment` also follows the
applications area's events, `timeline` is every student's history, across areas, and `seal` the
tamper-evident log over every event (`projections/seal.py`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bridgework.projections import (
    achievements,
    attendance,
    directory,
    enrolment,
    hours,
    impact,
    mentoring,
    outcomes,
    partnerships,
    safeguarding,
    seal,
    surveys,
    timeline,
)

if TYPE_CHECKING:
    from types import ModuleType

    from bridgework.projections.applying import Projection

AREAS: tuple[ModuleType, ...] = (
    directory,
    partnerships,
    enrolment,
    mentoring,
    safeguarding,
    attendance,
    hours,
    surveys,
    achievements,
    outcomes,
    impact,
    timeline,
    seal,
)
"""Every module that declares projections; each exports its `PROJECTIONS`."""


def default_projections() -> list[Projection]:
    """A fresh instance of every area's projections."""
    return [projection() for area in AREAS for projection in area.PROJECTIONS]
