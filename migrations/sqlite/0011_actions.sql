-- A notification's buttons (JSON: [{"label", "url" | "webhook"}], at most
-- two; NULL for none) and when its recipient first clicked one.
ALTER TABLE notifications ADD COLUMN actions TEXT;
ALTER TABLE notifications ADD COLUMN interacted_at INTEGER;
ALTER TABLE fanouts ADD COLUMN actions TEXT;
-- Webhooks to POST for clicked actions, stored in the click's transaction
-- and tried until one answers 2xx, with backoff (see webhooks.rs).
CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    notification_id INTEGER NOT NULL,
    url             TEXT   NOT NULL,
    body            TEXT   NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_at         INTEGER NOT NULL,
    last_status     INTEGER,
    delivered_at    INTEGER,
    failed_at       INTEGER,
    created_at      INTEGER NOT NULL
);
-- The delivery job reads what is due without scanning the table.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_at)
    WHERE delivered_at IS NULL AND failed_at IS NULL;
