"""Moved to `bridgework.services.attendance`; this re-export goes in issue 11's step 5."""

from bridgework.domain.program import Attendance
from bridgework.services.attendance import (
    Mark,
    RecordAttendance,
    ScheduleSession,
    record_attendance,
    schedule_session,
)

__all__ = [
    "Attendance",
    "Mark",
    "RecordAttendance",
    "ScheduleSession",
    "record_attendance",
    "schedule_session",
]
