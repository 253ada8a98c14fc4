"""One definition of each measure of what programs achieved, shared by the impact report
(`impact.py`) and the partnerships' success metrics (`partnerships/charter.py`).

Each is an SQL aggregate over one view's rows (or, for hours, the statuses it counts), and
each rate a part over a whole. The two readers choose which rows, and that is all that
differs between them: the impact report takes the period's activity (hours worked, sessions
held, credentials earned, pathways taken in it) of the seats its students held; a success
metric takes everything recorded for the programs its charter names, of all time.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from bridgework.domain.achievements import PLACEMENTS

if TYPE_CHECKING:
    from collections.abc import Iterable

    from bridgework.projections.hours import HoursView

STUDENTS = "count(DISTINCT student_id)"
"""Over `outcome_seat_holders`: students who held a seat."""
SEATS = "count(*)"
"""Over `outcome_seat_holders`: seats held, a student in two programs counting twice."""
COMPLETIONS = "count(*) FILTER (WHERE status = 'COMPLETED')"
"""Over `enrolment_entries`: seats held to the end (completing is final)."""
VERIFIED = frozenset({"verified", "approved"})
"""Statuses of hours a supervisor confirmed (the school approves only verified hours)."""
APPROVED = frozenset({"approved"})
"""Statuses of hours the school approved."""


def _hours_in(statuses: frozenset[str]) -> str:
    listed = ", ".join(f"'{s}'" for s in sorted(statuses))
    return f"coalesce(sum(hours) FILTER (WHERE status IN ({listed})), 0)"


HOURS_VERIFIED = _hours_in(VERIFIED)
"""Over `hours_entries`: hours a supervisor confirmed, the school's approved ones included."""
HOURS_APPROVED = _hours_in(APPROVED)
"""Over `hours_entries`: hours the school approved."""
PRESENT = "count(*) FILTER (WHERE status = 'present')"
"""Over `attendance_marks`: marks present (an excused absence is still an absence)."""
MARKED = "count(*)"
"""Over `attendance_marks`: every mark."""
CREDENTIALS = "count(*)"
"""Over `achievements_credentials`: credentials earned."""
PLACED = "count(DISTINCT student_id) FILTER (WHERE pathway = ANY({placements}))"
"""Over `achievements_pathways`: students with a placement; `{placements}` is the SQL of a
`text[]` of `PLACEMENT_PATHWAYS`."""
PLACEMENT_PATHWAYS = sorted(PLACEMENTS)
"""The pathways that count as a placement, as the query parameter `PLACED` names."""

ANSWER_PAIRS = """
    SELECT program_id, student_id, question,
           max(score) FILTER (WHERE phase = 'pre') AS pre,
           max(score) FILTER (WHERE phase = 'post') AS post
    FROM survey_answers WHERE {where}
    GROUP BY program_id, student_id, question {having}
"""
"""One student's pre and post answer to one question in one program (`{where}` picks the
answers, `{having}` the pairs): what survey measures are over."""
IMPROVED = "count(*) FILTER (WHERE post > pre)"
"""Over `ANSWER_PAIRS`: pairs whose post answer is higher than the pre one."""
PAIRS = "count(post - pre)"
"""Over `ANSWER_PAIRS`: pairs with both answers."""


def rate(part: int, whole: int) -> float | None:
    """`part` ÷ `whole`, or None when there is no whole yet."""
    return part / whole if whole else None


def percent(part: int, whole: int) -> Decimal:
    """`part` of `whole` in percent to one decimal place; 0 when there is no whole yet."""
    return (Decimal(100 * part) / whole if whole else Decimal(0)).quantize(Decimal("0.1"))


def hours_total(entries: Iterable[HoursView], statuses: frozenset[str] | None = None) -> Decimal:
    """The hours of `entries` in one of `statuses` (None: all of them, whatever became of
    them), as `HOURS_VERIFIED` and `HOURS_APPROVED` count them in SQL."""
    return sum((e.hours for e in entries if statuses is None or e.status in statuses), Decimal(0))
