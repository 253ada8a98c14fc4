"""The projection registry: one tuple of areas named as the service areas, each exporting
its projections; every read model in it once, every table written by one of them."""

from __future__ import annotations

import importlib
import pkgutil

import bridgework.projections
from bridgework.domain.catalog import EVENT_TYPES
from bridgework.projections.applying import Projection
from bridgework.projections.registry import AREAS, default_projections
from bridgework.services import areas as services

ACROSS_AREAS = {"timeline", "seal"}
"""Projection areas with no service area of their own: every student's history, and the
tamper-evident log over every event."""


def area_name(module, layer: str) -> str:
    return module.__name__.removeprefix(f"bridgework.{layer}.").split(".")[0]


def test_projection_areas_are_named_as_the_service_areas():
    names = [area_name(area, "projections") for area in AREAS]
    assert len(names) == len(set(names))
    assert set(names) - ACROSS_AREAS <= {area_name(a, "services") for a in services.AREAS}


def test_the_registry_runs_each_area_s_projections_once():
    projections = default_projections()
    exported = [p for area in AREAS for p in area.PROJECTIONS]
    assert [type(p) for p in projections] == exported
    assert len({p.name for p in projections}) == len(projections)
    tables = [t for p in projections for t in p.tables]
    assert len(tables) == len(set(tables)), "a table written by two projections"


def test_every_read_model_in_the_package_is_in_the_registry():
    registered = {p for area in AREAS for p in area.PROJECTIONS}
    found = set()
    for info in pkgutil.walk_packages(bridgework.projections.__path__, "bridgework.projections."):
        module = importlib.import_module(info.name)
        found |= {
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and value.__module__ == module.__name__
            and hasattr(value, "apply_batch")
            and hasattr(value, "tables")
            and value is not Projection  # the protocol itself
        }
    assert found == registered


def test_projections_handle_only_events_the_domain_has():
    handled = {event for p in default_projections() for event in p.handles}
    assert handled <= set(EVENT_TYPES)
