-- Mail waiting to be sent, and the record that it was: the outbox a mailer drains
-- (infra/mail/). A row is enqueued inside the transaction that decides to send it, so a
-- rolled-back decision never mails; `dedupe_key` makes a retry or a projection's replay
-- enqueue once. The body (it may hold a link that is a credential) is erased once the mail
-- is sent or given up; the row stays as the audit that a mail went to `recipient` at
-- `sent_at`.
CREATE TABLE outbox (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),  -- also the mail's Message-ID
    dedupe_key text NOT NULL UNIQUE,
    recipient text NOT NULL,
    subject text NOT NULL,
    body text,
    created_at timestamptz NOT NULL DEFAULT now(),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz,
    given_up_at timestamptz,
    last_error text,
    CONSTRAINT outbox_body_erased_when_done
        CHECK ((sent_at IS NULL AND given_up_at IS NULL) OR body IS NULL),
    CONSTRAINT outbox_sent_or_given_up CHECK (sent_at IS NULL OR given_up_at IS NULL)
);

-- The mailer's claim: due rows still to send, oldest first.
CREATE INDEX outbox_due ON outbox (next_attempt_at)
    WHERE sent_at IS NULL AND given_up_at IS NULL;
