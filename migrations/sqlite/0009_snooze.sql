-- A user may snooze a notification until a time (Unix ms): till then it is
-- out of every view and the count, then it comes back.
ALTER TABLE notifications ADD COLUMN snoozed_until INTEGER;
-- The wake-up job finds what is due without scanning the table.
CREATE INDEX notifications_snoozed ON notifications (snoozed_until)
    WHERE snoozed_until IS NOT NULL;
