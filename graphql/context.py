"""Per-request context: the services, who is asking, and one set of DataLoaders.

Authentication is a later issue: until then the caller names itself in `X-Actor:
<role>:<id>` (e.g. `coordinator:ana`), and a request without it acts as the local
coordinator, which is what GraphiQL on a developer's machine needs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar
from uuid import UUID, uuid4

import asyncpg
from bridgework.graphql.live import LiveTail
from bridgework.graphql.observe import NoObserver, Observer
from bridgework.projections import read
from bridgework.projections.positions import PositionBeyondHead, PositionWatcher
from bridgework.projections.views import (
    AttendanceView,
    CheckInView,
    ClearanceView,
    ConsentView,
    ContributionView,
    CredentialView,
    EnrolmentEntry,
    EvaluationView,
    HoursTotals,
    HoursView,
    LiaisonView,
    MatchView,
    MentorView,
    OrganisationView,
    PartnerRoleView,
    PartnershipStateView,
    PartnershipTransitionView,
    PartnershipView,
    PathwayView,
    ProgramEnrolmentView,
    ProgramOutcomeView,
    ProgramView,
    ProposalView,
    SessionView,
    ShowcaseView,
    StudentSurveyView,
    StudentView,
    SuccessMetricView,
    SurveyDelta,
)
from bridgework.services.context import Actor, Role
from bridgework.services.ports import EventStore
from bridgework.services.unit_of_work import Deps
from bridgework.services.validation import text_problem
from litestar.datastructures import Headers, State
from strawberry.dataloader import DataLoader
from strawberry.extensions import SchemaExtension
from strawberry.litestar import BaseContext

from graphql import GraphQLError

LOCAL_ACTOR = Actor("local", Role.COORDINATOR)

V = TypeVar("V")


@dataclass(frozen=True)
class ApiServices:
    """What the API needs from the process: set on `app.state.api` by the app's lifespan."""

    pool: asyncpg.Pool
    store: EventStore
    deps: Deps
    read_wait_seconds: float
    positions: PositionWatcher
    """Read-your-writes: one watcher of the projections' checkpoints for every request."""
    live: LiveTail
    """One reader of the log's head shared by every live subscription."""
    observer: Observer = field(default_factory=NoObserver)
    """Told about every operation (Prometheus, in the running app)."""


def _by_id(
    pool: asyncpg.Pool,
    fetch: Callable[[asyncpg.Pool, Sequence[UUID]], Awaitable[dict[UUID, V]]],
) -> DataLoader[UUID, V | None]:
    async def load(ids: list[UUID]) -> list[V | None]:
        found = await fetch(pool, ids)
        return [found.get(i) for i in ids]

    return DataLoader(load_fn=load)


def _lists_by_id(
    pool: asyncpg.Pool,
    fetch: Callable[[asyncpg.Pool, Sequence[UUID]], Awaitable[dict[UUID, list[V]]]],
) -> DataLoader[UUID, list[V]]:
    async def load(ids: list[UUID]) -> list[list[V]]:
        found = await fetch(pool, ids)
        return [found.get(i, []) for i in ids]

    return DataLoader(load_fn=load)


class Loaders:
    """One DataLoader per read-model query: a page of programs costs one query per field."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.organisation: DataLoader[UUID, OrganisationView | None] = _by_id(
            pool, read.organisations
        )
        self.partnership: DataLoader[UUID, PartnershipView | None] = _by_id(pool, read.partnerships)
        self.program: DataLoader[UUID, ProgramView | None] = _by_id(pool, read.programs)
        self.student: DataLoader[UUID, StudentView | None] = _by_id(pool, read.students)
        self.mentor: DataLoader[UUID, MentorView | None] = _by_id(pool, read.mentors)
        self.enrolment: DataLoader[UUID, ProgramEnrolmentView | None] = _by_id(
            pool, read.program_enrolments
        )
        self.outcome: DataLoader[UUID, ProgramOutcomeView | None] = _by_id(
            pool, read.program_outcomes
        )
        self.programs_of_partnership: DataLoader[UUID, list[ProgramView]] = _lists_by_id(
            pool, read.programs_of_partnerships
        )
        self.entries_of_program: DataLoader[UUID, list[EnrolmentEntry]] = _lists_by_id(
            pool, read.enrolments_of_programs
        )
        self.entries_of_student: DataLoader[UUID, list[EnrolmentEntry]] = _lists_by_id(
            pool, read.enrolments_of_students
        )
        self.showcases_of_program: DataLoader[UUID, list[ShowcaseView]] = _lists_by_id(
            pool, read.showcases_of_programs
        )
        self.partnership_state: DataLoader[UUID, PartnershipStateView | None] = _by_id(
            pool, read.partnership_states
        )
        self.history_of_partnership: DataLoader[UUID, list[PartnershipTransitionView]] = (
            _lists_by_id(pool, read.partnership_transitions)
        )
        self.roles_of_partnership: DataLoader[UUID, list[PartnerRoleView]] = _lists_by_id(
            pool, read.partner_roles
        )
        self.metrics_of_partnership: DataLoader[UUID, list[SuccessMetricView]] = _lists_by_id(
            pool, read.success_metrics
        )
        self.liaisons_of_partnership: DataLoader[UUID, list[LiaisonView]] = _lists_by_id(
            pool, read.liaisons
        )
        self.contributions_of_partnership: DataLoader[UUID, list[ContributionView]] = _lists_by_id(
            pool, read.contributions
        )
        self.check_ins_of_partnership: DataLoader[UUID, list[CheckInView]] = _lists_by_id(
            pool, read.check_ins
        )
        self.clearances_of_mentor: DataLoader[UUID, list[ClearanceView]] = _lists_by_id(
            pool, read.clearances_of_mentors
        )
        self.consents_of_student: DataLoader[UUID, list[ConsentView]] = _lists_by_id(
            pool, read.consents_of_students
        )
        self.matches_of_mentor: DataLoader[UUID, list[MatchView]] = _lists_by_id(
            pool, read.matches_of_mentors
        )
        self.matches_of_program: DataLoader[UUID, list[MatchView]] = _lists_by_id(
            pool, read.matches_of_programs
        )
        self.credentials_of_student: DataLoader[UUID, list[CredentialView]] = _lists_by_id(
            pool, read.credentials_of_students
        )
        self.pathways_of_student: DataLoader[UUID, list[PathwayView]] = _lists_by_id(
            pool, read.pathways_of_students
        )
        self.sessions_of_program: DataLoader[UUID, list[SessionView]] = _lists_by_id(
            pool, read.sessions_of_programs
        )
        self.attendance_of_program: DataLoader[UUID, list[AttendanceView]] = _lists_by_id(
            pool, read.attendance_of_programs
        )
        self.survey_results_of_program: DataLoader[UUID, list[SurveyDelta]] = _lists_by_id(
            pool, read.survey_deltas_of_programs
        )
        self.surveys_of_student: DataLoader[UUID, list[StudentSurveyView]] = _lists_by_id(
            pool, read.surveys_of_students
        )
        self.evaluations_of_student: DataLoader[UUID, list[EvaluationView]] = _lists_by_id(
            pool, read.evaluations_of_students
        )
        self.proposals_of_mentor: DataLoader[UUID, list[ProposalView]] = _lists_by_id(
            pool, read.proposals_of_mentors
        )
        self.proposals_of_program: DataLoader[UUID, list[ProposalView]] = _lists_by_id(
            pool, read.proposals_of_programs
        )
        self.hours_entry: DataLoader[UUID, HoursView | None] = _by_id(pool, read.hours_entries)
        self.hours_of_student: DataLoader[UUID, list[HoursView]] = _lists_by_id(
            pool, read.hours_of_students
        )
        self.hours_of_program: DataLoader[UUID, list[HoursView]] = _lists_by_id(
            pool, read.hours_of_programs
        )
        self.hours_totals: DataLoader[UUID, HoursTotals | None] = _by_id(
            pool, read.hours_totals_of_programs
        )


class Context(BaseContext, kw_only=True):
    api: ApiServices
    loaders: Loaders
    actor: Actor
    correlation_id: UUID
    header_problem: str | None = None
    """Why `X-Actor` or `X-Correlation-Id` could not be used: `RefuseBadHeaders` reports it."""

    async def see_at_least(self, position: int | None) -> None:
        """Read-your-writes: wait until the projections include `position`, or refuse."""
        if position is None:
            return
        if position < 0:
            raise GraphQLError(
                f"atLeast must be a log position (0 or more), got {position}",
                extensions={"code": "BAD_USER_INPUT", "field": "atLeast"},
            )
        api = self.api
        try:
            reached = await api.positions.wait(position, api.read_wait_seconds)
        except PositionBeyondHead as e:
            raise GraphQLError(
                f"atLeast: {e}; pass a position a mutation returned",
                extensions={"code": "BAD_USER_INPUT", "field": "atLeast", "head": e.head},
            ) from None
        if not reached:
            raise GraphQLError(
                f"the views have not caught up with position {position} yet; retry shortly",
                extensions={"code": "NOT_CAUGHT_UP", "position": position},
            )


class RefuseBadHeaders(SchemaExtension):
    """Refuse every operation whose `X-Actor` or `X-Correlation-Id` is unusable.

    Checked here rather than in the context getter so the caller gets a GraphQL error it can
    read (over HTTP and websockets alike), never a guessed identity or an HTTP 500.
    """

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        problem = getattr(context, "header_problem", None)
        if problem:
            raise GraphQLError(problem, extensions={"code": "BAD_REQUEST_HEADER"})
        yield


MAX_ACTOR_ID = 200


class HeaderError(ValueError):
    """A request header Bridgework reads has a value it cannot use."""


def _usable(name: str, header: str | None) -> str | None:
    """A header's value, refused if it holds control characters (as every string we read)."""
    if header is not None and (problem := text_problem(name, header)) is not None:
        raise HeaderError(problem)
    return header


def parse_actor(header: str | None) -> Actor:
    header = _usable("X-Actor", header)
    if header is None or not header.strip():
        return LOCAL_ACTOR
    role, sep, actor_id = header.strip().partition(":")
    roles = ", ".join(r.value for r in Role)
    if not sep or not actor_id or len(actor_id) > MAX_ACTOR_ID:
        raise HeaderError(
            f"X-Actor must be '<role>:<id>' with an id of at most {MAX_ACTOR_ID} characters"
            f" (roles: {roles})"
        )
    if role not in {r.value for r in Role}:
        raise HeaderError(f"X-Actor role {role!r} is not one of: {roles}")
    return Actor(actor_id, Role(role))


def parse_correlation(header: str | None) -> UUID:
    header = _usable("X-Correlation-Id", header)
    if not header:
        return uuid4()
    try:
        return UUID(header)
    except ValueError:
        raise HeaderError(f"X-Correlation-Id must be a UUID, got {header[:100]!r}") from None


async def context_getter(state: State, headers: Headers) -> Context:
    """Litestar resolves this for HTTP requests and websockets alike."""
    api: ApiServices = state.api
    problem: str | None = None
    try:
        actor = parse_actor(headers.get("x-actor"))
        correlation_id = parse_correlation(headers.get("x-correlation-id"))
    except HeaderError as e:
        actor, correlation_id, problem = LOCAL_ACTOR, uuid4(), str(e)
    return Context(
        api=api,
        loaders=Loaders(api.pool),
        actor=actor,
        correlation_id=correlation_id,
        header_problem=problem,
    )
