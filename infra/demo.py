"""`bridgework demo`: a realistic data set loaded through the same command handlers as the API.

Every command carries an idempotency key derived from its place in the script, so running
the demo twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from bridgework.domain.mentor import ClearanceResult
from bridgework.domain.organisation import OrganisationKind
from bridgework.domain.program import Attendance, MatchClosure, ProgramKind
from bridgework.domain.student import Pathway
from bridgework.infra.demo_impact import impact_chapter
from bridgework.infra.demo_internship import internship_chapter
from bridgework.infra.demo_partnerships import partnerships_chapter
from bridgework.infra.demo_surveys import surveys_chapter
from bridgework.services import applications as ap
from bridgework.services import commands as c
from bridgework.services import handlers as h
from bridgework.services.context import Actor, CommandContext, Role
from bridgework.services.mentoring import (
    CloseMentorMatch,
    LogMentorMeeting,
    RecordClearance,
    close_mentor_match,
    log_mentor_meeting,
    record_clearance,
)
from bridgework.services.participation import (
    Mark,
    RecordAttendance,
    ScheduleSession,
    record_attendance,
    schedule_session,
)
from bridgework.services.students import (
    RecordCredential,
    RecordGuardianConsent,
    RecordPathway,
    SetEligibility,
    WithdrawGuardianConsent,
    record_credential,
    record_guardian_consent,
    record_pathway,
    set_eligibility,
    withdraw_guardian_consent,
)

if TYPE_CHECKING:
    from bridgework.services.unit_of_work import CommandResult, Deps

FIRST = (
    "Ana Lima", "Bo Chen", "Carmen Ruiz", "Dev Patel", "Elif Yildiz", "Farah Haddad",
    "Gabe Okafor", "Hana Sato", "Isaac Mensah", "Jade Nguyen", "Kofi Asante", "Lena Novak",
    "Mateo Silva", "Nia Brooks", "Omar Aziz", "Priya Raman", "Quinn Walsh", "Rosa Delgado",
    "Sami Kariuki", "Tara O'Neil", "Uma Iyer", "Victor Dubois", "Wen Li", "Ximena Castro",
    "Yara Haddad", "Zane Cooper", "Amara Obi", "Ben Kowalski", "Chloe Martin", "Diego Flores",
    "Esme Clarke", "Femi Adeyemi", "Grace Kim", "Hugo Bernard", "Ines Costa", "Jonah Levi",
    "Kira Petrova", "Liam Byrne", "Maya Cohen", "Noah Fischer", "Olivia Tran", "Pablo Ortega",
    "Rania Saleh", "Sofia Rossi", "Theo Laurent", "Ugo Eze", "Vera Lind", "Will Turner",
)  # fmt: skip


@dataclass(frozen=True)
class World:
    """What the opening story made, by name, for the chapters that build on it."""

    orgs: dict[str, UUID]
    partnerships: dict[str, UUID]
    programs: dict[str, UUID]
    students: dict[str, list[UUID]]
    """By school: lincoln, ridgeview, eastside, st_brigid, state_u."""
    mentors: dict[str, list[UUID]]
    """By organisation: ardent, helix, shieldnet."""


Chapter = Callable[["Script", World], Awaitable[None]]
"""A later part of the story (an area of the product), run after the opening."""


@dataclass
class Script:
    deps: Deps
    today: date
    actor: Actor = field(default_factory=lambda: Actor(id="demo", role=Role.COORDINATOR))
    step: int = 0
    positions: list[int] = field(default_factory=list)
    consents: dict[UUID, UUID] = field(default_factory=dict)
    """Student → their parent's standing consent."""
    on_step: Callable[[int], None] = lambda _: None
    """Told after each command (the CLI shows progress)."""

    async def run(
        self,
        handler: Callable[[Deps, CommandContext, Any], Awaitable[CommandResult]],
        cmd: Any,
        actor: Actor | None = None,
    ) -> CommandResult:
        self.step += 1
        ctx = CommandContext(
            actor=actor or self.actor,
            correlation_id=uuid4(),
            command_uuid=uuid4(),
            idempotency_key=f"demo:{self.step}",
        )
        result = await handler(self.deps, ctx, cmd)
        self.positions.append(result.position)
        self.on_step(1)
        return result

    async def org(self, name: str, kind: str) -> UUID:
        cmd = c.RegisterOrganization(name=name, kind=OrganisationKind(kind))
        return (await self.run(h.register_organization, cmd)).id

    async def students(self, names: tuple[str, ...], school: UUID, grade: int | None) -> list[UUID]:
        """Students of an age to match their grade; a parent's standing consent for minors."""
        ids = []
        for i, name in enumerate(names):
            years = 20 if grade is None else grade + 6
            born = self.today - timedelta(days=365 * years - 17 * i)
            cmd = c.RegisterStudent(name=name, grade=grade, school_id=school, date_of_birth=born)
            student = (await self.run(h.register_student, cmd)).id
            if grade is not None:
                consent = RecordGuardianConsent(
                    student_id=student, guardian_name=f"Parent of {name}", relationship="parent",
                    given_on=self.today - timedelta(days=90),
                )  # fmt: skip
                self.consents[student] = (await self.run(record_guardian_consent, consent)).id
            ids.append(student)
        return ids

    async def partnership(self, name: str, orgs: list[UUID], goals: list[str]) -> UUID:
        cmd = c.FormPartnership(name=name, organization_ids=orgs, goals=goals)
        return (await self.run(h.form_partnership, cmd)).id

    async def program(self, partnership_id: UUID, name: str, kind: str, capacity: int) -> UUID:
        cmd = c.LaunchProgram(
            partnership_id=partnership_id, name=name, kind=ProgramKind(kind), capacity=capacity,
            starts_on=self.today - timedelta(days=75),
            ends_on=self.today + timedelta(days=60),
        )  # fmt: skip
        return (await self.run(h.launch_program, cmd)).id

    async def enrol(self, program_id: UUID, students: list[UUID]) -> None:
        for student in students:
            await self.run(
                h.enroll_student, c.EnrollStudent(program_id=program_id, student_id=student)
            )

    async def mentor(self, name: str, org: UUID, capacity: int = 3) -> UUID:
        """A mentor with a clear background check (no one is matched without one)."""
        cmd = c.RegisterMentor(name=name, organization_id=org, capacity=capacity)
        mentor = (await self.run(h.register_mentor, cmd)).id
        await self.clearance(mentor, "clear", completed_days_ago=120, expires_in_days=975)
        return mentor

    async def clearance(
        self,
        mentor: UUID,
        result: str,
        completed_days_ago: int | None = None,
        expires_in_days: int | None = None,
        check_type: str = "Enhanced background check",
    ) -> None:
        cmd = RecordClearance(
            mentor_id=mentor, check_type=check_type, provider="Valley Screening Services",
            result=ClearanceResult(result),
            completed_on=None if completed_days_ago is None
            else self.today - timedelta(days=completed_days_ago),
            expires_on=None if expires_in_days is None
            else self.today + timedelta(days=expires_in_days),
        )  # fmt: skip
        await self.run(record_clearance, cmd)

    async def match(self, program_id: UUID, pairs: list[tuple[UUID, UUID]]) -> None:
        for student, m in pairs:
            cmd = c.AssignMentor(program_id=program_id, student_id=student, mentor_id=m)
            await self.run(h.assign_mentor, cmd)

    async def complete(self, program_id: UUID, students: list[UUID]) -> None:
        for student in students:
            cmd = c.CompleteEnrollment(program_id=program_id, student_id=student)
            await self.run(h.complete_enrollment, cmd)

    async def showcase(
        self,
        program_id: UUID,
        title: str,
        days_ago: int,
        presenters: list[UUID],
        guests: list[UUID],
    ) -> None:
        cmd = c.RecordShowcase(
            program_id=program_id, title=title, held_on=self.today - timedelta(days=days_ago),
            presenter_ids=presenters, attending_organization_ids=guests,
        )  # fmt: skip
        await self.run(h.record_showcase, cmd)


async def safeguarding_chapter(s: Script, w: World) -> None:
    """Checks that need attention: one lapsing soon, one flagged, one still pending."""
    keisha = w.mentors["shieldnet"][0]
    await s.clearance(keisha, "clear", completed_days_ago=353, expires_in_days=12,
                      check_type="Child protection training")  # fmt: skip
    flagged = await s.mentor("Victor Hale", w.orgs["bytewave"])
    await s.clearance(flagged, "flagged", completed_days_ago=2)
    pending = await s.mentor("Marta Ruiz", w.orgs["sunspark"])
    await s.clearance(pending, "pending", check_type="State fingerprint check")

    # Who programs are for, and a guardian who changed their mind.
    await s.run(set_eligibility, SetEligibility(
        program_id=w.programs["biotech"], min_grade=10, max_grade=12, min_age=15, max_age=19,
    ))  # fmt: skip
    await s.run(set_eligibility, SetEligibility(
        program_id=w.programs["apps"], min_grade=9, max_grade=12,
        prerequisite_ids=[w.programs["bootcamp"]],
    ))  # fmt: skip
    # Mentoring: meetings, a match that did not work out, and one gone quiet.
    robotics, biotech = w.programs["robotics"], w.programs["biotech"]
    lincoln, east = w.students["lincoln"], w.students["eastside"]
    for kid, days_ago in ((lincoln[0], 3), (lincoln[1], 10), (lincoln[0], 17)):
        await s.run(log_mentor_meeting, LogMentorMeeting(
            program_id=robotics, student_id=kid, met_on=s.today - timedelta(days=days_ago),
            minutes=45, notes="Worked on the drivetrain",
        ))  # fmt: skip
    await s.run(log_mentor_meeting, LogMentorMeeting(
        program_id=biotech, student_id=east[9], met_on=s.today - timedelta(days=40), minutes=60,
    ))  # fmt: skip
    await s.run(close_mentor_match, CloseMentorMatch(
        program_id=robotics, student_id=lincoln[2], reason=MatchClosure.SCHEDULE,
        note="Practice clashes with the engineer's shifts",
    ))  # fmt: skip
    leaving = w.students["st_brigid"][5]
    await s.run(withdraw_guardian_consent, WithdrawGuardianConsent(
        student_id=leaving, consent_id=s.consents[leaving],
        reason="Family moving abroad at the end of term",
    ))  # fmt: skip


async def participation_chapter(s: Script, w: World) -> None:
    """Four robotics club nights (one student has missed the last three); credentials and
    pathways after the bootcamp and the biotech internship."""
    east, bootcamp, biotech = w.students["eastside"], w.programs["bootcamp"], w.programs["biotech"]
    for kid in east[0:5]:
        await s.run(record_credential, RecordCredential(
            student_id=kid, program_id=bootcamp, name="AWS Cloud Practitioner",
            issuer="Amazon Web Services", earned_on=s.today - timedelta(days=4),
        ))  # fmt: skip
    for kid in east[6:9]:
        await s.run(record_credential, RecordCredential(
            student_id=kid, program_id=biotech, name="Lab safety certificate",
            issuer="Helix Biotech", earned_on=s.today - timedelta(days=6),
        ))  # fmt: skip
    for kid, pathway, where in (
        (east[0], Pathway.INTERNSHIP_OFFER, "Bytewave Technologies"),
        (east[1], Pathway.INTERNSHIP_OFFER, "Bytewave Technologies"),
        (east[2], Pathway.COLLEGE_STEM, "State University School of Computing"),
    ):
        await s.run(record_pathway, RecordPathway(
            student_id=kid, program_id=bootcamp, pathway=pathway, organisation=where,
            on=s.today - timedelta(days=2),
        ))  # fmt: skip
    await s.run(record_pathway, RecordPathway(
        student_id=east[6], program_id=biotech, pathway=Pathway.APPRENTICESHIP,
        organisation="Helix Biotech", on=s.today - timedelta(days=1),
    ))  # fmt: skip

    robotics, kids = w.programs["robotics"], w.students["lincoln"]
    for n, days_ago in enumerate((28, 21, 14, 7)):
        session = (await s.run(schedule_session, ScheduleSession(
            program_id=robotics, held_on=s.today - timedelta(days=days_ago),
            title=f"Club night {n + 1}",
        ))).id  # fmt: skip
        away = Attendance.UNEXCUSED if n == 2 else Attendance.EXCUSED  # noqa: PLR2004
        marks = [
            Mark(student_id=kid, status=away if (kid == kids[4] and n > 0) else Attendance.PRESENT)
            for kid in (kids[0], kids[1], kids[2], kids[4])
        ]
        await s.run(record_attendance, RecordAttendance(
            program_id=robotics, session_id=session, marks=marks,
        ))  # fmt: skip


async def applications_chapter(s: Script, w: World) -> None:
    """A summer internship at Bytewave for bootcamp graduates: two accepted into its seats, one
    onto the waitlist, one denied, one refused by the rules, one still to decide."""
    east = w.students["eastside"]
    internship = await s.program(
        w.partnerships["bootcamp"], "Bytewave Summer Internship", "internship", 2
    )
    w.programs["internship"] = internship
    await s.run(set_eligibility, SetEligibility(
        program_id=internship, min_age=16, prerequisite_ids=[w.programs["bootcamp"]],
    ))  # fmt: skip
    for kid in (east[0], east[1], east[2], east[3], east[4], east[10]):
        await s.run(ap.apply_to_program, ap.ApplyToProgram(
            program_id=internship, student_id=kid, statement="I want to build real software",
        ))  # fmt: skip
    for kid in (east[0], east[1], east[2]):
        cmd = ap.AcceptApplication(program_id=internship, student_id=kid)
        await s.run(ap.accept_application, cmd)
    await s.run(ap.deny_application, ap.DenyApplication(
        program_id=internship, student_id=east[3], reason="Missed both interview slots",
    ))  # fmt: skip


CHAPTERS: tuple[Chapter, ...] = (
    partnerships_chapter,
    safeguarding_chapter,
    participation_chapter,
    applications_chapter,
    internship_chapter,
    surveys_chapter,
    impact_chapter,
)
"""Run in this order; append new chapters at the end, so earlier steps keep their keys."""


async def load_demo(  # noqa: PLR0915 - a story, top to bottom
    deps: Deps, today: date | None = None, on_step: Callable[[int], None] = lambda _: None
) -> int:
    """Load the demo data; return the highest log position written. `on_step` is told of
    each command as it is done."""
    s = Script(deps, today or deps.clock().date(), on_step=on_step)

    # Organisations.
    lincoln = await s.org("Lincoln Middle School", "school")
    ridgeview = await s.org("Ridgeview Rural High School", "school")
    st_brigid = await s.org("St Brigid's School for Girls", "school")
    eastside = await s.org("Eastside High School", "school")
    state_u = await s.org("State University School of Computing", "university")
    district = await s.org("Valley Unified School District", "district")
    ardent = await s.org("Ardent Engineering", "business")
    sunspark = await s.org("SunSpark Energy", "business")
    green = await s.org("Green Valley Environmental Trust", "nonprofit")
    bytewave = await s.org("Bytewave Technologies", "business")
    helix = await s.org("Helix Biotech", "business")
    shieldnet = await s.org("ShieldNet Security", "business")
    codeclub = await s.org("Eastside Makers Collective", "community_group")

    # Partnerships and programs.
    robotics_p = await s.partnership(
        "Lincoln & Ardent Robotics Mentorship", [lincoln, ardent, district],
        ["Grow robotics club enrolment 40% by June", "Every student paired with an engineer"],
    )  # fmt: skip
    solar_p = await s.partnership(
        "Ridgeview Solar Futures", [ridgeview, sunspark, green],
        ["Build a working solar array on campus", "20 students trained in renewable basics"],
    )  # fmt: skip
    bootcamp_p = await s.partnership(
        "State U Coding Pathways", [state_u, bytewave, eastside],
        ["20 internship placements", "80% bootcamp completion"],
    )  # fmt: skip
    biotech_p = await s.partnership(
        "Helix Young Scientists", [helix, eastside, district],
        ["80% of interns more confident in lab techniques"],
    )  # fmt: skip
    cyber_p = await s.partnership(
        "St Brigid's CyberGirls", [st_brigid, shieldnet],
        ["Double girls' enrolment in computing electives"],
    )  # fmt: skip
    apps_p = await s.partnership(
        "Eastside After-School App Lab", [eastside, codeclub, bytewave],
        ["Publish five student apps"],
    )  # fmt: skip

    robotics = await s.program(robotics_p, "Robotics Club Mentorship", "mentorship", 8)
    solar = await s.program(solar_p, "Solar Energy Club", "club", 10)
    bootcamp = await s.program(bootcamp_p, "Coding Bootcamp & Internships", "bootcamp", 6)
    biotech = await s.program(biotech_p, "High-School Biotech Internship", "internship", 4)
    cyber = await s.program(cyber_p, "CyberGirls: Flexible-Schedule Security", "workshop", 8)
    apps = await s.program(apps_p, "After-School App Development Club", "club", 6)

    # Students.
    roster = list(FIRST)
    lincoln_kids = await s.students(tuple(roster[0:10]), lincoln, 7)
    ridge_kids = await s.students(tuple(roster[10:20]), ridgeview, 10)
    east_kids = await s.students(tuple(roster[20:36]), eastside, 11)
    brigid_kids = await s.students(tuple(roster[36:46]), st_brigid, 10)
    undergrads = await s.students(tuple(roster[46:48]), state_u, None)

    # Enrolments: several programs fill up and waitlist the rest.
    await s.enrol(robotics, lincoln_kids)  # 8 seats, 2 waitlisted
    await s.enrol(solar, ridge_kids)
    await s.enrol(bootcamp, east_kids[0:6] + undergrads)  # 6 seats, 2 waitlisted
    await s.enrol(biotech, east_kids[6:11])  # 4 seats, 1 waitlisted
    await s.enrol(cyber, brigid_kids)  # 8 seats, 2 waitlisted
    await s.enrol(apps, east_kids[11:16])

    # A withdrawal frees a seat for the first waitlisted student.
    withdraw = c.WithdrawStudent(
        program_id=robotics, student_id=lincoln_kids[3], reason="Moved away"
    )
    await s.run(h.withdraw_student, withdraw)

    # Mentors.
    ardent_mentors = [await s.mentor(n, ardent) for n in ("Dana Ortiz", "Raj Malhotra", "Sue Park")]
    helix_mentor = await s.mentor("Dr. Amina Yusuf", helix, capacity=4)
    shield_mentor = await s.mentor("Keisha Grant", shieldnet, capacity=4)
    robotics_in = [k for i, k in enumerate(lincoln_kids) if i not in (3, 9)]
    await s.match(robotics, [(k, ardent_mentors[i % 3]) for i, k in enumerate(robotics_in[:7])])
    await s.match(biotech, [(k, helix_mentor) for k in east_kids[6:10]])
    await s.match(cyber, [(k, shield_mentor) for k in brigid_kids[:4]])

    # Showcases and completions.
    await s.showcase(robotics, "Spring Robot Rumble", 10, robotics_in[:6], [ardent, district])
    await s.showcase(solar, "Solar Array Unveiling", 5, ridge_kids[:8], [sunspark, green])
    await s.showcase(bootcamp, "Demo Day", 3, east_kids[0:6], [bytewave, state_u])
    await s.showcase(biotech, "Poster Session", 7, east_kids[6:10], [helix])
    await s.showcase(apps, "App Store Launch Party", 2, east_kids[11:16], [bytewave, codeclub])
    await s.complete(bootcamp, east_kids[0:5])
    await s.complete(biotech, east_kids[6:9])
    await s.complete(solar, ridge_kids[:7])
    await s.complete(cyber, brigid_kids[:3])

    world = World(
        orgs={
            "lincoln": lincoln, "ridgeview": ridgeview, "st_brigid": st_brigid,
            "eastside": eastside, "state_u": state_u, "district": district, "ardent": ardent,
            "sunspark": sunspark, "green": green, "bytewave": bytewave, "helix": helix,
            "shieldnet": shieldnet, "codeclub": codeclub,
        },
        partnerships={
            "robotics": robotics_p, "solar": solar_p, "bootcamp": bootcamp_p,
            "biotech": biotech_p, "cyber": cyber_p, "apps": apps_p,
        },
        programs={
            "robotics": robotics, "solar": solar, "bootcamp": bootcamp, "biotech": biotech,
            "cyber": cyber, "apps": apps,
        },
        students={
            "lincoln": lincoln_kids, "ridgeview": ridge_kids, "eastside": east_kids,
            "st_brigid": brigid_kids, "state_u": undergrads,
        },
        mentors={"ardent": ardent_mentors, "helix": [helix_mentor], "shieldnet": [shield_mentor]},
    )  # fmt: skip
    for chapter in CHAPTERS:
        await chapter(s, world)
    return max(s.positions)
