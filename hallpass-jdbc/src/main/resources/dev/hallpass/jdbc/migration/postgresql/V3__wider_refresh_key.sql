-- Room for a refresh key encrypted under a key-encryption key (Hallpass.Builder.keyEncryption):
-- about 100 characters, where a plaintext key is 43. Widening a VARCHAR rewrites no rows.
ALTER TABLE hallpass_sessions ALTER COLUMN refresh_key TYPE VARCHAR(255);
