-- Refresh-token lineage for the lazy-commit rotation rules (wire-protocol section 1):
-- previous_refresh_hash becomes parent_refresh_hash (P), rotated_at becomes issued_at (when the
-- current token C was issued), plus which child of P the current token is and whether the client
-- has been seen using it.
ALTER TABLE hallpass_sessions ALTER COLUMN previous_refresh_hash RENAME TO parent_refresh_hash;
ALTER TABLE hallpass_sessions ALTER COLUMN rotated_at RENAME TO issued_at;
ALTER TABLE hallpass_sessions ADD COLUMN child_index INT NOT NULL DEFAULT 0;
-- Existing rows: a token issued by a refresh counts as not yet received (the lenient choice: a
-- replay of its parent then gets a new child instead of a theft verdict); a never-refreshed
-- session's token was received at creation, as for new sessions.
ALTER TABLE hallpass_sessions ADD COLUMN confirmed BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE hallpass_sessions SET confirmed = TRUE WHERE parent_refresh_hash IS NULL;

-- The database's clock for refreshes, read when called: H2's CURRENT_TIMESTAMP is fixed at the
-- transaction's first statement, so a refresh that waited for a row lock would see a stale time.
-- It runs in the JVM that runs the database (this one when embedded, the server when remote).
CREATE ALIAS IF NOT EXISTS hallpass_current_time_millis FOR 'java.lang.System.currentTimeMillis';
