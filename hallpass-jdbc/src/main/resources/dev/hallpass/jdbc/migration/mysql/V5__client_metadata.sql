-- Client metadata (personal data, recorded only with Hallpass.Builder.recordClientMetadata):
-- the IP address and User-Agent at creation and at the last refresh that rotated the token (its
-- time is issued_at). Nullable: sessions stored before, and engines that do not record, leave them
-- empty. Deleted with the session. One ALTER TABLE (each DDL statement commits on its own).
ALTER TABLE hallpass_sessions
    ADD COLUMN created_ip VARCHAR(45) CHARACTER SET utf8mb4 COLLATE ${hallpass_collation} NULL,
    ADD COLUMN created_user_agent VARCHAR(512)
        CHARACTER SET utf8mb4 COLLATE ${hallpass_collation} NULL,
    ADD COLUMN last_ip VARCHAR(45) CHARACTER SET utf8mb4 COLLATE ${hallpass_collation} NULL,
    ADD COLUMN last_user_agent VARCHAR(512)
        CHARACTER SET utf8mb4 COLLATE ${hallpass_collation} NULL;
