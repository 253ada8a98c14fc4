"""Partnerships, by concept: `lifecycle` (forming, status, the base command), `charter`
(roles, success metrics), `collaboration` (liaisons, contributions, check-ins).

What `services/partnerships.py` held is re-exported here until issue 11's step 5.
"""

from bridgework.services.command import Line, Lines
from bridgework.services.partnerships.charter import (
    MOST,
    Amount,
    DefineSuccessMetric,
    RecordMetricValue,
    RetireSuccessMetric,
    SetPartnerRole,
    define_success_metric,
    record_metric_value,
    retire_success_metric,
    set_partner_role,
)
from bridgework.services.partnerships.collaboration import (
    AppointLiaison,
    FollowUpInput,
    RecordCheckIn,
    RecordContribution,
    StandDownLiaison,
    appoint_liaison,
    record_check_in,
    record_contribution,
    stand_down_liaison,
)
from bridgework.services.partnerships.lifecycle import (
    ActivatePartnership,
    ChangeStatus,
    ConcludePartnership,
    PartnershipCommand,
    RenewPartnership,
    SuspendPartnership,
    activate_partnership,
    conclude_partnership,
    renew_partnership,
    suspend_partnership,
)

__all__ = [
    "MOST",
    "ActivatePartnership",
    "Amount",
    "AppointLiaison",
    "ChangeStatus",
    "ConcludePartnership",
    "DefineSuccessMetric",
    "FollowUpInput",
    "Line",
    "Lines",
    "PartnershipCommand",
    "RecordCheckIn",
    "RecordContribution",
    "RecordMetricValue",
    "RenewPartnership",
    "RetireSuccessMetric",
    "SetPartnerRole",
    "StandDownLiaison",
    "SuspendPartnership",
    "activate_partnership",
    "appoint_liaison",
    "conclude_partnership",
    "define_success_metric",
    "record_check_in",
    "record_contribution",
    "record_metric_value",
    "renew_partnership",
    "retire_success_metric",
    "set_partner_role",
    "stand_down_liaison",
    "suspend_partnership",
]
