"""The public contract of the log: what an integration outside Bridgework may rely on.

Every stored event type has a public type `bridgework.<area>.<Name>` (American spelling, as
the GraphQL API spells it), a version and a JSON Schema of its data with camelCase field
names, generated from a msgspec struct of the event's own fields. The public name is
written down here, once per stored type, never derived from a class or module name, so an
internal rename cannot change it (`tests/unit/test_contract.py` pins every one).

`cloudevent()` wraps one stored event as a CloudEvents 1.0 JSON envelope: its data upcast
to the current version, its personal fields (`domain/personal.py`) redacted unless the
caller is granted personal data (`services/release.redact`), and a subject that names the
stream, never a person.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import typing
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import msgspec
from bridgework.domain.catalog import EVENT_TYPES
from bridgework.domain.personal import PERSONAL
from bridgework.services.release import redact

if TYPE_CHECKING:
    from bridgework.services.ports import StoredEvent

SPEC_VERSION = "1.0"
SEQUENCE_DIGITS = 20
"""A position zero-padded to this width: sequences then sort as strings, as CloudEvents
asks, for any PostgreSQL bigint."""
_COLUMNS = frozenset({"originator_id", "originator_version", "originator_topic"})

_AREAS: dict[str, tuple[str, ...]] = {
    "directory": (
        "OrganisationRegistered:OrganizationRegistered",
        "ProgramLaunched",
        "StudentRegistered",
        "StudentErased",
        "MentorRegistered",
    ),
    "partnerships": (
        "PartnershipFormed",
        "ProgramAdded",
        "PartnershipActivated",
        "PartnershipSuspended",
        "PartnershipRenewed",
        "PartnershipConcluded",
        "PartnerRoleSet",
        "SuccessMetricDefined",
        "SuccessMetricRetired",
        "MetricValueRecorded",
        "LiaisonAppointed",
        "LiaisonStoodDown",
        "ContributionRecorded",
        "CheckInHeld",
    ),
    "applications": (
        "ApplicationReceived",
        "ApplicationRefused",
        "ApplicationAccepted",
        "ApplicationDenied",
    ),
    "enrollment": (
        "StudentEnrolled",
        "StudentWaitlisted",
        "StudentWithdrawn",
        "StudentPromotedFromWaitlist",
        "EnrolmentCompleted:EnrollmentCompleted",
        "EligibilitySet",
    ),
    "attendance": ("SessionScheduled", "AttendanceRecorded"),
    "mentoring": (
        "MentorMatchProposed",
        "MentorMatchDeclined",
        "MentorAssigned",
        "MentorMatchClosed",
        "MenteeTaken",
        "MenteeReleased",
        "MeetingLogged",
    ),
    "safeguarding": (
        "GuardianConsentRecorded",
        "GuardianConsentWithdrawn",
        "ConsentRelied",
        "ClearanceRecorded",
    ),
    "achievements": ("CredentialEarned", "PathwayRecorded"),
    "surveys": ("SurveyAnswered", "EvaluationRecorded"),
    "outcomes": ("ShowcaseRecorded",),
    "impact": ("DemographicsReported",),
    "hours": (
        "HoursSubmitted",
        "VerificationLinkIssued",
        "HoursVerified",
        "HoursDeclined",
        "HoursApproved",
        "HoursRejected",
    ),
}
"""Area → its stored types, each `Stored` or `Stored:PublicName` where the two differ."""

PUBLIC_NAMES: dict[str, str] = {
    stored: f"bridgework.{area}.{public or stored}"
    for area, entries in _AREAS.items()
    for stored, _, public in (e.partition(":") for e in entries)
}
"""Stored event type → its public type."""

_SPELLING = (
    ("Organisation", "Organization"),
    ("organisation", "organization"),
    ("Enrolment", "Enrollment"),
    ("enrolment", "enrollment"),
)


@functools.cache  # pure, and called for every key of every envelope built
def public_field(name: str) -> str:
    """A stored field's public name: camelCase, American spelling
    (`organisation_ids` → `organizationIds`)."""
    head, *rest = name.split("_")
    camel = head + "".join(part[:1].upper() + part[1:] for part in rest)
    for british, american in _SPELLING:
        camel = camel.replace(british, american)
    return camel


class UnknownEventType(ValueError):
    """An event type the contract does not map."""

    def __init__(self, event_type: str) -> None:
        super().__init__(f"event_type: {event_type!r} has no public type")
        self.event_type = event_type


@dataclass(frozen=True)
class PublicType:
    """One stored event type as the outside sees it."""

    stored: str
    name: str
    """`bridgework.<area>.<Name>`."""
    version: int
    fields: dict[str, str]
    """Stored field → public field."""
    struct: type[msgspec.Struct]
    """The data's shape, its own fields renamed (values nested in them keep their stored
    names here), from which `schema` is generated."""
    schema: dict[str, Any]
    """The JSON Schema (msgspec's) of the data: every object's fields in camelCase."""
    nested: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Stored field → its schema, for the fields whose values hold objects to rename too."""

    @property
    def personal(self) -> list[str]:
        """The public names of the fields redacted unless granted personal data."""
        return sorted(self.fields[f] for f in PERSONAL.get(self.stored, {}))

    def data(self, state: dict[str, Any]) -> dict[str, Any]:
        """A payload of the current version with every field renamed as `schema` says (the
        schema is walked only into the values that hold objects: every envelope asks)."""
        fields, nested, defs = self.fields, self.nested, self.schema["$defs"]
        return {
            fields.get(k) or public_field(k): _renamed(v, nested[k], defs) if k in nested else v
            for k, v in state.items()
        }


def _holds_objects(node: Any, defs: dict[str, Any], seen: frozenset[str]) -> bool:
    if not isinstance(node, dict):  # a fixed tuple's `"items": false`
        return False
    if "$ref" in node:
        name = node["$ref"].rpartition("/")[2]
        found = defs[name]
        return name in seen or "properties" in found or _holds_objects(found, defs, seen | {name})
    if "items" in node:
        return _holds_objects(node["items"], defs, seen)
    return "properties" in node or any(_holds_objects(o, defs, seen) for o in node.get("anyOf", ()))


def _camel(schema: dict[str, Any]) -> dict[str, Any]:
    for definition in schema["$defs"].values():
        if "properties" in definition:
            properties = definition["properties"]
            definition["properties"] = {public_field(k): v for k, v in properties.items()}
        if "required" in definition:
            definition["required"] = [public_field(r) for r in definition["required"]]
    return schema


def _renamed(value: Any, node: dict[str, Any], defs: dict[str, Any]) -> Any:
    """`value` with the keys of every object the schema `node` describes renamed."""
    if "$ref" in node:
        node = defs[node["$ref"].rpartition("/")[2]]
    if "anyOf" in node:
        kind = "object" if isinstance(value, dict) else "array" if isinstance(value, list) else None
        options = [defs[o["$ref"].rpartition("/")[2]] if "$ref" in o else o for o in node["anyOf"]]
        node = next((o for o in options if o.get("type") == kind), {})
    if isinstance(value, dict) and "properties" in node:
        fields = node["properties"]
        return {
            (p := public_field(k)): _renamed(v, fields.get(p, {}), defs) for k, v in value.items()
        }
    if isinstance(value, list) and "items" in node:
        return [_renamed(v, node["items"], defs) for v in value]
    return value


def _public_type(stored: str) -> PublicType:
    cls = EVENT_TYPES[stored]
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls) if f.name not in _COLUMNS]  # type: ignore[arg-type]
    fields = {n: public_field(n) for n in names}
    public = PUBLIC_NAMES[stored]
    struct = msgspec.defstruct(
        public.rpartition(".")[2],
        [(n, hints[n]) for n in names],
        rename=fields,
        forbid_unknown_fields=True,
    )
    version = getattr(cls, "class_version", 1)
    schema = _camel(msgspec.json.schema(struct))
    defs = schema["$defs"]
    properties = defs[schema["$ref"].rpartition("/")[2]]["properties"]
    nested = {
        n: properties[p]
        for n, p in fields.items()
        if _holds_objects(properties[p], defs, frozenset())
    }
    return PublicType(stored, public, version, fields, struct, schema, nested)


@functools.cache
def public_types() -> dict[str, PublicType]:
    """Stored event type → its public type, for every mapped type of the catalog (a test
    checks that is every one)."""
    return {stored: _public_type(stored) for stored in EVENT_TYPES if stored in PUBLIC_NAMES}


def public_type(event_type: str) -> PublicType:
    """The public type of stored `event_type`; `UnknownEventType` if it has none."""
    found = public_types().get(event_type)
    if found is None:
        raise UnknownEventType(event_type)
    return found


def catalog() -> list[dict[str, Any]]:
    """Every public type with its version, personal fields and data schema, by type."""
    types = sorted(public_types().values(), key=lambda p: p.name)
    return [
        {"type": p.name, "version": p.version, "personal": p.personal, "schema": p.schema}
        for p in types
    ]


_SOURCE = re.compile(r"^\S+$")


class _Causes(msgspec.Struct):  # the metadata's ids an envelope carries, as stored
    correlation_id: str
    causation_id: str


_causes = msgspec.json.Decoder(_Causes).decode


def cloudevent(e: StoredEvent, *, source: str, personal_data: bool = False) -> dict[str, Any]:
    """`e` as a CloudEvents 1.0 JSON envelope (a dict to encode). Personal fields are null
    unless `personal_data` (then `e` must be opened: `EventStore.opened`); `source` is a
    URI-reference naming this deployment."""
    if not _SOURCE.match(source):
        raise ValueError(f"source: must be a non-empty URI-reference, got {source!r}")
    public = public_type(e.event_type)
    cls = EVENT_TYPES[e.event_type]
    state: dict[str, Any] = msgspec.json.decode(e.payload)
    for v in range(e.schema_version, public.version):
        state = getattr(cls, f"upcast_v{v}_v{v + 1}")(state)
    redact(e.event_type, state, personal_data=personal_data)
    m = _causes(e.metadata_json)
    return {
        "specversion": SPEC_VERSION,
        "id": str(e.event_id),
        "source": source,
        "type": public.name,
        "time": e.recorded_at.isoformat().replace("+00:00", "Z"),
        "subject": e.stream_id,
        "datacontenttype": "application/json",
        "dataversion": public.version,
        "sequence": str(e.position).zfill(SEQUENCE_DIGITS),
        "correlationid": m.correlation_id,
        "causationid": m.causation_id,
        "data": public.data(state),
    }
