-- Recent revocations, polled by every process (RevocationFeed): one row per revoked session,
-- written in the transaction that deletes it; pruned after the access-token validity plus a margin.
CREATE TABLE hallpass_revocations (
    id         BIGINT      NOT NULL AUTO_INCREMENT,
    handle     VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${hallpass_collation} NOT NULL,
    revoked_at BIGINT      NOT NULL,
    CONSTRAINT hallpass_revocations_pk PRIMARY KEY (id),
    INDEX hallpass_revocations_time (revoked_at)
) ENGINE = InnoDB;
