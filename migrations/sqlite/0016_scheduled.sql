-- Scheduled sends: a send may be stored now and go out later. It waits as
-- a fan-out row until `send_at` (0: at once), and goes out through the
-- same durable batches as a send to everyone: once, resumed after a crash,
-- also when Herald was down at that time. A send to named users lists them
-- in `users` (a JSON array of user ids; NULL: everyone, or `role`).
-- Cancelling one before its time is retracting it: the row goes, nothing
-- was delivered.
ALTER TABLE sends ADD COLUMN send_at INTEGER;
ALTER TABLE fanouts ADD COLUMN send_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE fanouts ADD COLUMN users TEXT;
CREATE INDEX fanouts_send_at ON fanouts (send_at);
