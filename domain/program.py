"""Programs: the internships, clubs, bootcamps… a partnership runs, and who is in them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from bridgework.domain.base import BridgeworkAggregate, day, ordinal
from bridgework.domain.errors import RuleViolated
from bridgework.domain.student import Applicant, age_on
from eventsourcing.domain import Aggregate, event


class ProgramKind(StrEnum):
    INTERNSHIP = "internship"
    MENTORSHIP = "mentorship"
    CLUB = "club"
    WORKSHOP = "workshop"
    BOOTCAMP = "bootcamp"
    CAREER_DAY = "career_day"
    FIELD_TRIP = "field_trip"
    PROFESSIONAL_DEVELOPMENT = "professional_development"


class Attendance(StrEnum):
    PRESENT = "present"
    EXCUSED = "excused"
    UNEXCUSED = "unexcused"


class MatchClosure(StrEnum):
    """Why a mentor match ended."""

    GOALS_MET = "goals_met"
    MENTOR_MOVED = "mentor_moved"
    SCHEDULE = "schedule"
    MISMATCH = "mismatch"
    STUDENT_LEFT = "student_left"
    OTHER = "other"


class Program(BridgeworkAggregate):
    """A program with a fixed number of seats and a first-come waitlist behind them."""

    STREAM = "program"

    class ProgramLaunched(Aggregate.Created):
        partnership_id: UUID
        name: str
        kind: ProgramKind
        capacity: int
        starts_on: date
        ends_on: date

    class EligibilitySet(Aggregate.Event):
        """Who may join: a grade band, an age range on the start date, and programs a
        student must have completed first. Each set replaces the one before."""

        min_grade: int | None
        max_grade: int | None
        min_age: int | None
        max_age: int | None
        prerequisite_ids: tuple[UUID, ...]

    class ApplicationReceived(Aggregate.Event):
        student_id: UUID
        statement: str

    class ApplicationRefused(Aggregate.Event):
        """The eligibility rules leave the applicant out; kept so the refusal and its rule
        show in the views, not only in the reply."""

        student_id: UUID
        rule: str
        detail: str

    class ApplicationAccepted(Aggregate.Event):
        """Followed at once by a seat (`StudentEnrolled`) or a place in line
        (`StudentWaitlisted`)."""

        student_id: UUID

    class ApplicationDenied(Aggregate.Event):
        student_id: UUID
        reason: str

    class StudentEnrolled(Aggregate.Event):
        student_id: UUID

    class StudentWaitlisted(Aggregate.Event):
        student_id: UUID

    class StudentWithdrawn(Aggregate.Event):
        student_id: UUID
        reason: str

    class StudentPromotedFromWaitlist(Aggregate.Event):
        student_id: UUID

    class EnrolmentCompleted(Aggregate.Event):
        student_id: UUID

    class MentorMatchProposed(Aggregate.Event):
        """A match put to the mentor; it starts (`MentorAssigned`) once they confirm it."""

        student_id: UUID
        mentor_id: UUID

    class MentorMatchDeclined(Aggregate.Event):
        student_id: UUID
        mentor_id: UUID
        reason: str

    class MentorAssigned(Aggregate.Event):
        """The match is active: assigned at once, or a proposal confirmed."""

        student_id: UUID
        mentor_id: UUID

    class MentorMatchClosed(Aggregate.Event):
        """A match ended before the student left or completed (who leaves closes their
        match as `student_left`; who completes, as `goals_met`)."""

        student_id: UUID
        mentor_id: UUID
        reason: MatchClosure
        note: str

    class SessionScheduled(Aggregate.Event):
        session_id: UUID
        held_on: date
        title: str

    class AttendanceRecorded(Aggregate.Event):
        """Who was there at a session. A later record for the same student and session
        corrects the earlier one; both stay in the log."""

        session_id: UUID
        held_on: date
        marks: tuple[tuple[UUID, Attendance], ...]

    class ShowcaseRecorded(Aggregate.Event):
        showcase_id: UUID
        title: str
        held_on: date
        presenter_ids: tuple[UUID, ...]
        attending_organisation_ids: tuple[UUID, ...]

    @event(ProgramLaunched)
    def __init__(
        self,
        partnership_id: UUID,
        name: str,
        kind: ProgramKind,
        capacity: int,
        starts_on: date,
        ends_on: date,
    ) -> None:
        self.partnership_id = partnership_id
        self.name = name
        self.kind = kind
        self.capacity = capacity
        self.starts_on = starts_on
        self.ends_on = ends_on
        self.enrolled: list[UUID] = []
        self.waitlist: list[UUID] = []
        self.applications: set[UUID] = set()
        self.completed: set[UUID] = set()
        self.mentor_of: dict[UUID, UUID] = {}
        self.proposed: dict[UUID, UUID] = {}
        """Student → the mentor a match was proposed to, awaiting their answer."""
        self.showcase_ids: set[UUID] = set()
        self.sessions: dict[UUID, date] = {}
        self.grades: tuple[int | None, int | None] = (None, None)
        self.ages: tuple[int | None, int | None] = (None, None)
        self.prerequisite_ids: tuple[UUID, ...] = ()

    @classmethod
    def launch(
        cls,
        *,
        id: UUID,
        partnership_id: UUID,
        name: str,
        kind: ProgramKind,
        capacity: int,
        starts_on: date,
        ends_on: date,
        at: datetime,
    ) -> Program:
        if capacity < 1:
            raise RuleViolated("CAPACITY_TOO_SMALL", f"Program '{name}' needs at least one seat")
        if ends_on < starts_on:
            raise RuleViolated(
                "ENDS_BEFORE_IT_STARTS",
                f"Program '{name}' cannot end ({day(ends_on)}) before it starts ({day(starts_on)})",
            )
        return cls._create(
            cls.ProgramLaunched,
            id=id,
            partnership_id=partnership_id,
            name=name,
            kind=kind,
            capacity=capacity,
            starts_on=starts_on,
            ends_on=ends_on,
            timestamp=at,
        )

    # Eligibility -------------------------------------------------------------------------

    def set_eligibility(
        self,
        *,
        min_grade: int | None,
        max_grade: int | None,
        min_age: int | None,
        max_age: int | None,
        prerequisite_ids: tuple[UUID, ...],
        at: datetime,
    ) -> None:
        if self.id in prerequisite_ids:
            raise RuleViolated(
                "PREREQUISITE_IS_ITSELF", f"'{self.name}' cannot be its own prerequisite"
            )
        self._set_eligibility(
            min_grade=min_grade, max_grade=max_grade, min_age=min_age, max_age=max_age,
            prerequisite_ids=prerequisite_ids, timestamp=at,
        )  # fmt: skip

    @event(EligibilitySet)
    def _set_eligibility(
        self,
        min_grade: int | None,
        max_grade: int | None,
        min_age: int | None,
        max_age: int | None,
        prerequisite_ids: tuple[UUID, ...],
        timestamp: datetime,
    ) -> None:
        self.grades = (min_grade, max_grade)
        self.ages = (min_age, max_age)
        self.prerequisite_ids = prerequisite_ids

    def check_eligible(self, applicant: Applicant) -> None:
        """Refuse a student the rules leave out, naming the rule."""
        low, high = self.grades
        who = applicant.name
        if (low is not None or high is not None) and not _within(applicant.grade, low, high):
            raise RuleViolated(
                "GRADE_OUT_OF_BAND",
                f"'{self.name}' is for grades {_band(low, high)}; {who} is "
                + (
                    "of no recorded grade"
                    if applicant.grade is None
                    else f"in grade {applicant.grade}"
                ),
            )
        low, high = self.ages
        ages = f"'{self.name}' is for ages {_band(low, high)}"
        if low is not None or high is not None:
            if applicant.date_of_birth is None:
                raise RuleViolated("AGE_UNKNOWN", f"{ages}; {who} has no date of birth on record")
            age = age_on(applicant.date_of_birth, self.starts_on)
            if low is not None and age < low:
                raise RuleViolated("TOO_YOUNG", f"{ages}; {who} will be {age} when it starts")
            if high is not None and age > high:
                raise RuleViolated("TOO_OLD", f"{ages}; {who} will be {age} when it starts")
        missing = [p for p in self.prerequisite_ids if p not in applicant.completed]
        if missing:
            raise RuleViolated(
                "PREREQUISITE_MISSING",
                f"{who} must first complete {len(missing)} prerequisite program(s) "
                f"of '{self.name}'",
            )

    # Enrolment ---------------------------------------------------------------------------

    @property
    def is_full(self) -> bool:
        return len(self.enrolled) >= self.capacity

    def _check_can_join(self, student_id: UUID, student_name: str, at: datetime) -> None:
        if student_id in self.enrolled:
            raise RuleViolated(
                "ALREADY_ENROLLED", f"{student_name} is already enrolled in '{self.name}'"
            )
        if student_id in self.waitlist:
            place = ordinal(self.waitlist.index(student_id) + 1)
            raise RuleViolated(
                "ALREADY_WAITLISTED",
                f"{student_name} is already {place} on the waitlist for '{self.name}'",
            )
        if student_id in self.completed:
            raise RuleViolated(
                "ALREADY_COMPLETED", f"{student_name} has already completed '{self.name}'"
            )
        if at.date() > self.ends_on:
            raise RuleViolated(
                "PROGRAM_ENDED",
                f"'{self.name}' ended on {day(self.ends_on)} and takes no more enrolments",
            )

    def apply(
        self,
        *,
        student_id: UUID,
        student_name: str,
        statement: str,
        applicant: Applicant,
        at: datetime,
    ) -> RuleViolated | None:
        """Receive an application. One the eligibility rules leave out is refused at once
        and the refusal recorded; the broken rule is returned."""
        if student_id in self.applications:
            raise RuleViolated(
                "ALREADY_APPLIED",
                f"{student_name} already has an open application to '{self.name}'",
            )
        self._check_can_join(student_id, student_name, at)
        self._receive(student_id=student_id, statement=statement, timestamp=at)
        try:
            self.check_eligible(applicant)
        except RuleViolated as refused:
            self._refuse(
                student_id=student_id, rule=refused.rule, detail=refused.message, timestamp=at
            )
            return refused
        return None

    @event(ApplicationReceived)
    def _receive(self, student_id: UUID, statement: str, timestamp: datetime) -> None:
        self.applications.add(student_id)

    @event(ApplicationRefused)
    def _refuse(self, student_id: UUID, rule: str, detail: str, timestamp: datetime) -> None:
        self.applications.discard(student_id)

    def _open_application(self, student_id: UUID, student_name: str) -> None:
        if student_id not in self.applications:
            raise RuleViolated(
                "NO_OPEN_APPLICATION",
                f"{student_name} has no open application to '{self.name}'",
            )

    def accept(self, *, student_id: UUID, student_name: str, at: datetime) -> None:
        """Accept an open application: the student gets a seat, or a place in line."""
        self._open_application(student_id, student_name)
        self._accept(student_id=student_id, timestamp=at)
        self.enrol(student_id=student_id, student_name=student_name, at=at)

    @event(ApplicationAccepted)
    def _accept(self, student_id: UUID, timestamp: datetime) -> None:
        self.applications.discard(student_id)

    def deny(self, *, student_id: UUID, student_name: str, reason: str, at: datetime) -> None:
        self._open_application(student_id, student_name)
        self._deny(student_id=student_id, reason=reason, timestamp=at)

    @event(ApplicationDenied)
    def _deny(self, student_id: UUID, reason: str, timestamp: datetime) -> None:
        self.applications.discard(student_id)

    def enrol(self, *, student_id: UUID, student_name: str, at: datetime) -> None:
        """Enrol a student, or put them at the back of the waitlist when every seat is taken.
        Enrolling a student with an open application settles it."""
        self._check_can_join(student_id, student_name, at)
        if self.is_full:
            self._waitlist(student_id=student_id, timestamp=at)
        else:
            self._enrol(student_id=student_id, timestamp=at)

    def waitlist_notice(self, student_id: UUID, student_name: str) -> str:
        """What a coordinator is told when a student lands on the waitlist."""
        place = ordinal(self.waitlist.index(student_id) + 1)
        return (
            f"Program '{self.name}' is full: {len(self.enrolled)} of {self.capacity} seats taken; "
            f"{student_name} is {place} on the waitlist"
        )

    def holds_place(self, student_id: UUID) -> bool:
        """Enrolled or waitlisted."""
        return student_id in self.enrolled or student_id in self.waitlist

    def require_participant(self, student_id: UUID, student_name: str) -> None:
        """Refuse a record about the program (hours, a credential…) for a student who has
        not held a seat in it."""
        if student_id not in self.enrolled and student_id not in self.completed:
            raise RuleViolated(
                "NOT_IN_PROGRAM", f"{student_name} has not taken part in '{self.name}'"
            )

    def waitlist_place(self, student_id: UUID) -> int | None:
        return self.waitlist.index(student_id) + 1 if student_id in self.waitlist else None

    @event(StudentEnrolled)
    def _enrol(self, student_id: UUID, timestamp: datetime) -> None:
        self.applications.discard(student_id)
        self.enrolled.append(student_id)

    @event(StudentWaitlisted)
    def _waitlist(self, student_id: UUID, timestamp: datetime) -> None:
        self.applications.discard(student_id)
        self.waitlist.append(student_id)

    def withdraw(self, *, student_id: UUID, student_name: str, reason: str, at: datetime) -> None:
        """Withdraw an enrolled, waitlisted or applying student; a freed seat goes to the first
        in line."""
        if not self.holds_place(student_id) and student_id not in self.applications:
            raise RuleViolated(
                "NOT_ENROLLED",
                f"{student_name} is neither enrolled in, waitlisted for nor applying to "
                f"'{self.name}'",
            )
        self._withdraw(student_id=student_id, reason=reason, timestamp=at)
        self._fill_freed_seat(at)

    def _fill_freed_seat(self, at: datetime) -> None:
        """No one waits while a seat is free: it goes to the first student in line."""
        if self.waitlist and not self.is_full:
            self._promote(student_id=self.waitlist[0], timestamp=at)

    @event(StudentWithdrawn)
    def _withdraw(self, student_id: UUID, reason: str, timestamp: datetime) -> None:
        if student_id in self.enrolled:
            self.enrolled.remove(student_id)
        elif student_id in self.waitlist:
            self.waitlist.remove(student_id)
        self.applications.discard(student_id)
        self.mentor_of.pop(student_id, None)
        self.proposed.pop(student_id, None)

    @event(StudentPromotedFromWaitlist)
    def _promote(self, student_id: UUID, timestamp: datetime) -> None:
        self.waitlist.remove(student_id)
        self.enrolled.append(student_id)

    def complete(self, *, student_id: UUID, student_name: str, at: datetime) -> None:
        """Mark an enrolled student's program done; their seat goes to the first in line."""
        if student_id in self.completed:
            raise RuleViolated(
                "ALREADY_COMPLETED", f"{student_name} has already completed '{self.name}'"
            )
        if student_id not in self.enrolled:
            raise RuleViolated(
                "NOT_ENROLLED",
                f"{student_name} is not enrolled in '{self.name}', so cannot complete it",
            )
        self._complete(student_id=student_id, timestamp=at)
        self._fill_freed_seat(at)

    @event(EnrolmentCompleted)
    def _complete(self, student_id: UUID, timestamp: datetime) -> None:
        self.enrolled.remove(student_id)
        self.completed.add(student_id)
        self.proposed.pop(student_id, None)

    # Sessions and attendance -------------------------------------------------------------

    def schedule_session(
        self, *, session_id: UUID, held_on: date, title: str, at: datetime
    ) -> None:
        if not self.starts_on <= held_on <= self.ends_on:
            raise RuleViolated(
                "SESSION_OUTSIDE_PROGRAM",
                f"'{self.name}' runs from {day(self.starts_on)} to {day(self.ends_on)}; a "
                f"session on {day(held_on)} is outside it",
            )
        self._schedule(session_id=session_id, held_on=held_on, title=title, timestamp=at)

    @event(SessionScheduled)
    def _schedule(self, session_id: UUID, held_on: date, title: str, timestamp: datetime) -> None:
        self.sessions[session_id] = held_on

    def record_attendance(
        self, *, session_id: UUID, marks: tuple[tuple[UUID, Attendance], ...], at: datetime
    ) -> None:
        """Mark who came to a session: students enrolled in (or done with) the program."""
        if session_id not in self.sessions:
            raise RuleViolated("UNKNOWN_SESSION", f"'{self.name}' has no session {session_id}")
        held_on = self.sessions[session_id]
        if held_on > at.date():
            raise RuleViolated(
                "SESSION_NOT_HELD_YET",
                f"The session on {day(held_on)} has not happened yet",
            )
        outsiders = [s for s, _ in marks if s not in self.enrolled and s not in self.completed]
        if outsiders:
            raise RuleViolated(
                "NOT_ENROLLED",
                f"{len(outsiders)} of the students marked are not in '{self.name}'",
            )
        self._attend(session_id=session_id, held_on=held_on, marks=marks, timestamp=at)

    @event(AttendanceRecorded)
    def _attend(
        self,
        session_id: UUID,
        held_on: date,
        marks: tuple[tuple[UUID, Attendance], ...],
        timestamp: datetime,
    ) -> None:
        pass

    # Mentors and showcases ---------------------------------------------------------------

    def _check_matchable(
        self, student_id: UUID, student_name: str, mentor_id: UUID, mentor_name: str
    ) -> None:
        if student_id not in self.enrolled:
            raise RuleViolated(
                "NOT_ENROLLED",
                f"{student_name} is not enrolled in '{self.name}', so cannot be given a mentor",
            )
        if self.mentor_of.get(student_id) == mentor_id:
            raise RuleViolated(
                "MENTOR_ALREADY_ASSIGNED",
                f"{mentor_name} already mentors {student_name} in '{self.name}'",
            )
        if student_id in self.mentor_of:
            raise RuleViolated(
                "STUDENT_HAS_MENTOR", f"{student_name} already has a mentor in '{self.name}'"
            )

    def assign_mentor(
        self,
        *,
        student_id: UUID,
        student_name: str,
        mentor_id: UUID,
        mentor_name: str,
        at: datetime,
    ) -> None:
        """Match at once (a proposal to someone else for the student lapses)."""
        self._check_matchable(student_id, student_name, mentor_id, mentor_name)
        self._assign_mentor(student_id=student_id, mentor_id=mentor_id, timestamp=at)

    @event(MentorAssigned)
    def _assign_mentor(self, student_id: UUID, mentor_id: UUID, timestamp: datetime) -> None:
        self.proposed.pop(student_id, None)
        self.mentor_of[student_id] = mentor_id

    def propose_match(
        self,
        *,
        student_id: UUID,
        student_name: str,
        mentor_id: UUID,
        mentor_name: str,
        at: datetime,
    ) -> None:
        """Put a match to a mentor; one open proposal per student."""
        self._check_matchable(student_id, student_name, mentor_id, mentor_name)
        if student_id in self.proposed:
            raise RuleViolated(
                "MATCH_ALREADY_PROPOSED",
                f"A match for {student_name} in '{self.name}' already awaits a mentor's answer",
            )
        self._propose(student_id=student_id, mentor_id=mentor_id, timestamp=at)

    @event(MentorMatchProposed)
    def _propose(self, student_id: UUID, mentor_id: UUID, timestamp: datetime) -> None:
        self.proposed[student_id] = mentor_id

    def proposal_for(self, student_id: UUID, student_name: str) -> UUID:
        """The mentor a student's open proposal went to."""
        if student_id not in self.proposed:
            raise RuleViolated(
                "NO_PROPOSED_MATCH", f"No match for {student_name} in '{self.name}' is proposed"
            )
        return self.proposed[student_id]

    def decline_match(
        self, *, student_id: UUID, student_name: str, reason: str, at: datetime
    ) -> None:
        mentor_id = self.proposal_for(student_id, student_name)
        self._decline_match(student_id=student_id, mentor_id=mentor_id, reason=reason, timestamp=at)

    @event(MentorMatchDeclined)
    def _decline_match(
        self, student_id: UUID, mentor_id: UUID, reason: str, timestamp: datetime
    ) -> None:
        self.proposed.pop(student_id, None)

    def close_match(
        self, *, student_id: UUID, student_name: str, reason: MatchClosure, note: str, at: datetime
    ) -> UUID:
        """End a student's mentor match; return the mentor, whose place it frees."""
        mentor_id = self.mentor_of.get(student_id)
        if mentor_id is None:
            raise RuleViolated(
                "NO_MENTOR_MATCH", f"{student_name} has no mentor in '{self.name}' to part from"
            )
        self._close_match(
            student_id=student_id, mentor_id=mentor_id, reason=reason, note=note, timestamp=at
        )
        return mentor_id

    @event(MentorMatchClosed)
    def _close_match(
        self,
        student_id: UUID,
        mentor_id: UUID,
        reason: MatchClosure,
        note: str,
        timestamp: datetime,
    ) -> None:
        self.mentor_of.pop(student_id, None)

    def record_showcase(
        self,
        *,
        showcase_id: UUID,
        title: str,
        held_on: date,
        presenter_ids: tuple[UUID, ...],
        attending_organisation_ids: tuple[UUID, ...],
        partner_ids: frozenset[UUID],
        at: datetime,
    ) -> None:
        """Record a showcase where students presented to partners; presenters must be in."""
        if showcase_id in self.showcase_ids:
            raise RuleViolated("SHOWCASE_EXISTS", f"Showcase '{title}' is already recorded")
        if held_on < self.starts_on:
            raise RuleViolated(
                "SHOWCASE_BEFORE_START",
                f"Showcase '{title}' ({day(held_on)}) is before '{self.name}' "
                f"starts ({day(self.starts_on)})",
            )
        outsiders = [s for s in presenter_ids if s not in self.enrolled and s not in self.completed]
        if outsiders:
            raise RuleViolated(
                "PRESENTER_NOT_IN_PROGRAM",
                f"{len(outsiders)} presenter(s) of '{title}' are not students of '{self.name}'",
            )
        guests = [o for o in attending_organisation_ids if o not in partner_ids]
        if guests:
            raise RuleViolated(
                "ORGANISATION_NOT_A_PARTNER",
                f"{len(guests)} attending organisation(s) of '{title}' are not partners "
                f"of the partnership that runs '{self.name}'",
            )
        self._record_showcase(
            showcase_id=showcase_id,
            title=title,
            held_on=held_on,
            presenter_ids=presenter_ids,
            attending_organisation_ids=attending_organisation_ids,
            timestamp=at,
        )

    @event(ShowcaseRecorded)
    def _record_showcase(
        self,
        showcase_id: UUID,
        title: str,
        held_on: date,
        presenter_ids: tuple[UUID, ...],
        attending_organisation_ids: tuple[UUID, ...],
        timestamp: datetime,
    ) -> None:
        self.showcase_ids.add(showcase_id)


def _within(value: int | None, low: int | None, high: int | None) -> bool:
    return value is not None and (low is None or value >= low) and (high is None or value <= high)


def _band(low: int | None, high: int | None) -> str:
    if low is None:
        return f"up to {high}"
    return f"{low} and up" if high is None else f"{low} to {high}"
