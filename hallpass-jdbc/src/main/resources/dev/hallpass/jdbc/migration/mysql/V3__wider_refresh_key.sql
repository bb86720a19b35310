-- Room for a refresh key encrypted under a key-encryption key (Hallpass.Builder.keyEncryption):
-- about 100 characters, where a plaintext key is 43. MODIFY restates the column as V1 made it.
-- In place, no table copy: at 4 bytes a character both lengths need a 2-byte length prefix.
ALTER TABLE hallpass_sessions
    MODIFY COLUMN refresh_key VARCHAR(255)
        CHARACTER SET utf8mb4 COLLATE ${hallpass_collation} NOT NULL;
