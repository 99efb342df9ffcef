-- Users and their notifications. Times are Unix milliseconds (INTEGER), which
-- PostgreSQL stores the same way as BIGINT, so both engines share one model.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'member')),
    -- The user's event sequence: every change to their notifications takes
    -- the next number, in the same transaction, so it never repeats. It is
    -- the resume cursor and the version every count is valid at.
    last_seq      INTEGER NOT NULL DEFAULT 0,
    -- Unread, unarchived notifications: kept with every change so the badge
    -- is one row read however large the inbox.
    unread        INTEGER NOT NULL DEFAULT 0 CHECK (unread >= 0),
    created_at    INTEGER NOT NULL
);

CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The sequence number of its creation: the inbox order and page cursor.
    seq         INTEGER NOT NULL,
    -- The sequence number of its latest change: what a resume replays.
    version     INTEGER NOT NULL,
    title       TEXT    NOT NULL,
    body        TEXT    NOT NULL DEFAULT '',
    link        TEXT,
    category    TEXT    NOT NULL DEFAULT 'info'
                CHECK (category IN ('info', 'success', 'warning', 'mention')),
    actor       TEXT,
    created_at  INTEGER NOT NULL,
    seen_at     INTEGER,
    read_at     INTEGER,
    archived_at INTEGER,
    UNIQUE (user_id, seq)
);

-- An index per inbox view, so each page is a range read, never a scan. The
-- unread one also serves "mark all read", which includes archived rows.
CREATE INDEX notifications_unread ON notifications (user_id, seq)
    WHERE read_at IS NULL;
CREATE INDEX notifications_inbox ON notifications (user_id, seq)
    WHERE archived_at IS NULL;
CREATE INDEX notifications_archived ON notifications (user_id, seq)
    WHERE archived_at IS NOT NULL;
-- A resume replays changes after a version.
CREATE INDEX notifications_changes ON notifications (user_id, version);
