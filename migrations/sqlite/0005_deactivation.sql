-- A deactivated user can no longer log in; their sessions and sockets end.
ALTER TABLE users ADD COLUMN deactivated_at INTEGER;
