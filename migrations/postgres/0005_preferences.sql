-- Each user's choices per category; a category without a row keeps the
-- defaults (shown in the bell, desktop and push allowed). Flags are 0 or 1.
CREATE TABLE preferences (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category   TEXT    NOT NULL CHECK (category IN ('info', 'success', 'warning', 'mention')),
    bell       BIGINT NOT NULL DEFAULT 1 CHECK (bell IN (0, 1)),
    desktop    BIGINT NOT NULL DEFAULT 1 CHECK (desktop IN (0, 1)),
    push       BIGINT NOT NULL DEFAULT 1 CHECK (push IN (0, 1)),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, category)
);
-- Categories an admin made required: nobody can mute them, and a mute set
-- before is ignored from then on.
CREATE TABLE required_categories (
    category   TEXT PRIMARY KEY CHECK (category IN ('info', 'success', 'warning', 'mention')),
    set_at     BIGINT NOT NULL
);
-- A copy that arrived muted is stored and listed, but never counted.
ALTER TABLE notifications ADD COLUMN muted BIGINT NOT NULL DEFAULT 0 CHECK (muted IN (0, 1));
