"""Students, their guardians' consent, and what a program asks of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from bridgework.domain.base import BridgeworkAggregate, day
from bridgework.domain.errors import RuleViolated
from eventsourcing.domain import Aggregate, event

ADULT_AGE = 18


class Pathway(StrEnum):
    """Where a student went after a program."""

    COLLEGE_STEM = "college_stem"
    INTERNSHIP_OFFER = "internship_offer"
    JOB_OFFER = "job_offer"
    APPRENTICESHIP = "apprenticeship"


PLACEMENTS = frozenset({Pathway.INTERNSHIP_OFFER, Pathway.JOB_OFFER, Pathway.APPRENTICESHIP})
"""Pathways that count as a placement in partnership metrics."""


class Demographic(StrEnum):
    """Optional, self-reported fields an impact report may break numbers down by."""

    GENDER = "gender"
    RACE_ETHNICITY = "race_ethnicity"
    FIRST_GENERATION = "first_generation"
    """First in their family to go to college."""
    LOW_INCOME = "low_income"
    DISABILITY = "disability"
    ENGLISH_LEARNER = "english_learner"


class SurveyPhase(StrEnum):
    """When a student answered a survey: before a program or after it."""

    PRE = "pre"
    POST = "post"


class EvaluationPhase(StrEnum):
    """When a supervisor evaluated an intern."""

    MIDPOINT = "midpoint"
    END = "end"


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


class Student(BridgeworkAggregate):
    """A student. One whose date of birth is not on record is treated as a minor."""

    STREAM = "student"

    class StudentRegistered(Aggregate.Created):
        """v2 adds `date_of_birth` (None for students registered before it was asked)."""

        class_version = 2
        name: str
        grade: int | None
        school_id: UUID | None
        date_of_birth: date | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> dict[str, Any]:
            state["date_of_birth"] = None
            return state

    class GuardianConsentRecorded(Aggregate.Event):
        consent_id: UUID
        program_id: UUID | None
        """None: a standing consent, covering every program."""
        guardian_name: str
        relationship: str
        given_on: date

    class GuardianConsentWithdrawn(Aggregate.Event):
        consent_id: UUID
        reason: str

    class ConsentRelied(Aggregate.Event):
        """The student was enrolled in (or waitlisted for) a program on this consent."""

        consent_id: UUID
        program_id: UUID

    class CredentialEarned(Aggregate.Event):
        credential_id: UUID
        program_id: UUID | None
        name: str
        issuer: str
        earned_on: date

    class PathwayRecorded(Aggregate.Event):
        pathway_id: UUID
        program_id: UUID | None
        """The program that led there, if any."""
        pathway: Pathway
        organisation: str
        on: date

    @event(StudentRegistered)
    def __init__(
        self, name: str, grade: int | None, school_id: UUID | None, date_of_birth: date | None
    ) -> None:
        self.name = name
        self.grade = grade
        self.school_id = school_id
        self.date_of_birth = date_of_birth
        self.consents: dict[UUID, UUID | None] = {}
        """Consents in force: consent id → the program it covers (None: all)."""
        self.relied: dict[UUID, UUID] = {}
        """Program → the consent its enrolment relied on."""
        self.credentials: set[tuple[str, UUID | None]] = set()
        self.dated: dict[tuple[UUID, SurveyPhase | EvaluationPhase], date] = {}
        """(program, phase) → the date of the survey or evaluation in force."""

    @classmethod
    def register(
        cls,
        *,
        id: UUID,
        name: str,
        grade: int | None,
        school_id: UUID | None,
        at: datetime,
        date_of_birth: date | None = None,
    ) -> Student:
        if date_of_birth is not None and date_of_birth >= at.date():
            raise RuleViolated("BORN_IN_THE_FUTURE", f"{name}'s date of birth must be before today")
        return cls._create(
            cls.StudentRegistered, id=id, name=name, grade=grade, school_id=school_id,
            date_of_birth=date_of_birth, timestamp=at,
        )  # fmt: skip

    def age_on(self, on: date) -> int | None:
        return None if self.date_of_birth is None else age_on(self.date_of_birth, on)

    def needs_consent(self, on: date) -> bool:
        """Under 18 on `on`, or of unknown age."""
        age = self.age_on(on)
        return age is None or age < ADULT_AGE

    def consent_for(self, program_id: UUID) -> UUID | None:
        """The consent in force that covers `program_id`: its own before a standing one."""
        for only in (program_id, None):
            for consent_id, covered in self.consents.items():
                if covered == only:
                    return consent_id
        return None

    def record_consent(
        self,
        *,
        consent_id: UUID,
        program_id: UUID | None,
        guardian_name: str,
        relationship: str,
        given_on: date,
        at: datetime,
    ) -> None:
        if given_on > at.date():
            raise RuleViolated(
                "CONSENT_IN_FUTURE", "A guardian's consent cannot be dated after today"
            )
        self._record_consent(
            consent_id=consent_id, program_id=program_id, guardian_name=guardian_name,
            relationship=relationship, given_on=given_on, timestamp=at,
        )  # fmt: skip

    @event(GuardianConsentRecorded)
    def _record_consent(
        self,
        consent_id: UUID,
        program_id: UUID | None,
        guardian_name: str,
        relationship: str,
        given_on: date,
        timestamp: datetime,
    ) -> None:
        self.consents[consent_id] = program_id

    def rely_on_consent(self, program_id: UUID, at: datetime) -> None:
        """Note which consent a minor's enrolment rests on; refuse when there is none."""
        if not self.needs_consent(at.date()):
            return
        consent_id = self.consent_for(program_id)
        if consent_id is None:
            known = "is under 18" if self.date_of_birth else "has no date of birth on record"
            raise RuleViolated(
                "CONSENT_MISSING",
                f"{self.name} {known}: a guardian's consent for this program (or a standing "
                "consent) must be recorded first",
            )
        if self.relied.get(program_id) != consent_id:
            self._rely(consent_id=consent_id, program_id=program_id, timestamp=at)

    @event(ConsentRelied)
    def _rely(self, consent_id: UUID, program_id: UUID, timestamp: datetime) -> None:
        self.relied[program_id] = consent_id

    def withdraw_consent(self, *, consent_id: UUID, reason: str, at: datetime) -> list[UUID]:
        """Withdraw a consent; return the programs that relied on it and that no other
        consent in force covers: the student must leave them."""
        if consent_id not in self.consents:
            raise RuleViolated(
                "NO_SUCH_CONSENT", f"{self.name} has no consent {consent_id} in force"
            )
        relying = [p for p, c in self.relied.items() if c == consent_id]
        self._withdraw_consent(consent_id=consent_id, reason=reason, timestamp=at)
        leaving = []
        for program_id in relying:
            other = self.consent_for(program_id)
            if other is None:
                leaving.append(program_id)
            else:
                self._rely(consent_id=other, program_id=program_id, timestamp=at)
        return leaving

    # Outcomes ----------------------------------------------------------------------------

    def earn_credential(
        self,
        *,
        credential_id: UUID,
        program_id: UUID | None,
        name: str,
        issuer: str,
        earned_on: date,
        at: datetime,
    ) -> None:
        _not_after("A credential", earned_on, at)
        if (name.casefold(), program_id) in self.credentials:
            raise RuleViolated(
                "CREDENTIAL_EXISTS", f"{self.name} already has the credential '{name}'"
            )
        self._earn(
            credential_id=credential_id, program_id=program_id, name=name, issuer=issuer,
            earned_on=earned_on, timestamp=at,
        )  # fmt: skip

    @event(CredentialEarned)
    def _earn(
        self,
        credential_id: UUID,
        program_id: UUID | None,
        name: str,
        issuer: str,
        earned_on: date,
        timestamp: datetime,
    ) -> None:
        self.credentials.add((name.casefold(), program_id))

    def record_pathway(
        self,
        *,
        pathway_id: UUID,
        program_id: UUID | None,
        pathway: Pathway,
        organisation: str,
        on: date,
        at: datetime,
    ) -> None:
        _not_after("A pathway", on, at)
        self._pathway(
            pathway_id=pathway_id, program_id=program_id, pathway=pathway,
            organisation=organisation, on=on, timestamp=at,
        )  # fmt: skip

    @event(PathwayRecorded)
    def _pathway(
        self,
        pathway_id: UUID,
        program_id: UUID | None,
        pathway: Pathway,
        organisation: str,
        on: date,
        timestamp: datetime,
    ) -> None:
        pass

    @event(GuardianConsentWithdrawn)
    def _withdraw_consent(self, consent_id: UUID, reason: str, timestamp: datetime) -> None:
        self.consents.pop(consent_id, None)
        self.relied = {p: c for p, c in self.relied.items() if c != consent_id}

    # Demographics ------------------------------------------------------------------------

    class DemographicsReported(Aggregate.Event):
        """What the student chose to tell about themselves; it replaces any earlier report
        (an empty one withdraws them all). Only ever shown in groups of five or more."""

        answers: tuple[tuple[Demographic, str], ...]

    def report_demographics(
        self, *, answers: tuple[tuple[Demographic, str], ...], at: datetime
    ) -> None:
        self._report_demographics(answers=answers, timestamp=at)

    @event(DemographicsReported)
    def _report_demographics(
        self, answers: tuple[tuple[Demographic, str], ...], timestamp: datetime
    ) -> None:
        pass

    # Surveys and evaluations -------------------------------------------------------------

    class SurveyAnswered(Aggregate.Event):
        """A later answer of the same phase for the same program corrects this one."""

        survey_id: UUID
        program_id: UUID
        phase: SurveyPhase
        answered_on: date
        answers: tuple[tuple[str, int], ...]
        """Question key → score 1..5, e.g. ("confidence_lab_techniques", 2)."""

    class EvaluationRecorded(Aggregate.Event):
        """A supervisor's evaluation of an intern; the same phase again corrects it."""

        evaluation_id: UUID
        program_id: UUID
        phase: EvaluationPhase
        evaluator: str
        evaluated_on: date
        ratings: tuple[tuple[str, int], ...]
        """Competency → score 1..5, e.g. ("communication", 4)."""
        comments: str

    def answer_survey(
        self,
        *,
        survey_id: UUID,
        program_id: UUID,
        program_name: str,
        phase: SurveyPhase,
        answered_on: date,
        answers: tuple[tuple[str, int], ...],
        at: datetime,
    ) -> None:
        _not_after("A survey", answered_on, at)
        self._check_dated_in_order(
            "survey", program_id, program_name, phase, answered_on,
            (SurveyPhase.PRE, SurveyPhase.POST), ("POST_BEFORE_PRE", "PRE_AFTER_POST"),
        )  # fmt: skip
        self._answer(
            survey_id=survey_id, program_id=program_id, phase=phase, answered_on=answered_on,
            answers=answers, timestamp=at,
        )  # fmt: skip

    @event(SurveyAnswered)
    def _answer(
        self,
        survey_id: UUID,
        program_id: UUID,
        phase: SurveyPhase,
        answered_on: date,
        answers: tuple[tuple[str, int], ...],
        timestamp: datetime,
    ) -> None:
        self.dated[program_id, SurveyPhase(phase)] = answered_on

    def evaluate(
        self,
        *,
        evaluation_id: UUID,
        program_id: UUID,
        program_name: str,
        phase: EvaluationPhase,
        evaluator: str,
        evaluated_on: date,
        ratings: tuple[tuple[str, int], ...],
        comments: str,
        at: datetime,
    ) -> None:
        _not_after("An evaluation", evaluated_on, at)
        self._check_dated_in_order(
            "evaluation", program_id, program_name, phase, evaluated_on,
            (EvaluationPhase.MIDPOINT, EvaluationPhase.END),
            ("END_BEFORE_MIDPOINT", "END_BEFORE_MIDPOINT"),
        )  # fmt: skip
        self._evaluate(
            evaluation_id=evaluation_id, program_id=program_id, phase=phase, evaluator=evaluator,
            evaluated_on=evaluated_on, ratings=ratings, comments=comments, timestamp=at,
        )  # fmt: skip

    @event(EvaluationRecorded)
    def _evaluate(
        self,
        evaluation_id: UUID,
        program_id: UUID,
        phase: EvaluationPhase,
        evaluator: str,
        evaluated_on: date,
        ratings: tuple[tuple[str, int], ...],
        comments: str,
        timestamp: datetime,
    ) -> None:
        self.dated[program_id, EvaluationPhase(phase)] = evaluated_on

    def _check_dated_in_order(
        self,
        what: str,
        program_id: UUID,
        program_name: str,
        phase: SurveyPhase | EvaluationPhase,
        on: date,
        pair: tuple[SurveyPhase, SurveyPhase] | tuple[EvaluationPhase, EvaluationPhase],
        rules: tuple[str, str],
    ) -> None:
        """The second of a pair of phases (pre, post; midpoint, end) is never dated before
        the first: `rules` name a late first and an early second."""
        first, second = pair
        earlier, later = self.dated.get((program_id, first)), self.dated.get((program_id, second))
        about = f"{self.name}'s {phase} {what} for '{program_name}' cannot be dated {day(on)}"
        if phase == second and earlier is not None and on < earlier:
            raise RuleViolated(rules[0], f"{about}, before their {first} {what} of {day(earlier)}")
        if phase == first and later is not None and on > later:
            raise RuleViolated(rules[1], f"{about}, after their {second} {what} of {day(later)}")


def _not_after(what: str, on: date, at: datetime) -> None:
    if on > at.date():
        raise RuleViolated("DATE_IN_FUTURE", f"{what} cannot be dated after today")


@dataclass(frozen=True)
class Applicant:
    """What a program's eligibility rules look at: built by the handler from the student
    and the programs they completed."""

    name: str
    grade: int | None
    date_of_birth: date | None
    completed: frozenset[UUID]
