"""GraphQL object types, each built from a read-model view by `from_view()`.

Related objects resolve through the request's DataLoaders, so a page of programs with
their partnerships, enrolment and outcome costs one query per field, not per row.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import msgspec
import strawberry
from bridgework.graphql.context import Context
from bridgework.graphql.errors import bad_input
from bridgework.projections.read import timelines
from bridgework.projections.views import (
    EnrolmentEntry,
    MentorView,
    OrganisationView,
    PartnershipView,
    ProgramEnrolmentView,
    ProgramOutcomeView,
    ProgramView,
    ShowcaseView,
    StudentView,
    TimelineEntry,
)
from bridgework.services.ports import Checkpoint, StoredEvent
from strawberry.scalars import JSON

if TYPE_CHECKING:
    from bridgework.graphql.hours import HoursEntry, HoursTotals
    from bridgework.graphql.mentoring import Clearance, MentorLoad, MentorMatch, MentorMatchProposal
    from bridgework.graphql.outcomes import StudentOutcome
    from bridgework.graphql.participation import ProgramSession, StudentAttendance
    from bridgework.graphql.partnerships import (
        CheckIn,
        Contribution,
        Liaison,
        PartnerRole,
        PartnershipHealth,
        PartnershipStatus,
        PartnershipTransition,
        SuccessMetric,
    )
    from bridgework.graphql.students import (
        Credential,
        Eligibility,
        GuardianConsent,
        StudentPathway,
    )
    from bridgework.graphql.surveys import Evaluation, StudentSurvey, SurveyResult

Info = strawberry.Info[Context, None]

_partnerships = strawberry.lazy("bridgework.graphql.partnerships")
_mentoring = strawberry.lazy("bridgework.graphql.mentoring")
_students = strawberry.lazy("bridgework.graphql.students")
_participation = strawberry.lazy("bridgework.graphql.participation")
_surveys = strawberry.lazy("bridgework.graphql.surveys")
_hours = strawberry.lazy("bridgework.graphql.hours")
_outcomes = strawberry.lazy("bridgework.graphql.outcomes")
"""Partnership charters, safeguarding and consent live in modules of their own, built on
this one."""


@strawberry.enum
class OrganizationKind(Enum):
    """What kind of organisation takes part in partnerships."""

    SCHOOL = "school"
    DISTRICT = "district"
    BUSINESS = "business"
    NONPROFIT = "nonprofit"
    UNIVERSITY = "university"
    COMMUNITY_GROUP = "community_group"
    AGENCY = "agency"


@strawberry.enum
class ProgramKind(Enum):
    """What kind of program a partnership runs."""

    INTERNSHIP = "internship"
    MENTORSHIP = "mentorship"
    CLUB = "club"
    WORKSHOP = "workshop"
    BOOTCAMP = "bootcamp"
    CAREER_DAY = "career_day"
    FIELD_TRIP = "field_trip"
    PROFESSIONAL_DEVELOPMENT = "professional_development"


@strawberry.enum
class EnrollmentStatus(Enum):
    """Where a student stands in a program: ACCEPTED is passing (a seat or the waitlist follows)."""

    APPLIED = "APPLIED"
    ACCEPTED = "ACCEPTED"
    DENIED = "DENIED"
    REFUSED = "REFUSED"
    ENROLLED = "ENROLLED"
    WAITLISTED = "WAITLISTED"
    WITHDRAWN = "WITHDRAWN"
    COMPLETED = "COMPLETED"


class CursorError(ValueError):
    """A pagination cursor that this API did not hand out."""


def encode_cursor(kind: str, *parts: int) -> str:
    raw = ":".join([kind, *map(str, parts)])
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(kind: str, cursor: str, parts: int) -> list[int]:
    try:
        name, *values = base64.urlsafe_b64decode(cursor.encode()).decode().split(":")
        numbers = [int(v) for v in values]
    except (binascii.Error, UnicodeDecodeError, ValueError):
        numbers, name = [], ""
    if name != kind or len(numbers) != parts or min(numbers) < 0:
        raise CursorError(f"{cursor[:100]!r} is not a valid {kind} cursor from this API")
    return numbers


@strawberry.type
class Organization:
    """A school, district, business, nonprofit, university, …"""

    id: strawberry.ID
    name: str
    kind: OrganizationKind
    registered_at: datetime

    @classmethod
    def from_view(cls, v: OrganisationView) -> Organization:
        return cls(
            id=strawberry.ID(str(v.id)),
            name=v.name,
            kind=OrganizationKind(v.kind),
            registered_at=v.registered_at,
        )


@strawberry.type
class Partnership:
    """Two or more organisations running programs together."""

    id: strawberry.ID
    name: str
    goals: list[str]
    formed_at: datetime
    view: strawberry.Private[PartnershipView]

    @classmethod
    def from_view(cls, v: PartnershipView) -> Partnership:
        return cls(
            id=strawberry.ID(str(v.id)), name=v.name, goals=v.goals, formed_at=v.formed_at, view=v
        )

    @strawberry.field(description="The partner organisations.")
    async def organizations(self, info: Info) -> list[Organization]:
        found = await info.context.loaders.organisation.load_many(self.view.organisation_ids)
        return [Organization.from_view(o) for o in found if o is not None]

    @strawberry.field(description="The partnership's programs, in launch order.")
    async def programs(self, info: Info) -> list[Program]:
        found = await info.context.loaders.programs_of_partnership.load(self.view.id)
        return [Program.from_view(p) for p in found]

    @strawberry.field(description="Proposed, active, suspended or concluded.")
    async def status(self, info: Info) -> Annotated[PartnershipStatus, _partnerships] | None:
        from bridgework.graphql.partnerships import PartnershipStatus  # noqa: PLC0415

        found = await info.context.loaders.partnership_state.load(self.view.id)
        return None if found is None else PartnershipStatus(found.status)

    @strawberry.field(description="The current term, if it was ever renewed.")
    async def term_starts_on(self, info: Info) -> date | None:
        found = await info.context.loaders.partnership_state.load(self.view.id)
        return None if found is None else found.term_starts_on

    @strawberry.field(description="When the current term ends, if it was ever renewed.")
    async def term_ends_on(self, info: Info) -> date | None:
        found = await info.context.loaders.partnership_state.load(self.view.id)
        return None if found is None else found.term_ends_on

    @strawberry.field(description="Its life so far, oldest step first, each with its reason.")
    async def history(self, info: Info) -> list[Annotated[PartnershipTransition, _partnerships]]:
        from bridgework.graphql.partnerships import PartnershipTransition  # noqa: PLC0415

        found = await info.context.loaders.history_of_partnership.load(self.view.id)
        return [PartnershipTransition.from_view(t) for t in found]

    @strawberry.field(description="Charter: each partner's role and commitments.")
    async def roles(self, info: Info) -> list[Annotated[PartnerRole, _partnerships]]:
        from bridgework.graphql.partnerships import PartnerRole  # noqa: PLC0415

        found = await info.context.loaders.roles_of_partnership.load(self.view.id)
        return [PartnerRole.from_view(r) for r in found]

    @strawberry.field(description="Charter: success metrics with targets, in definition order.")
    async def metrics(
        self, info: Info, include_retired: bool = False
    ) -> list[Annotated[SuccessMetric, _partnerships]]:
        from bridgework.graphql.partnerships import SuccessMetric  # noqa: PLC0415

        found = await info.context.loaders.metrics_of_partnership.load(self.view.id)
        return [
            SuccessMetric.from_view(m) for m in found if include_retired or m.retired_reason is None
        ]

    @strawberry.field(description="Each partner's liaisons; former ones only when asked.")
    async def liaisons(
        self, info: Info, include_former: bool = False
    ) -> list[Annotated[Liaison, _partnerships]]:
        from bridgework.graphql.partnerships import Liaison  # noqa: PLC0415

        found = await info.context.loaders.liaisons_of_partnership.load(self.view.id)
        return [
            Liaison.from_view(v) for v in found if include_former or v.stood_down_reason is None
        ]

    @strawberry.field(description="What the partners gave, earliest first.")
    async def contributions(self, info: Info) -> list[Annotated[Contribution, _partnerships]]:
        from bridgework.graphql.partnerships import Contribution  # noqa: PLC0415

        found = await info.context.loaders.contributions_of_partnership.load(self.view.id)
        return [Contribution.from_view(v) for v in found]

    @strawberry.field(description="Check-ins, latest first.")
    async def check_ins(self, info: Info) -> list[Annotated[CheckIn, _partnerships]]:
        from bridgework.graphql.partnerships import CheckIn  # noqa: PLC0415

        found = await info.context.loaders.check_ins_of_partnership.load(self.view.id)
        return [CheckIn.from_view(v) for v in found]

    @strawberry.field(
        description="Metrics against targets, contributions by partner, last check-in and "
        "active programs, on `asOf` (default: today)."
    )
    async def health(
        self, info: Info, as_of: date | None = None
    ) -> Annotated[PartnershipHealth, _partnerships]:
        from bridgework.graphql.partnerships import (  # noqa: PLC0415
            partnership_health,
            today,
        )

        return await partnership_health(info, self, as_of or today())


@strawberry.type
class Enrollment:
    """A student applying to, enrolled in, waitlisted for or done with a program."""

    status: EnrollmentStatus
    waitlist_place: int | None = strawberry.field(
        description="1 for the first in line; null unless waitlisted."
    )
    changed_at: datetime
    reason: str = strawberry.field(
        description="Why they were denied or withdrawn, or what a refusal found."
    )
    rule: str | None = strawberry.field(
        description="The eligibility rule that refused them (REFUSED only), e.g. TOO_YOUNG."
    )
    entry: strawberry.Private[EnrolmentEntry]
    student_view: strawberry.Private[StudentView | None]

    @classmethod
    async def load_all(cls, info: Info, entries: list[EnrolmentEntry]) -> list[Enrollment]:
        """Enrollments with their students loaded up front in one batch: a list of a
        hundred then resolves `student` synchronously, not as a hundred awaitables."""
        students = await info.context.loaders.student.load_many([e.student_id for e in entries])
        return [
            cls(
                status=EnrollmentStatus(e.status),
                waitlist_place=e.waitlist_place,
                changed_at=e.changed_at,
                reason=e.reason,
                rule=e.rule,
                entry=e,
                student_view=student,
            )
            for e, student in zip(entries, students, strict=True)
        ]

    @strawberry.field
    def student(self) -> Student | None:
        return None if self.student_view is None else Student.from_view(self.student_view)

    @strawberry.field
    async def program(self, info: Info) -> Program | None:
        return await program_of(info, self.entry.program_id)

    @strawberry.field(description="The mentor assigned in this program, if any.")
    async def mentor(self, info: Info) -> Mentor | None:
        if self.entry.mentor_id is None:
            return None
        return await mentor_of(info, self.entry.mentor_id)


@strawberry.type
class ProgramEnrollment:
    """A program's seats and waitlist (the enrolment view)."""

    capacity: int
    enrolled: int
    waitlisted: int
    withdrawn: int
    completed: int
    applied: int = strawberry.field(description="Open applications, not yet decided.")
    denied: int
    refused: int = strawberry.field(description="Applications the eligibility rules refused.")
    seats_left: int
    program_id: strawberry.Private[UUID]

    @classmethod
    def from_view(cls, v: ProgramEnrolmentView) -> ProgramEnrollment:
        return cls(
            capacity=v.capacity, enrolled=v.enrolled, waitlisted=v.waitlisted,
            withdrawn=v.withdrawn, completed=v.completed, applied=v.applied, denied=v.denied,
            refused=v.refused, seats_left=v.seats_left,
            program_id=v.program_id,
        )  # fmt: skip

    @strawberry.field(
        description="Every student: enrolled first, then the waitlist in order, then the rest."
    )
    async def entries(self, info: Info) -> list[Enrollment]:
        found = await info.context.loaders.entries_of_program.load(self.program_id)
        return await Enrollment.load_all(info, found)

    @strawberry.field(description="The waitlisted students, first in line first.")
    async def waitlist(self, info: Info) -> list[Enrollment]:
        # The same batched load as `entries`: asking for both costs one query.
        found = await info.context.loaders.entries_of_program.load(self.program_id)
        waiting = [e for e in found if e.status == "WAITLISTED"]
        waiting.sort(key=lambda e: e.waitlist_place or 0)
        return await Enrollment.load_all(info, waiting)


@strawberry.type
class ProgramOutcome:
    """What a program achieved so far (the outcome view)."""

    showcases_held: int
    students_presented: int = strawberry.field(
        description="Distinct students who presented at one or more showcases."
    )
    completions: int
    completion_rate: float | None = strawberry.field(
        description="Completions ÷ students who ever held a seat; null before anyone has."
    )
    mentors_assigned: int = strawberry.field(description="Distinct mentors ever assigned.")
    students_mentored: int

    @classmethod
    def from_view(cls, v: ProgramOutcomeView) -> ProgramOutcome:
        return cls(
            showcases_held=v.showcases_held, students_presented=v.students_presented,
            completions=v.completions, completion_rate=v.completion_rate,
            mentors_assigned=v.mentors_assigned, students_mentored=v.students_mentored,
        )  # fmt: skip


@strawberry.type
class Showcase:
    """An event where a program's students presented to partners."""

    id: strawberry.ID
    title: str
    held_on: date
    view: strawberry.Private[ShowcaseView]

    @classmethod
    def from_view(cls, v: ShowcaseView) -> Showcase:
        return cls(id=strawberry.ID(str(v.id)), title=v.title, held_on=v.held_on, view=v)

    @strawberry.field
    async def presenters(self, info: Info) -> list[Student]:
        found = await info.context.loaders.student.load_many(self.view.presenter_ids)
        return [Student.from_view(s) for s in found if s is not None]

    @strawberry.field(description="Partner organisations who attended.")
    async def attending_organizations(self, info: Info) -> list[Organization]:
        ids = self.view.attending_organisation_ids
        found = await info.context.loaders.organisation.load_many(ids)
        return [Organization.from_view(o) for o in found if o is not None]


@strawberry.type
class Program:
    """An internship, mentorship, club, workshop, bootcamp, …"""

    id: strawberry.ID
    name: str
    kind: ProgramKind
    capacity: int
    starts_on: date
    ends_on: date
    launched_at: datetime
    view: strawberry.Private[ProgramView]

    @strawberry.field(description="The program's sessions in date order, with who came.")
    async def sessions(self, info: Info) -> list[Annotated[ProgramSession, _participation]]:
        from bridgework.graphql.participation import ProgramSession  # noqa: PLC0415

        found = await info.context.loaders.sessions_of_program.load(self.view.id)
        return [ProgramSession.from_view(v) for v in found]

    @strawberry.field(description="Each marked student's attendance; `flagged` ones first.")
    async def attendance(self, info: Info) -> list[Annotated[StudentAttendance, _participation]]:
        from bridgework.graphql.participation import StudentAttendance  # noqa: PLC0415

        found = await info.context.loaders.attendance_of_program.load(self.view.id)
        rows = [StudentAttendance.from_view(v) for v in found]
        return sorted(rows, key=lambda a: (not a.flagged, -a.absences_in_a_row))

    @strawberry.field(
        description="Per survey question, pre and post over the students who answered both."
    )
    async def survey_results(self, info: Info) -> list[Annotated[SurveyResult, _surveys]]:
        from bridgework.graphql.surveys import SurveyResult  # noqa: PLC0415

        found = await info.context.loaders.survey_results_of_program.load(self.view.id)
        return [SurveyResult.from_view(v) for v in found]

    @strawberry.field(description="Students' hours in the program, by the day worked.")
    async def hours(self, info: Info) -> list[Annotated[HoursEntry, _hours]]:
        from bridgework.graphql.hours import HoursEntry  # noqa: PLC0415

        found = await info.context.loaders.hours_of_program.load(self.view.id)
        return [HoursEntry.from_view(v) for v in found]

    @strawberry.field(description="Hours submitted, verified and approved, and what waits.")
    async def hours_totals(self, info: Info) -> Annotated[HoursTotals, _hours]:
        from bridgework.graphql.hours import HoursTotals  # noqa: PLC0415
        from bridgework.projections.hours import NO_HOURS  # noqa: PLC0415

        found = await info.context.loaders.hours_totals.load(self.view.id)
        return HoursTotals.from_view(found or NO_HOURS)

    @strawberry.field(description="Matches proposed in the program and their answers.")
    async def mentor_proposals(
        self, info: Info
    ) -> list[Annotated[MentorMatchProposal, _mentoring]]:
        from bridgework.graphql.mentoring import MentorMatchProposal  # noqa: PLC0415

        found = await info.context.loaders.proposals_of_program.load(self.view.id)
        return [MentorMatchProposal.from_view(v) for v in found]

    @strawberry.field(description="Mentor matches in the program, oldest first.")
    async def mentor_matches(self, info: Info) -> list[Annotated[MentorMatch, _mentoring]]:
        from bridgework.graphql.mentoring import MentorMatch  # noqa: PLC0415

        found = await info.context.loaders.matches_of_program.load(self.view.id)
        return [MentorMatch.from_view(v) for v in found]

    @strawberry.field(description="Who the program is for.")
    def eligibility(self) -> Annotated[Eligibility, _students]:
        from bridgework.graphql.students import Eligibility  # noqa: PLC0415

        v = self.view
        return Eligibility(
            min_grade=v.min_grade, max_grade=v.max_grade, min_age=v.min_age,
            max_age=v.max_age,
            prerequisite_ids=[strawberry.ID(str(p)) for p in v.prerequisite_ids],
        )  # fmt: skip

    @classmethod
    def from_view(cls, v: ProgramView) -> Program:
        return cls(
            id=strawberry.ID(str(v.id)), name=v.name, kind=ProgramKind(v.kind),
            capacity=v.capacity, starts_on=v.starts_on, ends_on=v.ends_on,
            launched_at=v.launched_at, view=v,
        )  # fmt: skip

    @strawberry.field
    async def partnership(self, info: Info) -> Partnership | None:
        found = await info.context.loaders.partnership.load(self.view.partnership_id)
        return None if found is None else Partnership.from_view(found)

    @strawberry.field(description="Seats, waitlist and every student's status.")
    async def enrollment(self, info: Info) -> ProgramEnrollment | None:
        found = await info.context.loaders.enrolment.load(self.view.id)
        return None if found is None else ProgramEnrollment.from_view(found)

    @strawberry.field(description="Showcases, completions and mentoring so far.")
    async def outcome(self, info: Info) -> ProgramOutcome | None:
        found = await info.context.loaders.outcome.load(self.view.id)
        return None if found is None else ProgramOutcome.from_view(found)

    @strawberry.field(description="Showcases, earliest first.")
    async def showcases(self, info: Info) -> list[Showcase]:
        found = await info.context.loaders.showcases_of_program.load(self.view.id)
        return [Showcase.from_view(s) for s in found]


MAX_TIMELINE_PAGE = 200


@strawberry.type
class TimelineItem:
    """Something that happened to a student."""

    position: int = strawberry.field(description="Its place in the log.")
    event_type: str
    summary: str = strawberry.field(description="What happened, in words.")
    at: datetime
    program_id: strawberry.ID | None
    view: strawberry.Private[TimelineEntry]

    @classmethod
    def from_view(cls, v: TimelineEntry) -> TimelineItem:
        return cls(
            position=v.position, event_type=v.event_type, summary=v.summary, at=v.at,
            program_id=None if v.program_id is None else strawberry.ID(str(v.program_id)),
            view=v,
        )  # fmt: skip

    @strawberry.field
    async def program(self, info: Info) -> Program | None:
        if self.view.program_id is None:
            return None
        return await program_of(info, self.view.program_id)


@strawberry.type
class TimelinePage:
    entries: list[TimelineItem]
    end_cursor: str | None
    has_next_page: bool


@strawberry.type
class Student:
    """A student taking part in programs."""

    id: strawberry.ID
    name: str
    grade: int | None
    registered_at: datetime
    view: strawberry.Private[StudentView]

    @classmethod
    def from_view(cls, v: StudentView) -> Student:
        return cls(
            id=strawberry.ID(str(v.id)), name=v.name, grade=v.grade,
            registered_at=v.registered_at, view=v,
        )  # fmt: skip

    @strawberry.field
    async def school(self, info: Info) -> Organization | None:
        if self.view.school_id is None:
            return None
        found = await info.context.loaders.organisation.load(self.view.school_id)
        return None if found is None else Organization.from_view(found)

    @strawberry.field(description="The student's programs and where they stand in each.")
    async def enrollments(self, info: Info) -> list[Enrollment]:
        found = await info.context.loaders.entries_of_student.load(self.view.id)
        return await Enrollment.load_all(info, found)

    @strawberry.field(
        description="Every event about the student, oldest first (or newest first), a page at "
        "a time: pass a page's `endCursor` as `after` for the next."
    )
    async def timeline(
        self, info: Info, first: int = 50, after: str | None = None, newest_first: bool = False
    ) -> TimelinePage:
        if not 1 <= first <= MAX_TIMELINE_PAGE:
            raise bad_input("first", f"must be between 1 and {MAX_TIMELINE_PAGE}, got {first}")
        try:
            position = None if after is None else decode_cursor("timeline", after, 1)[0]
        except CursorError as e:
            raise bad_input("after", str(e)) from None
        found = await timelines(
            info.context.api.pool, [self.view.id], after=position, limit=first + 1,
            newest_first=newest_first,
        )  # fmt: skip
        page = found[:first]
        return TimelinePage(
            entries=[TimelineItem.from_view(e) for e in page],
            end_cursor=encode_cursor("timeline", page[-1].position) if page else None,
            has_next_page=len(found) > first,
        )

    @strawberry.field(description="Null if not on record (then treated as under 18).")
    def date_of_birth(self) -> date | None:
        return self.view.date_of_birth

    @strawberry.field(description="Credentials earned, earliest first.")
    async def credentials(self, info: Info) -> list[Annotated[Credential, _students]]:
        from bridgework.graphql.students import Credential  # noqa: PLC0415

        found = await info.context.loaders.credentials_of_student.load(self.view.id)
        return [Credential.from_view(v) for v in found]

    @strawberry.field(description="Where the student went next, earliest first.")
    async def pathways(self, info: Info) -> list[Annotated[StudentPathway, _students]]:
        from bridgework.graphql.students import StudentPathway  # noqa: PLC0415

        found = await info.context.loaders.pathways_of_student.load(self.view.id)
        return [StudentPathway.from_view(v) for v in found]

    @strawberry.field(description="Pre and post survey answers, by program and question.")
    async def surveys(self, info: Info) -> list[Annotated[StudentSurvey, _surveys]]:
        from bridgework.graphql.surveys import StudentSurvey  # noqa: PLC0415

        found = await info.context.loaders.surveys_of_student.load(self.view.id)
        return [StudentSurvey.from_view(v) for v in found]

    @strawberry.field(description="Supervisors' evaluations, by program, midpoint first.")
    async def evaluations(self, info: Info) -> list[Annotated[Evaluation, _surveys]]:
        from bridgework.graphql.surveys import Evaluation  # noqa: PLC0415

        found = await info.context.loaders.evaluations_of_student.load(self.view.id)
        return [Evaluation.from_view(v) for v in found]

    @strawberry.field(description="Their hours in every program, by the day worked.")
    async def hours(self, info: Info) -> list[Annotated[HoursEntry, _hours]]:
        from bridgework.graphql.hours import HoursEntry  # noqa: PLC0415

        found = await info.context.loaders.hours_of_student.load(self.view.id)
        return [HoursEntry.from_view(v) for v in found]

    @strawberry.field(description="Guardians' consents, in the order they were recorded.")
    async def consents(self, info: Info) -> list[Annotated[GuardianConsent, _students]]:
        from bridgework.graphql.students import GuardianConsent  # noqa: PLC0415

        found = await info.context.loaders.consents_of_student.load(self.view.id)
        return [GuardianConsent.from_view(c) for c in found]

    @strawberry.field(
        description="Per program they have an enrolment entry in (any status), in the order of "
        "`enrollments`: their standing, hours, attendance, survey changes, credentials, "
        "pathways and evaluations there."
    )
    async def outcomes(self, info: Info) -> list[Annotated[StudentOutcome, _outcomes]]:
        from bridgework.graphql.outcomes import student_outcomes  # noqa: PLC0415

        return await student_outcomes(info, self.view.id)


@strawberry.type
class Mentor:
    """A volunteer from a partner organisation."""

    id: strawberry.ID
    name: str
    capacity: int = strawberry.field(description="How many students they can mentor at once.")
    active_mentees: int
    view: strawberry.Private[MentorView]

    @classmethod
    def from_view(cls, v: MentorView) -> Mentor:
        return cls(
            id=strawberry.ID(str(v.id)), name=v.name, capacity=v.capacity,
            active_mentees=v.active_mentees, view=v,
        )  # fmt: skip

    @strawberry.field
    async def organization(self, info: Info) -> Organization | None:
        found = await info.context.loaders.organisation.load(self.view.organisation_id)
        return None if found is None else Organization.from_view(found)

    @strawberry.field(
        description="Background checks, latest first; only the latest of each type unless "
        "`includeSuperseded`."
    )
    async def clearances(
        self, info: Info, include_superseded: bool = False
    ) -> list[Annotated[Clearance, _mentoring]]:
        from bridgework.graphql.mentoring import Clearance  # noqa: PLC0415

        found = await info.context.loaders.clearances_of_mentor.load(self.view.id)
        return [Clearance.from_view(c) for c in found if include_superseded or c.current]

    @strawberry.field(description="Matches, oldest first; open ones only unless asked.")
    async def matches(
        self, info: Info, include_closed: bool = False
    ) -> list[Annotated[MentorMatch, _mentoring]]:
        from bridgework.graphql.mentoring import MentorMatch  # noqa: PLC0415

        found = await info.context.loaders.matches_of_mentor.load(self.view.id)
        return [MentorMatch.from_view(v) for v in found if include_closed or v.ended_on is None]

    @strawberry.field(description="Matches proposed to the mentor; open ones only unless asked.")
    async def proposals(
        self, info: Info, include_answered: bool = False
    ) -> list[Annotated[MentorMatchProposal, _mentoring]]:
        from bridgework.graphql.mentoring import MentorMatchProposal  # noqa: PLC0415

        found = await info.context.loaders.proposals_of_mentor.load(self.view.id)
        return [
            MentorMatchProposal.from_view(v)
            for v in found
            if include_answered or v.status == "proposed"
        ]

    @strawberry.field(description="Active and closed matches, early closures, average length.")
    async def load(
        self, info: Info, as_of: date | None = None
    ) -> Annotated[MentorLoad, _mentoring]:
        from bridgework.graphql.mentoring import mentor_load  # noqa: PLC0415
        from bridgework.graphql.partnerships import today  # noqa: PLC0415

        return await mentor_load(info, self, as_of or today())


@strawberry.type
class EventMetadata:
    """Who caused an event, and why."""

    actor: str = strawberry.field(description="`<role>:<id>` of the person or system.")
    correlation_id: strawberry.ID = strawberry.field(
        description="Shared by everything one user action caused."
    )
    causation_id: strawberry.ID = strawberry.field(description="The command that caused it.")
    command_id: str = strawberry.field(description="Its idempotency key, or the command id.")
    command: str


@strawberry.type
class Event:
    """One fact in the log, exactly as recorded."""

    position: int = strawberry.field(description="Its place in the global log.")
    tx_id: str = strawberry.field(description="The PostgreSQL transaction that wrote it.")
    cursor: str = strawberry.field(
        description="Pass as `after` to read or subscribe from just after this event."
    )
    event_id: strawberry.ID
    stream_id: str
    stream_version: int
    type: str = strawberry.field(description="Stable event type name, e.g. `StudentEnrolled`.")
    schema_version: int
    payload: JSON
    metadata: EventMetadata
    recorded_at: datetime

    @classmethod
    def from_stored(cls, e: StoredEvent) -> Event:
        m = e.metadata
        return cls(
            position=e.position,
            tx_id=str(e.tx_id),
            cursor=event_cursor(e.checkpoint),
            event_id=strawberry.ID(str(e.event_id)),
            stream_id=e.stream_id,
            stream_version=e.stream_version,
            type=e.event_type,
            schema_version=e.schema_version,
            payload=msgspec.json.decode(e.payload),
            metadata=EventMetadata(
                actor=m.actor,
                correlation_id=strawberry.ID(str(m.correlation_id)),
                causation_id=strawberry.ID(str(m.causation_id)),
                command_id=m.command_id,
                command=m.command,
            ),
            recorded_at=e.recorded_at,
        )


def event_cursor(checkpoint: Checkpoint) -> str:
    return encode_cursor("event", checkpoint.tx_id, checkpoint.position)


def event_checkpoint(cursor: str) -> Checkpoint:
    tx_id, position = decode_cursor("event", cursor, 2)
    return Checkpoint(tx_id, position)


async def student_of(info: Info, student_id: UUID) -> Student | None:
    """The student, through the request's loader (None if the views do not have them)."""
    found = await info.context.loaders.student.load(student_id)
    return None if found is None else Student.from_view(found)


async def program_of(info: Info, program_id: UUID) -> Program | None:
    found = await info.context.loaders.program.load(program_id)
    return None if found is None else Program.from_view(found)


async def mentor_of(info: Info, mentor_id: UUID) -> Mentor | None:
    found = await info.context.loaders.mentor.load(mentor_id)
    return None if found is None else Mentor.from_view(found)
