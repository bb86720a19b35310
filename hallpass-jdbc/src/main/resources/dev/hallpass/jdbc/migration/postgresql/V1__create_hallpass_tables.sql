-- Hallpass tables for PostgreSQL.
-- Times are epoch milliseconds (BIGINT): no time-zone or precision surprises across drivers.
-- Identifiers use COLLATE "C": byte-wise, case-sensitive comparison whatever the database default.

CREATE TABLE hallpass_sessions (
    handle                VARCHAR(64)  COLLATE "C" NOT NULL,
    tenant_id             VARCHAR(128) COLLATE "C" NOT NULL,
    user_id               VARCHAR(512) COLLATE "C" NOT NULL,
    session_data          TEXT         NOT NULL,
    jwt_payload           TEXT         NOT NULL,
    created_at            BIGINT       NOT NULL,
    expires_at            BIGINT       NOT NULL,
    -- refresh tokens themselves are never stored: only their SHA-256 hex hashes
    refresh_key           VARCHAR(64)  NOT NULL,
    current_refresh_hash  VARCHAR(64)  NOT NULL,
    previous_refresh_hash VARCHAR(64),
    rotated_at            BIGINT,
    CONSTRAINT hallpass_sessions_pk PRIMARY KEY (handle)
);

CREATE INDEX hallpass_sessions_user_id_idx ON hallpass_sessions (user_id);
CREATE INDEX hallpass_sessions_expires_at_idx ON hallpass_sessions (expires_at);

CREATE TABLE hallpass_signing_keys (
    kid         VARCHAR(128) COLLATE "C" NOT NULL,
    generation  BIGINT       NOT NULL,
    private_key TEXT         NOT NULL,
    public_key  TEXT         NOT NULL,
    created_at  BIGINT       NOT NULL,
    signs_from  BIGINT       NOT NULL,
    signs_until BIGINT       NOT NULL,
    CONSTRAINT hallpass_signing_keys_pk PRIMARY KEY (kid),
    -- one key per generation: this is what makes creating the next key race-safe
    CONSTRAINT hallpass_signing_keys_generation_uq UNIQUE (generation)
);
