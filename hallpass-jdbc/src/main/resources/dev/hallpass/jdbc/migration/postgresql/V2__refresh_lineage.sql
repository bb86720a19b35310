-- Refresh-token lineage for the lazy-commit rotation rules (wire-protocol section 1):
-- previous_refresh_hash becomes parent_refresh_hash (P), rotated_at becomes issued_at (when the
-- current token C was issued), plus which child of P the current token is and whether the client
-- has been seen using it. PostgreSQL runs this in one transaction.
ALTER TABLE hallpass_sessions RENAME COLUMN previous_refresh_hash TO parent_refresh_hash;
ALTER TABLE hallpass_sessions RENAME COLUMN rotated_at TO issued_at;
-- Existing rows: a token issued by a refresh counts as not yet received (the lenient choice: a
-- replay of its parent then gets a new child instead of a theft verdict); a never-refreshed
-- session's token was received at creation, as for new sessions.
ALTER TABLE hallpass_sessions
    ADD COLUMN child_index INT NOT NULL DEFAULT 0,
    ADD COLUMN confirmed BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE hallpass_sessions SET confirmed = TRUE WHERE parent_refresh_hash IS NULL;
