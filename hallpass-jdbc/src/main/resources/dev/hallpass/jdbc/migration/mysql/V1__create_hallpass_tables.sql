-- Hallpass tables for MariaDB and MySQL.
-- Every text column is utf8mb4 (full unicode) with a binary NO PAD collation, chosen by the store
-- at start-up: utf8mb4_nopad_bin on MariaDB, utf8mb4_0900_bin on MySQL 8. Binary: user ids compare
-- case-sensitively; NO PAD: 'alice' and 'alice ' are different users (utf8mb4_bin would pad).
-- Times are epoch milliseconds (BIGINT).

CREATE TABLE hallpass_sessions (
    handle                VARCHAR(64)  NOT NULL,
    tenant_id             VARCHAR(128) NOT NULL,
    user_id               VARCHAR(512) NOT NULL,
    session_data          LONGTEXT     NOT NULL,
    jwt_payload           LONGTEXT     NOT NULL,
    created_at            BIGINT       NOT NULL,
    expires_at            BIGINT       NOT NULL,
    -- refresh tokens themselves are never stored: only their SHA-256 hex hashes
    refresh_key           VARCHAR(64)  NOT NULL,
    current_refresh_hash  VARCHAR(64)  NOT NULL,
    previous_refresh_hash VARCHAR(64),
    rotated_at            BIGINT,
    PRIMARY KEY (handle),
    INDEX hallpass_sessions_user_id_idx (user_id),
    INDEX hallpass_sessions_expires_at_idx (expires_at)
) ENGINE = InnoDB DEFAULT CHARACTER SET utf8mb4 COLLATE ${hallpass_collation};

CREATE TABLE hallpass_signing_keys (
    kid         VARCHAR(128) NOT NULL,
    generation  BIGINT       NOT NULL,
    private_key TEXT         NOT NULL,
    public_key  TEXT         NOT NULL,
    created_at  BIGINT       NOT NULL,
    signs_from  BIGINT       NOT NULL,
    signs_until BIGINT       NOT NULL,
    PRIMARY KEY (kid),
    -- one key per generation: this is what makes creating the next key race-safe
    UNIQUE KEY hallpass_signing_keys_generation_uq (generation)
) ENGINE = InnoDB DEFAULT CHARACTER SET utf8mb4 COLLATE ${hallpass_collation};
