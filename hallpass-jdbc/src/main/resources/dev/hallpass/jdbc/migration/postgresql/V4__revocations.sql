-- Recent revocations, read by processes that missed a notification (RevocationFeed): one row per
-- revoked session, written in the transaction that deletes it; pruned after the access-token
-- validity plus a margin.
CREATE TABLE hallpass_revocations (
    id         BIGSERIAL   NOT NULL,
    handle     VARCHAR(64) COLLATE "C" NOT NULL,
    revoked_at BIGINT      NOT NULL,
    CONSTRAINT hallpass_revocations_pk PRIMARY KEY (id)
);
CREATE INDEX hallpass_revocations_time ON hallpass_revocations (revoked_at);
