-- A sender may say when a notification stops mattering (Unix ms): at that
-- time it is withdrawn, as a retraction does, and leaves the inbox and the
-- count. Sends fanning out in the background carry it to every copy.
ALTER TABLE notifications ADD COLUMN expires_at BIGINT;
ALTER TABLE fanouts ADD COLUMN expires_at BIGINT;
-- The expiry job finds what is due without scanning the table.
CREATE INDEX notifications_expiring ON notifications (expires_at)
    WHERE expires_at IS NOT NULL AND retracted_at IS NULL;
