"""`bridgework demo`: a realistic data set loaded through the same command handlers as the
API — the opening (organisations, partnerships, programs, students, enrolments, mentors,
showcases), then one chapter per area."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bridgework.infra.demo.applications import applications_chapter
from bridgework.infra.demo.impact import impact_chapter
from bridgework.infra.demo.internship import internship_chapter
from bridgework.infra.demo.participation import participation_chapter
from bridgework.infra.demo.partnerships import partnerships_chapter
from bridgework.infra.demo.safeguarding import safeguarding_chapter
from bridgework.infra.demo.script import Chapter, Script, World
from bridgework.infra.demo.surveys import surveys_chapter
from bridgework.services.enrolment import WithdrawStudent

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import date

    from bridgework.services.unit_of_work import Deps

FIRST = (
    "Ana Lima",
    "Bo Chen",
    "Carmen Ruiz",
    "Dev Patel",
    "Elif Yildiz",
    "Farah Haddad",
    "Gabe Okafor",
    "Hana Sato",
    "Isaac Mensah",
    "Jade Nguyen",
    "Kofi Asante",
    "Lena Novak",
    "Mateo Silva",
    "Nia Brooks",
    "Omar Aziz",
    "Priya Raman",
    "Quinn Walsh",
    "Rosa Delgado",
    "Sami Kariuki",
    "Tara O'Neil",
    "Uma Iyer",
    "Victor Dubois",
    "Wen Li",
    "Ximena Castro",
    "Yara Haddad",
    "Zane Cooper",
    "Amara Obi",
    "Ben Kowalski",
    "Chloe Martin",
    "Diego Flores",
    "Esme Clarke",
    "Femi Adeyemi",
    "Grace Kim",
    "Hugo Bernard",
    "Ines Costa",
    "Jonah Levi",
    "Kira Petrova",
    "Liam Byrne",
    "Maya Cohen",
    "Noah Fischer",
    "Olivia Tran",
    "Pablo Ortega",
    "Rania Saleh",
    "Sofia Rossi",
    "Theo Laurent",
    "Ugo Eze",
    "Vera Lind",
    "Will Turner",
)
"""The students' names, in the order the schools register them."""


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
        "Lincoln & Ardent Robotics Mentorship",
        [lincoln, ardent, district],
        ["Grow robotics club enrolment 40% by June", "Every student paired with an engineer"],
    )
    solar_p = await s.partnership(
        "Ridgeview Solar Futures",
        [ridgeview, sunspark, green],
        ["Build a working solar array on campus", "20 students trained in renewable basics"],
    )
    bootcamp_p = await s.partnership(
        "State U Coding Pathways",
        [state_u, bytewave, eastside],
        ["20 internship placements", "80% bootcamp completion"],
    )
    biotech_p = await s.partnership(
        "Helix Young Scientists",
        [helix, eastside, district],
        ["80% of interns more confident in lab techniques"],
    )
    cyber_p = await s.partnership(
        "St Brigid's CyberGirls",
        [st_brigid, shieldnet],
        ["Double girls' enrolment in computing electives"],
    )
    apps_p = await s.partnership(
        "Eastside After-School App Lab",
        [eastside, codeclub, bytewave],
        ["Publish five student apps"],
    )

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
    withdraw = WithdrawStudent(program_id=robotics, student_id=lincoln_kids[3], reason="Moved away")
    await s.run(withdraw)

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
            "lincoln": lincoln,
            "ridgeview": ridgeview,
            "st_brigid": st_brigid,
            "eastside": eastside,
            "state_u": state_u,
            "district": district,
            "ardent": ardent,
            "sunspark": sunspark,
            "green": green,
            "bytewave": bytewave,
            "helix": helix,
            "shieldnet": shieldnet,
            "codeclub": codeclub,
        },
        partnerships={
            "robotics": robotics_p,
            "solar": solar_p,
            "bootcamp": bootcamp_p,
            "biotech": biotech_p,
            "cyber": cyber_p,
            "apps": apps_p,
        },
        programs={
            "robotics": robotics,
            "solar": solar,
            "bootcamp": bootcamp,
            "biotech": biotech,
            "cyber": cyber,
            "apps": apps,
        },
        students={
            "lincoln": lincoln_kids,
            "ridgeview": ridge_kids,
            "eastside": east_kids,
            "st_brigid": brigid_kids,
            "state_u": undergrads,
        },
        mentors={"ardent": ardent_mentors, "helix": [helix_mentor], "shieldnet": [shield_mentor]},
    )
    for chapter in CHAPTERS:
        await chapter(s, world)
    return max(s.positions)
