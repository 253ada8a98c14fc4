"""The page a supervisor's mailed link opens: `GET /verify-hours?token=…` shows the one entry
the link names (whose hours, in which program, the day, the hours, the activity) and a form;
`POST /verify-hours` verifies or declines it, exactly as the `verifyHours` mutation does
(the same command, through the same services). The supervisor needs no account: the token
is the capability, so the page sets no cookie and needs no CSRF token, loads nothing, and
is never cached or framed.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Annotated, Any
from uuid import uuid4

from bridgework.domain.errors import DomainError
from bridgework.projections.directory import programs, students
from bridgework.projections.hours import hours_entries
from bridgework.services import hours as hr
from bridgework.services.areas import dispatch
from bridgework.services.command import parse
from bridgework.services.context import Actor, CommandContext, Role
from bridgework.services.errors import InvalidInput, ServiceError
from litestar import Controller, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, QueryParameter

if TYPE_CHECKING:
    from litestar.datastructures import State

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none';"
    " form-action 'self'"
)
HEADERS = {"content-security-policy": CSP, "cache-control": "no-store"}
LINK_HOLDER = Actor("link", Role.SUPERVISOR)
"""Who sends the command: the link itself (the handler records the link as the actor)."""

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{title} · Bridgework</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}}
dt{{font-weight:600}}label{{display:block;margin-top:1rem}}.problem{{color:#a00}}</style>
</head><body><h1>{title}</h1>{body}</body></html>"""


def page(title: str, body: str, status: int = 200) -> Response[str]:
    html = _PAGE.format(title=escape(title), body=body)
    return Response(html, status_code=status, media_type="text/html", headers=HEADERS)


def _form(token: str, entry: Any, names: tuple[str, str], problems: list[str]) -> str:
    student, program = (escape(n) for n in names)
    shown = "".join(f'<p class="problem">{escape(p)}</p>' for p in problems)
    return f"""<p>{student} logged these hours at {program} and named you as their supervisor.
Please confirm them, or decline them with a reason.</p>
<dl><dt>Day</dt><dd>{entry.worked_on:%d %B %Y}</dd><dt>Hours</dt><dd>{entry.hours}</dd>
<dt>Activity</dt><dd>{escape(entry.activity)}</dd></dl>{shown}
<form method="post" action="/verify-hours">
<input type="hidden" name="token" value="{escape(token)}">
<label>Your name <input name="supervisor_name" required maxlength="200"></label>
<label><input type="radio" name="decision" value="verify" checked> These hours are right</label>
<label><input type="radio" name="decision" value="decline"> Decline them</label>
<label>Reason (to decline) <textarea name="reason" maxlength="2000"></textarea></label>
<p><button type="submit">Send</button></p></form>"""


async def _entry(state: State, token: str) -> tuple[Any, tuple[str, str]] | str:
    """The entry the token opens and the student's and program's names, or why not."""
    api = state.api
    try:
        log_id = await hr.entry_to_verify(api.deps, token)
    except InvalidInput as e:
        return e.message
    entry = (await hours_entries(api.pool, [log_id])).get(log_id)
    if entry is None:
        return "This entry is still being recorded; open the link again in a moment."
    student = (await students(api.pool, [entry.student_id])).get(entry.student_id)
    program = (await programs(api.pool, [entry.program_id])).get(entry.program_id)
    return entry, (
        "A student" if student is None else student.name,
        "their placement" if program is None else program.name,
    )


class VerifyHoursPage(Controller):
    path = "/verify-hours"
    include_in_schema = False

    @get()
    async def show(
        self, state: State, token: Annotated[str, QueryParameter(name="token")] = ""
    ) -> Response[str]:
        found = await _entry(state, token)
        if isinstance(found, str):
            return page("This link does not work", f"<p>{escape(found)}</p>", 400)
        entry, names = found
        return page("Confirm a student's hours", _form(token, entry, names, []))

    @post(status_code=200)
    async def answer(
        self,
        state: State,
        data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Response[str]:
        token = data.get("token", "")
        given = {
            "token": token,
            "supervisor_name": data.get("supervisor_name", ""),
            "verified": data.get("decision", "verify") != "decline",
            "reason": data.get("reason", ""),
        }
        try:
            command = parse(hr.VerifyHours, given)
            ctx = CommandContext(actor=LINK_HOLDER, correlation_id=uuid4(), command_uuid=uuid4())
            await dispatch(state.api.deps, ctx, command)
        except InvalidInput as e:
            found = await _entry(state, token)
            if isinstance(found, str):
                return page("This link does not work", f"<p>{escape(found)}</p>", 400)
            problems = [message for _, message in e.problems]
            return page("Confirm a student's hours", _form(token, *found, problems), 422)
        except (DomainError, ServiceError) as e:
            said = getattr(e, "message", None) or str(e)
            return page("This link does not work", f"<p>{escape(said)}</p>", 409)
        done = "confirmed" if given["verified"] else "declined"
        return page("Thank you", f"<p>You {done} the hours; the school will see it.</p>")
