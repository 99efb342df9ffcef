-- Topics: an integrator subscribes its users to named topics and sends to
-- a topic; the send fans out in the background to whoever is subscribed
-- when its batches run (`fanouts.topics`), except `fanouts.excluded_users` (the
-- actor who caused it). A user can leave a topic on Settings.
CREATE TABLE topic_subscriptions (
    topic      TEXT    NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (topic, user_id)
);
-- A user's own topics, for Settings.
CREATE INDEX topic_subscriptions_user ON topic_subscriptions (user_id, topic);

-- JSON arrays: topic keys, and user ids left out.
ALTER TABLE fanouts ADD COLUMN topics TEXT;
ALTER TABLE fanouts ADD COLUMN excluded_users TEXT;
