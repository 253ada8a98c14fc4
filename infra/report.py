"""`bridgework report --partnership ID --from D --to D [--position N | --at T]`: a partnership's
impact report as of a log position, as JSON and as a self-contained HTML page a school can
publish (`infra/report_html.py`).

The numbers are the `impactReport` query's, run under `asOf` as an administrator
(`infra/asof_cli.py`), so the suppression of small groups is the API's own: a suppressed
group has no numbers in either file. The JSON names the position it is as of, so anyone with
the log can recompute it.

Proof: `asOf.events` is how many events the report replays (the first that many leaves of
the sealed tree), `checkpoint` the latest signed checkpoint (`infra/checkpoints/`) covering
them (null if none does yet), and `signature` a signed note under the same checkpoint key
of `report_body`: the key name, `impact-report <position> <events>`, and the SHA-256 of
`signed_bytes(document)` (the document without `signature`, keys sorted, compact). Checking
it recomputes those bytes and opens the note with the key of `GET /checkpoint/keys`;
`bridgework verify --report` (`infra/report_verify.py`) does, and recomputes the numbers.
"""

from __future__ import annotations

import base64
import hashlib
import sys
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import msgspec
from bridgework.infra.asof_cli import run_as_of
from bridgework.infra.checkpoints.signer import Signer
from bridgework.infra.report_html import render_html
from bridgework.infra.runtime import open_runtime
from bridgework.projections.checkpoints import latest_checkpoint
from bridgework.projections.replay import COUNT_UPTO, VISIBLE_END

if TYPE_CHECKING:
    import argparse
    from uuid import UUID

    from bridgework.infra.runtime import Runtime
    from bridgework.infra.settings import Settings

FORMAT = "bridgework.impact-report/1"
NUMBERS = (
    "students seats completions completionRate hoursVerified hoursApproved attendanceRate"
    " credentials placements pathways { pathway students }"
    " surveys { question respondents preMean postMean improvedShare meanChange }"
)
SELECTION = """{{
  partnership(id: "{id}") {{ id name organizations {{ name }} }}
  impactReport(partnershipId: "{id}", startsOn: "{starts}", endsOn: "{ends}") {{
    startsOn endsOn minimumGroup
    totals {{ {numbers} }}
    breakdowns {{ by groups {{ label suppressed numbers {{ {numbers} }} }} }}
    programs {{ name kind startsOn endsOn }}
  }}
}}"""


class ReportRefused(ValueError):
    """The report cannot be made; the message says why, naming the option."""


def signed_bytes(document: dict[str, Any]) -> bytes:
    """What a signature covers: the document without `signature`, keys sorted, compact."""
    unsigned = {k: v for k, v in document.items() if k != "signature"}
    return msgspec.json.encode(unsigned, order="sorted")


def report_body(name: str, document: dict[str, Any]) -> str:
    """The text the report's signed note signs (see the module)."""
    digest = base64.b64encode(hashlib.sha256(signed_bytes(document)).digest()).decode()
    as_of = document["asOf"]
    return f"{name}\nimpact-report {as_of['position']} {as_of['events']}\n{digest}\n"


async def report_document(
    runtime: Runtime,
    partnership: UUID,
    starts: date,
    ends: date,
    *,
    position: int | None = None,
    at: str | None = None,
    signer: Signer | None = None,
) -> dict[str, Any]:
    """The report of `partnership` for `starts`..`ends` as of `position` or `at` (neither:
    the log's visible end), as the JSON document the command writes."""
    if position is None and at is None:
        position = await runtime.pool.fetchval(VISIBLE_END)
    try:
        when = None if at is None else datetime.fromisoformat(at)
        checkpoint = await runtime.as_of.checkpoint(position=position, at=when)
    except ValueError as e:  # AsOfRefused names the argument
        raise ReportRefused(f"--{getattr(e, 'field', 'at')}: {e}") from None
    selection = SELECTION.format(id=partnership, starts=starts, ends=ends, numbers=NUMBERS)
    data, errors = await run_as_of(runtime, selection, position=checkpoint.position, at=None)
    if errors:
        raise ReportRefused("; ".join(str(e.get("message")) for e in errors))
    if not isinstance(data, dict) or data.get("impactReport") is None:
        raise ReportRefused(f"--partnership: no partnership {partnership} as of then")
    events = await runtime.pool.fetchval(COUNT_UPTO, *checkpoint)
    covering = await latest_checkpoint(runtime.pool)
    document: dict[str, Any] = {
        "format": FORMAT,
        "asOf": {"position": checkpoint.position, "events": events, **({"at": at} if at else {})},
        "checkpoint": covering.note if covering is not None and covering.size >= events else None,
        "partnership": data["partnership"],
        "report": data["impactReport"],
        "signature": None,
    }
    if signer is not None:
        document["signature"] = signer.sign_text(report_body(signer.name, document))
    return document


async def report_command(settings: Settings, args: argparse.Namespace) -> None:
    async with open_runtime(settings) as runtime:
        try:
            document = await report_document(
                runtime,
                args.partnership,
                args.starts,
                args.ends,
                position=args.position,
                at=args.at,
                signer=Signer.from_settings(settings),
            )
        except ReportRefused as e:
            sys.stderr.write(f"bridgework report: {e}\n")
            raise SystemExit(1) from None
    args.json.write_bytes(msgspec.json.format(msgspec.json.encode(document)) + b"\n")
    args.html.write_text(render_html(document), encoding="utf-8")
    position = document["asOf"]["position"]
    sys.stdout.write(f"impact report as of position {position}: {args.json}, {args.html}\n")
