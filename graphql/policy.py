"""Who may run each root field: every area module declares `POLICIES` (root type → field
name → `Policy`) for its Query, Mutation and Subscription fields; a field without one is
refused to everyone (default deny), and `tests/api/test_policies.py` fails on it.

A mutation's policy is its command's `allowed_roles` (`commands(area.HANDLERS)`: the services
decide, answering with a `ForbiddenError` payload); a read's policy names the roles that may
run it and, where a student or mentor may read their own, a check on the arguments.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from bridgework.services.context import may_act_as
from bridgework.services.identity import Principal, Role
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.utils.str_converters import to_camel_case

from graphql import FieldNode, GraphQLError, OperationDefinitionNode, OperationType, parse

if TYPE_CHECKING:
    from bridgework.services.bus import Handlers
    from bridgework.services.command import Command
    from strawberry.types.field import StrawberryField

Check = Callable[[Principal, Mapping[str, Any]], bool]

STAFF = frozenset({Role.ADMINISTRATOR, Role.COORDINATOR, Role.PARTNER_LIAISON, Role.AUDITOR})
"""Who may ask for the directory, programs and partnerships; what each of them gets back is
scoped to their organisations by `reach.py`."""
LOG_READERS = frozenset({Role.ADMINISTRATOR, Role.COORDINATOR, Role.AUDITOR, Role.INTEGRATION})


@dataclass(frozen=True)
class Policy:
    """Who may run one root field."""

    roles: frozenset[Role]
    """Roles that may run it (an administrator counts as a coordinator)."""
    check: Check | None = None
    """Run for principals of `also`: e.g. a student reading their own record."""
    also: frozenset[Role] = frozenset()
    command: type[Command] | None = None
    """A mutation: the command whose `allowed_roles` decide (in the services)."""
    anonymous: bool = False
    """Authorised by a capability in its arguments (a link's token): runs without a login."""

    def allows(self, principal: Principal | None, arguments: Mapping[str, Any]) -> bool:
        if principal is None:
            return self.anonymous
        if self.command is not None:
            return True  # the services authorise, with a typed ForbiddenError
        if any(may_act_as(r, self.roles) for r in principal.roles):
            return True
        if self.check is None or principal.roles.isdisjoint(self.also):
            return False
        return self.check(principal, arguments)


def reads(*roles: Role, also: tuple[Role, ...] = (), check: Check | None = None) -> Policy:
    return Policy(frozenset(roles), check, frozenset(also))


def command(command_type: type[Command]) -> Policy:
    """A mutation that sends `command_type`: its `allowed_roles` are the policy."""
    return Policy(command_type.allowed_roles, command=command_type)


def link(command_type: type[Command]) -> Policy:
    """A mutation a link's token authorises: its command's roles, and no login needed."""
    return Policy(command_type.allowed_roles, command=command_type, anonymous=True)


def commands(handlers: Handlers) -> dict[str, Policy]:
    """The policy of every mutation of an area: each command its services handle, by the
    name of the mutation that sends it (`FormPartnership` → `form_partnership`)."""
    return {_snake(c.__name__): command(c) for c in dict(handlers.items())}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _own(attribute: str, argument: str) -> Check:
    def check(principal: Principal, arguments: Mapping[str, Any]) -> bool:
        try:
            wanted = UUID(str(arguments.get(argument)))
        except ValueError:
            return False
        return bool(getattr(principal, attribute) == wanted)

    return check


def staff(*more: Role) -> Policy:
    return reads(*STAFF, *more)


def own_student(argument: str = "id") -> Policy:
    """Staff, or the student themselves."""
    return reads(*STAFF, also=(Role.STUDENT,), check=_own("student_id", argument))


def own_mentor(argument: str = "id") -> Policy:
    """Staff, or the mentor themselves."""
    return reads(*STAFF, also=(Role.MENTOR,), check=_own("mentor_id", argument))


LINK = Policy(frozenset(Role), anonymous=True)
"""Authorised by a capability the caller passes (a supervisor's link token), so it needs no
login: an operation made only of such fields runs without a token (`only_link_fields`)."""
LOG = reads(*LOG_READERS)
DENY = reads()
"""What a field with no declared policy gets."""


class _Enforce(BasePermission):
    message = "you may not run this operation"
    error_extensions = {"code": "FORBIDDEN"}  # noqa: RUF012 - strawberry's class attribute

    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:  # noqa: ARG002
        return self.policy.allows(getattr(info.context, "principal", None), kwargs)


Policies = Mapping[str, Mapping[str, Policy]]
"""An area's declaration: `{"Query": {"student": own_student()}, "Mutation": commands(…)}`."""

POLICY_ATTRIBUTE = "bridgework_policy"


ANONYMOUS_FIELDS: set[str] = set()
"""The GraphQL names of the root fields with an anonymous policy (`LINK`)."""
MAX_ANONYMOUS_DOCUMENT = 4000
"""Longer documents are not parsed for an anonymous caller: they are refused."""


def declare(field: StrawberryField, policy: Policy | None) -> None:
    """Enforce `policy` (or, when none is declared, deny) on a root field."""
    setattr(field, POLICY_ATTRIBUTE, policy)
    if policy is not None and policy.anonymous:
        ANONYMOUS_FIELDS.add(field.graphql_name or to_camel_case(field.python_name))
    field.extensions.append(PermissionExtension([_Enforce(policy or DENY)], use_directives=False))


def policy_of(field: object) -> Policy | None:
    """The policy a root field declared (None: none, so everyone is refused)."""
    return getattr(field, POLICY_ATTRIBUTE, None)


def only_link_fields(query: str | None, operation_name: str | None) -> bool:
    """Whether the operation to run selects nothing but anonymous root fields (no fragments,
    no subscription): the one kind of operation a caller without a token may run."""
    if not query or len(query) > MAX_ANONYMOUS_DOCUMENT:
        return False
    try:
        document = parse(query)
    except GraphQLError:
        return False
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != len(document.definitions):
        return False
    chosen = [o for o in operations if operation_name in {None, o.name and o.name.value}]
    if len(chosen) != 1 or chosen[0].operation is OperationType.SUBSCRIPTION:
        return False
    return all(
        isinstance(s, FieldNode) and s.name.value in ANONYMOUS_FIELDS
        for s in chosen[0].selection_set.selections
    )
