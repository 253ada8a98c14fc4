"""What the checks every request passes before it runs cost (not part of the test run).

    uv run python tests/bench/request_checks.py [--repeat 5000]

Times, per call, the cost estimate and the control-character check of a query's arguments
on the program view query of the API tests, and `commands.parse` of a check-in with ten
follow-ups: with one-line notes (msgspec alone, then a scan for control characters) and with
a line break in its notes (the walk that decides which strings allow one).
"""

from __future__ import annotations

import argparse
import timeit
import uuid

from bridgework.graphql.arguments import argument_problems
from bridgework.graphql.cost import estimate
from bridgework.graphql.schema import schema
from bridgework.services.partnerships.collaboration import RecordCheckIn
from bridgework.services.command.base import parse

from graphql import parse as parse_document

PROGRAM_VIEW = """query($id: ID!, $at: Int) { program(id: $id, atLeast: $at) {
  name kind capacity partnership { name organizations { name } }
  enrollment { capacity enrolled waitlisted withdrawn completed seatsLeft
    entries { status waitlistPlace student { name } mentor { name } } }
  outcome { showcasesHeld studentsPresented completions completionRate mentorsAssigned }
  showcases { title presenters { name } attendingOrganizations { name } } } }"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5000)
    n = parser.parse_args().repeat
    document = parse_document(PROGRAM_VIEW)
    variables = {"id": str(uuid.uuid4()), "at": 3}
    check_in = {
        "partnership_id": str(uuid.uuid4()), "held_on": "2026-10-01",
        "attendees": ["Ana Lima", "Sam Reyes"], "notes": "Went well.\nNext: the lab.",
        "follow_ups": [{"action": f"Task {i}", "owner": "Ana"} for i in range(10)],
    }
    timings = {
        "cost estimate": lambda: estimate(schema._schema, document, None, variables),
        "argument check": lambda: argument_problems(document, None, variables),
        "parse a check-in": lambda: parse(RecordCheckIn, check_in | {"notes": "Went well."}),
        "parse a check-in, notes on two lines": lambda: parse(RecordCheckIn, check_in),
    }
    for name, run in timings.items():
        seconds = timeit.timeit(run, number=n) / n
        print(f"{name}: {seconds * 1e6:.1f} µs per call ({n} calls)")


if __name__ == "__main__":
    main()
