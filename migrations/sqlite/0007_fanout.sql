-- Sends to everyone or to a role are written out in the background, one
-- batch of users per transaction, so the request that asks for one answers
-- at once. Each row is a send still under way: what to store, whom it is
-- for, and how far it got. A batch moves `after_user` in the transaction
-- that stores its notifications, and the last one deletes the row, so a
-- crash resumes exactly where the last commit left off.
CREATE TABLE fanouts (
    send_id    INTEGER PRIMARY KEY REFERENCES sends (id),
    body       TEXT    NOT NULL DEFAULT '',
    link       TEXT,
    category   TEXT    NOT NULL,
    actor      TEXT,
    -- NULL: everyone; otherwise the role it is for.
    role       TEXT,
    -- Users created after the send are not among its recipients.
    up_to_user INTEGER NOT NULL,
    -- Every user up to this id has been handled.
    after_user INTEGER NOT NULL DEFAULT 0
);

-- One copy of a send per user, whatever a resume does. It also serves the
-- per-send lookups the old index did.
DROP INDEX notifications_send;
CREATE UNIQUE INDEX notifications_send_user ON notifications (send_id, user_id);
