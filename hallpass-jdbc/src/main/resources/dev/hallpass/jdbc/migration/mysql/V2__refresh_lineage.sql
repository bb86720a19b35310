-- Refresh-token lineage for the lazy-commit rotation rules (wire-protocol section 1):
-- previous_refresh_hash becomes parent_refresh_hash (P), rotated_at becomes issued_at (when the
-- current token C was issued), plus which child of P the current token is and whether the client
-- has been seen using it.
-- One ALTER TABLE (MariaDB and MySQL commit each DDL statement on its own). CHANGE COLUMN rather
-- than RENAME COLUMN, which MariaDB before 10.5 lacks; it restates the columns as V1 made them.
ALTER TABLE hallpass_sessions
    CHANGE COLUMN previous_refresh_hash parent_refresh_hash VARCHAR(64)
        CHARACTER SET utf8mb4 COLLATE ${hallpass_collation} NULL,
    CHANGE COLUMN rotated_at issued_at BIGINT NULL,
    ADD COLUMN child_index INT NOT NULL DEFAULT 0,
    ADD COLUMN confirmed BOOLEAN NOT NULL DEFAULT FALSE;
-- Existing rows: a token issued by a refresh counts as not yet received (the lenient choice: a
-- replay of its parent then gets a new child instead of a theft verdict); a never-refreshed
-- session's token was received at creation, as for new sessions.
UPDATE hallpass_sessions SET confirmed = TRUE WHERE parent_refresh_hash IS NULL;
