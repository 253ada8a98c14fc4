"""Domain errors: a broken business rule, worded for the coordinator who broke it."""


class DomainError(Exception):
    """Base class of every error the domain raises."""


class RuleViolated(DomainError):
    """A command would break a business rule; `rule` is a stable code a front end can switch on."""

    def __init__(self, rule: str, message: str) -> None:
        self.rule = rule
        self.message = message
        super().__init__(message)
