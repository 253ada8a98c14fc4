"""Dissolved into `safeguarding` (consents), `enrolment` (eligibility), `achievements`
(credentials, pathways) and `impact` (demographics); this re-export goes in issue 11's
step 5."""

from bridgework.services.achievements import (
    RecordCredential,
    RecordPathway,
    record_credential,
    record_pathway,
)
from bridgework.services.enrolment import Age, SetEligibility, set_eligibility
from bridgework.services.impact import DemographicAnswer, ReportDemographics, report_demographics
from bridgework.services.safeguarding import (
    RecordGuardianConsent,
    WithdrawGuardianConsent,
    record_guardian_consent,
    withdraw_guardian_consent,
)

__all__ = [
    "Age",
    "DemographicAnswer",
    "RecordCredential",
    "RecordGuardianConsent",
    "RecordPathway",
    "ReportDemographics",
    "SetEligibility",
    "WithdrawGuardianConsent",
    "record_credential",
    "record_guardian_consent",
    "record_pathway",
    "report_demographics",
    "set_eligibility",
    "withdraw_guardian_consent",
]
