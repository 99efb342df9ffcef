-- Email when the bell is not seen: a user with an address gets one digest
-- of what stayed unread and unseen past HERALD_EMAIL_AFTER_MINUTES, in the
-- categories they (or the admin's default) chose to be emailed about.
ALTER TABLE users ADD COLUMN email TEXT;
ALTER TABLE users ADD COLUMN display_name TEXT;
-- The newest notification a digest covered, and when the last was made:
-- nothing is emailed twice, and at most one per interval.
ALTER TABLE users ADD COLUMN emailed_up_to INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN emailed_at INTEGER NOT NULL DEFAULT 0;
-- A user's own choice; NULL: the category's default (email_defaults).
ALTER TABLE preferences ADD COLUMN email INTEGER CHECK (email IN (0, 1));
-- Categories an admin has emailed by default (off otherwise).
CREATE TABLE email_defaults (
    category TEXT PRIMARY KEY CHECK (category IN ('info', 'success', 'warning', 'mention')),
    set_at   INTEGER NOT NULL
);
-- Digests to send, written in the transaction that decided them and sent
-- by any instance (an attempt is claimed first), retried with backoff.
CREATE TABLE email_outbox (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    to_address  TEXT NOT NULL,
    subject     TEXT NOT NULL,
    text_body   TEXT NOT NULL,
    html_body   TEXT NOT NULL,
    -- The one-click unsubscribe address (RFC 8058) for its categories.
    unsubscribe TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    next_at     INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    sent_at     INTEGER,
    failed_at   INTEGER,
    last_error  TEXT
);
CREATE INDEX email_outbox_due ON email_outbox (next_at) WHERE sent_at IS NULL AND failed_at IS NULL;
-- What may be due for a digest: unread, unseen copies, oldest first.
CREATE INDEX notifications_unseen ON notifications (created_at) WHERE seen_at IS NULL AND read_at IS NULL;
