-- Grouping: a send's `group_key` and, per copy, the row of that key it
-- belongs to (`group_seq`: the seq of the copy that started the row). The
-- badge counts rows: a row counts while any copy in it counts as unread.
ALTER TABLE notifications ADD COLUMN group_key TEXT;
ALTER TABLE notifications ADD COLUMN group_seq BIGINT;
ALTER TABLE fanouts ADD COLUMN group_key TEXT;
-- The row a new copy of a key joins, and a row's copies.
CREATE INDEX notifications_group_key ON notifications (user_id, group_key) WHERE group_key IS NOT NULL;
CREATE INDEX notifications_group_seq ON notifications (user_id, group_seq) WHERE group_seq IS NOT NULL;
