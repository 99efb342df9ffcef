-- The sign-in a device turned push on from: signing out there forgets the
-- device, so a shared computer stops showing the last user's notifications.
-- NULL for devices stored before; a password change forgets those.
ALTER TABLE push_subscriptions ADD COLUMN session_id TEXT;
CREATE INDEX push_subscriptions_session ON push_subscriptions (session_id);
