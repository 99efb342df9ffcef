-- Each compose or API request: what the admin console's "Sent" list shows.
CREATE TABLE sends (
    id           INTEGER PRIMARY KEY,
    title        TEXT    NOT NULL,
    -- Who it went to, as shown ("Everyone", "2 users").
    audience     TEXT    NOT NULL,
    -- Who sent it: an admin's username or an API key's name.
    sender       TEXT    NOT NULL,
    recipients   INTEGER NOT NULL DEFAULT 0,
    -- Recipients with a live connection when it was published.
    delivered    INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    retracted_at INTEGER
);

ALTER TABLE notifications ADD COLUMN send_id INTEGER REFERENCES sends (id);
CREATE INDEX notifications_send ON notifications (send_id);
