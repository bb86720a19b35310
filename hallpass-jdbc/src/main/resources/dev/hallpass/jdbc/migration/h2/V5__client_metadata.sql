-- Client metadata (personal data, recorded only with Hallpass.Builder.recordClientMetadata):
-- the IP address and User-Agent at creation and at the last refresh that rotated the token (its
-- time is issued_at). Nullable: sessions stored before, and engines that do not record, leave them
-- empty. Deleted with the session.
ALTER TABLE hallpass_sessions ADD COLUMN created_ip VARCHAR(45);
ALTER TABLE hallpass_sessions ADD COLUMN created_user_agent VARCHAR(512);
ALTER TABLE hallpass_sessions ADD COLUMN last_ip VARCHAR(45);
ALTER TABLE hallpass_sessions ADD COLUMN last_user_agent VARCHAR(512);
