-- Trust: sessions that can all be ended, usernames that cannot pose as one
-- another, and an audit log of what admins and API keys did.

-- Bumped when a user's password changes (or they are signed out
-- everywhere): a session remembers the epoch it was opened in and is
-- refused once it differs.
ALTER TABLE users ADD COLUMN auth_epoch INTEGER NOT NULL DEFAULT 0;

-- Usernames are compared without regard to case. Earlier versions allowed
-- `Admin` beside `admin`: the later of such twins gets its id appended, so
-- the unique index can be built and nobody loses their account.
UPDATE users SET username = username || '-' || id
WHERE external_id IS NULL
  AND id NOT IN (SELECT MIN(id) FROM users WHERE external_id IS NULL GROUP BY lower(username));
CREATE UNIQUE INDEX users_username_nocase ON users (lower(username)) WHERE external_id IS NULL;

-- Who did what, and when: every admin action and every API key's sends.
CREATE TABLE audit_log (
    id     INTEGER PRIMARY KEY,
    at     INTEGER NOT NULL,
    -- An admin's username, or an API key as `API key “name” (hk_…)`.
    actor  TEXT    NOT NULL,
    -- send, retract, user.create, user.deactivate, user.reactivate,
    -- user.role, key.create, key.revoke, password.change
    action TEXT    NOT NULL,
    -- What it was done to: a user, a key, an audience.
    target TEXT    NOT NULL,
    detail TEXT    NOT NULL DEFAULT ''
);

-- Idempotency records and sessions are purged by age.
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
-- Retention deletes old read notifications.
CREATE INDEX notifications_read_at ON notifications (read_at) WHERE read_at IS NOT NULL;
CREATE INDEX notifications_retracted_at ON notifications (retracted_at) WHERE retracted_at IS NOT NULL;
