"""Mail settings: the development default (no SMTP server: the log), the environment's
names, refusals naming the variable; and the message a claimed mail becomes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from bridgework.infra.env import SettingsError
from bridgework.infra.mail.mailer import transport_for
from bridgework.infra.mail.outbox import Claimed
from bridgework.infra.mail.settings import MailSettings
from bridgework.infra.mail.transport import LogTransport, SmtpTransport, build_message
from bridgework.infra.settings import Settings


def test_with_no_smtp_host_mail_goes_to_the_log():
    mail = Settings.from_env({}).mail
    assert mail == MailSettings()
    assert mail.smtp_host is None
    assert isinstance(transport_for(mail), LogTransport)


def test_the_smtp_settings_read_the_environment():
    mail = Settings.from_env(
        {
            "BRIDGEWORK_SMTP_HOST": "smtp.example.org",
            "BRIDGEWORK_SMTP_PORT": "465",
            "BRIDGEWORK_SMTP_SECURITY": "TLS",
            "BRIDGEWORK_SMTP_USERNAME": "bridgework",
            "BRIDGEWORK_SMTP_PASSWORD": "s3cret",
            "BRIDGEWORK_SMTP_TIMEOUT": "12.5",
            "BRIDGEWORK_MAIL_FROM": "Bridgework <links@example.org>",
            "BRIDGEWORK_MAIL_MAX_ATTEMPTS": "4",
            "BRIDGEWORK_MAIL_RETRY_FIRST": "5",
            "BRIDGEWORK_MAIL_RETRY_MAX": "600",
            "BRIDGEWORK_MAIL_POLL": "15",
            "BRIDGEWORK_RUN_MAILER": "false",
        }
    ).mail
    assert mail == MailSettings(
        smtp_host="smtp.example.org",
        smtp_port=465,
        smtp_security="tls",
        smtp_username="bridgework",
        smtp_password="s3cret",  # noqa: S106 - a test value
        smtp_timeout_seconds=12.5,
        sender="Bridgework <links@example.org>",
        max_attempts=4,
        retry_first_seconds=5.0,
        retry_max_seconds=600.0,
        poll_seconds=15.0,
        run_mailer=False,
    )
    assert isinstance(transport_for(mail), SmtpTransport)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BRIDGEWORK_SMTP_PORT", "0"),
        ("BRIDGEWORK_SMTP_PORT", "smtp"),
        ("BRIDGEWORK_SMTP_SECURITY", "ssl3"),
        ("BRIDGEWORK_SMTP_TIMEOUT", "0"),
        ("BRIDGEWORK_MAIL_FROM", "nobody"),
        ("BRIDGEWORK_MAIL_FROM", "a@example.org, b@example.org"),
        ("BRIDGEWORK_MAIL_FROM", "a@example.org\r\nBcc: b@example.org"),
        ("BRIDGEWORK_MAIL_MAX_ATTEMPTS", "0"),
        ("BRIDGEWORK_MAIL_RETRY_FIRST", "-1"),
        ("BRIDGEWORK_RUN_MAILER", "maybe"),
    ],
)
def test_an_unusable_mail_setting_is_refused_naming_the_variable(name, value):
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({name: value})
    assert str(refused.value).startswith(f"{name}=")


def test_a_claimed_mail_becomes_a_message_whose_id_is_its_row():
    row = uuid.uuid4()
    mail = Claimed(
        id=row,
        recipient="supervisor@example.org",
        subject="Please verify",
        body="the link\n",
        attempts=2,
        created_at=datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
    )
    message = build_message(mail, "Bridgework <links@example.org>")
    assert message["Message-ID"] == f"<{row}@example.org>"
    assert message["To"] == "supervisor@example.org"
    assert message["Date"] == "Mon, 02 Mar 2026 09:30:00 +0000"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content() == "the link\n"


def test_production_needs_an_smtp_server_so_no_link_is_written_to_the_log():
    with pytest.raises(SettingsError, match="BRIDGEWORK_SMTP_HOST"):
        Settings.from_env({"BRIDGEWORK_ENV": "production"})
    found = Settings.from_env({"BRIDGEWORK_ENV": "production", "BRIDGEWORK_SMTP_HOST": "mail"})
    assert found.mail.smtp_host == "mail"
    assert Settings.from_env({}).mail.smtp_host is None  # development: mail goes to the log
