-- A retracted notification disappears from its recipient's inbox and count.
-- The row stays (marked) so a reconnecting client learns of the removal.
ALTER TABLE notifications ADD COLUMN retracted_at INTEGER;
