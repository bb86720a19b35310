-- Room for a refresh key encrypted under a key-encryption key (Hallpass.Builder.keyEncryption):
-- about 100 characters, where a plaintext key is 43.
ALTER TABLE hallpass_sessions ALTER COLUMN refresh_key SET DATA TYPE VARCHAR(255);
