"""`bridgework verify --report FILE [--public-key FILE]`: check a signed impact report
(`infra/report.py`) against the log.

In order, stopping at the first problem (exit 1, naming it): the file reads (JSON, at most
`MAX_REPORT` bytes, every field the report command writes, of its type); the report's note
verifies under the given verifier key(s), or the database's own checkpoint key when none is
given, and signs `report_body` of the file as it is; its embedded checkpoint verifies under
the same keys, the log as it is now extends it (`extends`) and the report's events lie inside
its tree. Then the numbers are made again from the log as of the report's position with the
code that made them (`report_document`: the as-of replay and the `impactReport` query) and
compared with the file's; the first that differs is named by its path.

The checks up to the recomputation only read, so an auditor's read-only role runs them; the
recomputation replays into a scratch schema, which needs CREATE on the database, and a role
without it is told so (the auditor is never granted it).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from bridgework.infra.checkpoints.consistency import extends, open_signed, read_verifiers
from bridgework.infra.checkpoints.note import NoteError, Verifier, verified_body
from bridgework.infra.checkpoints.signer import KEY_FILE, load_key
from bridgework.infra.env import SettingsError
from bridgework.infra.report import FORMAT, ReportRefused, report_body, report_document
from bridgework.infra.runtime import open_database, open_runtime

if TYPE_CHECKING:
    import argparse
    from pathlib import Path

    from bridgework.infra.settings import Settings

MAX_REPORT = 10_000_000
"""The largest report file read, in bytes."""
CAN_CREATE = (
    "SELECT current_user, has_database_privilege(current_user, current_database(), 'CREATE')"
)


class ReportProblem(ValueError):
    """What is wrong with the report; `kind` is the verdict printed before it."""

    def __init__(self, kind: str, problem: str) -> None:
        super().__init__(problem)
        self.kind = kind


@dataclass(frozen=True)
class Report:
    document: dict[str, Any]
    position: int
    events: int
    partnership: UUID
    starts: date
    ends: date


def _field(document: dict[str, Any], path: str, kind: type, *, optional: bool = False) -> Any:
    value: Any = document
    for name in path.split("."):
        if not isinstance(value, dict) or name not in value:
            raise ReportProblem("BAD REPORT", f"{path}: missing")
        value = value[name]
    if value is None and optional:
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ReportProblem("BAD REPORT", f"{path}: not a {kind.__name__} ({value!r:.60})")
    return value


def _parsed(field: str, raw: str, parse: Any) -> Any:
    try:
        return parse(raw)
    except ValueError:
        raise ReportProblem("BAD REPORT", f"{field}: {raw!r:.60} does not read") from None


def read_report(path: Path) -> Report:
    """The report in `path`; a `ReportProblem` naming the field that is wrong."""
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_REPORT + 1)
    except OSError as e:
        raise ReportProblem("BAD REPORT", f"cannot read {path} ({e.strerror})") from None
    if len(raw) > MAX_REPORT:
        raise ReportProblem("BAD REPORT", f"{path}: larger than {MAX_REPORT:,} bytes")
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError) as e:  # undecodable, malformed, too deep or long
        raise ReportProblem("BAD REPORT", f"{path}: not JSON ({e!s:.200})") from None
    if not isinstance(document, dict):
        raise ReportProblem("BAD REPORT", f"{path}: not a JSON object")
    if document.get("format") != FORMAT:
        raise ReportProblem("BAD REPORT", f"format: not {FORMAT!r}")
    position, events = _field(document, "asOf.position", int), _field(document, "asOf.events", int)
    for name, value in (("position", position), ("events", events)):
        if not 0 <= value < 2**63:
            raise ReportProblem("BAD REPORT", f"asOf.{name}: {value} is not a log position")
    _field(document, "signature", str)
    _field(document, "checkpoint", str, optional=True)
    _field(document, "report.totals", dict)
    _field(document, "report.breakdowns", list)
    partnership = _parsed("partnership.id", _field(document, "partnership.id", str), UUID)
    starts, ends = (
        _parsed(f"report.{name}", _field(document, f"report.{name}", str), date.fromisoformat)
        for name in ("startsOn", "endsOn")
    )
    return Report(document, position, events, partnership, starts, ends)


def own_verifier(settings: Settings) -> tuple[Verifier, str]:
    """The public half of the database's checkpoint key (never made here) and where it is."""
    path = settings.checkpoints.key_file or settings.data_dir / KEY_FILE
    if not path.is_file():
        msg = f"no --public-key given and no checkpoint key at {path} to check with"
        raise ReportProblem("BAD KEY", msg)
    try:
        key = load_key(path)
    except SettingsError as e:
        raise ReportProblem("BAD KEY", str(e)) from None
    name = settings.checkpoints.name_for(settings.event_source)
    return Verifier(name, key.public_key()), f"the checkpoint key in {path}"


def check_signature(report: Report, verifiers: list[Verifier]) -> Verifier:
    """The verifier whose note signs the report as it is."""
    errors = []
    for verifier in verifiers:
        try:
            body = verified_body(report.document["signature"], verifier)
        except NoteError as e:
            errors.append(str(e).replace("checkpoint: ", ""))
            continue
        if body != report_body(verifier.name, report.document):
            msg = f"signature: the report changed since {verifier.name} signed it"
            raise ReportProblem("TAMPERED", msg)
        return verifier
    raise ReportProblem("BAD SIGNATURE", f"signature: {errors[0]}")


def first_difference(given: Any, made: Any, path: str) -> str | None:
    """Where `given` (the file's) first differs from `made` (the log's), as a sentence."""
    if isinstance(given, dict) and isinstance(made, dict):
        return _in_object(given, made, path)
    if isinstance(given, list) and isinstance(made, list):
        return _in_list(given, made, path)
    if given != made or type(given) is not type(made):
        return f"{path}: file says {json.dumps(given)}, the log says {json.dumps(made)}"
    return None


def _in_object(given: dict[str, Any], made: dict[str, Any], path: str) -> str | None:
    for key in [*made, *(k for k in given if k not in made)]:
        if key not in given or key not in made:
            where = "the file" if key not in given else "the log"
            return f"{path}.{key}: missing from {where}'s report"
        found = first_difference(given[key], made[key], f"{path}.{key}")
        if found is not None:
            return found
    return None


def _in_list(given: list[Any], made: list[Any], path: str) -> str | None:
    for i, (a, b) in enumerate(zip(given, made, strict=False)):
        found = first_difference(a, b, f"{path}[{i}]")
        if found is not None:
            return found
    if len(given) != len(made):
        return f"{path}: the file lists {len(given)}, the log says {len(made)}"
    return None


def _verifiers(settings: Settings, keys: Path | None) -> tuple[list[Verifier], str]:
    """The keys to check with and where they came from."""
    if keys is None:
        own, source = own_verifier(settings)
        return [own], source
    try:
        return read_verifiers(keys), str(keys)
    except NoteError as e:
        raise ReportProblem("BAD KEY", str(e)) from None


async def verify_report(settings: Settings, path: Path, keys: Path | None) -> str:
    """The ok summary of the report in `path`; a `ReportProblem` otherwise."""
    report = read_report(path)
    verifiers, source = _verifiers(settings, keys)
    signer = check_signature(report, verifiers)
    note = report.document["checkpoint"]
    if note is None:
        msg = "checkpoint: null; no signed checkpoint covered the report when it was made"
        raise ReportProblem("UNPROVEN", msg)
    try:
        head = open_signed(note, verifiers)
    except NoteError as e:
        raise ReportProblem("BAD CHECKPOINT", str(e)) from None
    if report.events > head.size:
        msg = f"asOf.events: {report.events:,} is beyond the checkpoint's tree of {head.size:,}"
        raise ReportProblem("BAD CHECKPOINT", msg)
    async with open_database(settings) as pool:
        extension = await extends(pool, note, verifiers)
        privilege = await pool.fetchrow(CAN_CREATE)
    assert privilege is not None  # noqa: S101 - a SELECT without FROM has its one row
    role, can_create = privilege
    if extension.problem is not None:
        raise ReportProblem("TAMPERED", extension.problem)
    if not can_create:
        msg = (
            f"the signature and checkpoint hold, but role {role} may not CREATE in the database,"
            " and recomputing the numbers replays the log into a scratch schema: run"
            " `verify --report` as the app's role (README, Verify an impact report)"
        )
        raise ReportProblem("CANNOT RECOMPUTE", msg)
    made = await _recomputed(settings, report)
    given = {k: report.document[k] for k in ("partnership", "report")}
    given["asOf"] = {"position": report.position, "events": report.events}
    found = first_difference(given, {k: made[k] for k in given}, "")
    if found is not None:
        raise ReportProblem("NUMBERS DIFFER", found.removeprefix("."))
    return (
        f"ok: the report as of position {report.position:,} ({report.events:,} events) is"
        f" signed by {signer.name} (checked with {source}), its numbers are the log's and the"
        f" log extends its signed checkpoint of {head.size:,}"
    )


async def _recomputed(settings: Settings, report: Report) -> dict[str, Any]:
    async with open_runtime(settings) as runtime:
        try:
            made = await report_document(
                runtime, report.partnership, report.starts, report.ends, position=report.position
            )
        except ReportRefused as e:
            raise ReportProblem("NUMBERS DIFFER", f"the log cannot make the report: {e}") from None
    made["asOf"].pop("at", None)
    return made


async def verify_report_command(settings: Settings, args: argparse.Namespace) -> None:
    if args.export is not None or args.checkpoint is not None:
        sys.stdout.write("usage: --report takes no --export or --checkpoint (it holds one)\n")
        raise SystemExit(1)
    try:
        summary = await verify_report(settings, args.report, args.public_key)
    except ReportProblem as e:
        sys.stdout.write(f"{e.kind}: {e}\n")
        raise SystemExit(1) from None
    sys.stdout.write(summary + "\n")
