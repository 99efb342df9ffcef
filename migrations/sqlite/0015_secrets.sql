-- Keys every instance of one database must share, made once by whichever
-- instance starts first (such as the key that tags sessions in the
-- messages instances send each other).
CREATE TABLE secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
