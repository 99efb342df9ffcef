-- Users and their notifications. Times are Unix milliseconds (INTEGER), which
-- PostgreSQL stores the same way as BIGINT, so both engines share one model.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'member')),
    -- The last sequence number given to one of this user's notifications:
    -- bumped in the same transaction as the insert, so it never repeats.
    last_seq      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);

CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The recipient's own, strictly increasing sequence: the resume cursor.
    seq        INTEGER NOT NULL,
    title      TEXT    NOT NULL,
    body       TEXT    NOT NULL DEFAULT '',
    link       TEXT,
    created_at INTEGER NOT NULL,
    read_at    INTEGER,
    UNIQUE (user_id, seq)
);

-- The unread count reads only this partial index, never the whole table.
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;
