"""What operators see of the mail: the outbox's counts (`bridgework status`, `/metrics`) and
this process's mailer counters (`/metrics`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

if TYPE_CHECKING:
    from bridgework.infra.mail.mailer import MailerStats
    from bridgework.infra.mail.outbox import OutboxCounts
    from prometheus_client.core import Metric


def mail_families(counts: OutboxCounts, stats: MailerStats | None) -> list[Metric]:
    outbox = GaugeMetricFamily(
        "bridgework_mail_outbox",
        "Mail in the outbox: waiting (of which retrying after a failure), given up, sent.",
        labels=["state"],
    )
    for state in ("waiting", "retrying", "given_up", "sent"):
        outbox.add_metric([state], getattr(counts, state))
    families: list[Metric] = [outbox]
    if stats is not None:
        for name, documentation in (
            ("sent", "Mail this process's mailer sent."),
            ("failed_attempts", "Attempts to send that failed and were scheduled again."),
            ("given_up", "Mail this process's mailer gave up on after its last attempt."),
        ):
            families.append(
                CounterMetricFamily(
                    f"bridgework_mail_{name}", documentation, value=getattr(stats, name)
                )
            )
    return families


def mail_report(counts: OutboxCounts) -> str:
    """The outbox in one line for `bridgework status`."""
    retrying = f" ({counts.retrying} retrying after a failure)" if counts.retrying else ""
    given_up = (
        f", {counts.given_up} given up (see last_error in the outbox table)"
        if counts.given_up
        else ", none given up"
    )
    return f"mail: {counts.waiting} waiting{retrying}{given_up}, {counts.sent} sent\n"
