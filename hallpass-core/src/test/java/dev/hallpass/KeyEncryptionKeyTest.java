package dev.hallpass;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key-encryption key's factories: what they accept, and messages that never show the key. */
class KeyEncryptionKeyTest {
  private static final byte[] RAW = new byte[32];

  static {
    for (int i = 0; i < RAW.length; i++) {
      RAW[i] = (byte) (i * 7 + 3);
    }
  }

  private static final String TEXT = Base64.getEncoder().encodeToString(RAW);

  @TempDir Path dir;

  @Test
  void fromBase64_ofThirtyTwoBytes_isTheKeyWithAStableId() {
    KeyEncryptionKey a = KeyEncryptionKey.fromBase64(TEXT);
    KeyEncryptionKey b = KeyEncryptionKey.fromBase64("  " + TEXT + "\n");
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a.id()).isEqualTo(b.id()).hasSize(8).matches("[A-Za-z0-9_-]+");
    assertThat(a.bytes()).isEqualTo(RAW);
  }

  @Test
  void fromBase64_urlSafeAlphabet_isTheSameKey() {
    String urlSafe = Base64.getUrlEncoder().withoutPadding().encodeToString(RAW);
    assertThat(KeyEncryptionKey.fromBase64(urlSafe)).isEqualTo(KeyEncryptionKey.fromBase64(TEXT));
  }

  @Test
  void differentKeys_haveDifferentIds() {
    byte[] other = RAW.clone();
    other[0] ^= 1;
    KeyEncryptionKey b = KeyEncryptionKey.fromBase64(Base64.getEncoder().encodeToString(other));
    assertThat(b).isNotEqualTo(KeyEncryptionKey.fromBase64(TEXT));
    assertThat(b.id()).isNotEqualTo(KeyEncryptionKey.fromBase64(TEXT).id());
  }

  @Test
  void toString_showsTheIdButNotTheKey() {
    KeyEncryptionKey k = KeyEncryptionKey.fromBase64(TEXT);
    assertThat(k.toString()).contains(k.id()).contains("redacted").doesNotContain(TEXT);
    assertThat(k.toString()).doesNotContain(TEXT.substring(0, 8));
  }

  @Test
  void fromBase64_wrongLength_isRejectedWithoutShowingTheValue() {
    String sixteen = Base64.getEncoder().encodeToString(new byte[16]);
    assertThatThrownBy(() -> KeyEncryptionKey.fromBase64(sixteen))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be 32 bytes")
        .hasMessageContaining("not 16")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(sixteen));
  }

  @Test
  void fromBase64_notBase64_isRejectedWithoutShowingTheValue() {
    String bad = TEXT.substring(0, 20) + "!*" + TEXT.substring(22);
    assertThatThrownBy(() -> KeyEncryptionKey.fromBase64(bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not base64")
        .hasNoCause()
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(TEXT.substring(0, 20)));
  }

  @Test
  void fromBase64_emptyOrBlank_isRejected() {
    assertThatThrownBy(() -> KeyEncryptionKey.fromBase64(" \n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> KeyEncryptionKey.fromBase64(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty");
  }

  @Test
  void fromFile_withTrailingNewline_isTheKey() throws Exception {
    Path f = dir.resolve("kek");
    Files.writeString(f, TEXT + "\n", StandardCharsets.US_ASCII);
    assertThat(KeyEncryptionKey.fromFile(f)).isEqualTo(KeyEncryptionKey.fromBase64(TEXT));
  }

  @Test
  void fromFile_missing_namesTheFile() {
    Path f = dir.resolve("missing-kek");
    assertThatThrownBy(() -> KeyEncryptionKey.fromFile(f))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(f.toString())
        .hasMessageContaining("cannot be read");
  }

  @Test
  void fromFile_badContent_namesTheFileButNotTheContent() throws Exception {
    Path f = dir.resolve("kek");
    String content = Base64.getEncoder().encodeToString(new byte[31]);
    Files.writeString(f, content, StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> KeyEncryptionKey.fromFile(f))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("file " + f)
        .hasMessageContaining("must be 32 bytes")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(content));
  }

  @Test
  void fromFile_tooLong_isRejectedWithoutReadingItAll() throws Exception {
    Path f = dir.resolve("big");
    Files.write(f, new byte[1_000_000]);
    assertThatThrownBy(() -> KeyEncryptionKey.fromFile(f))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("longer than 1024 bytes");
  }

  @Test
  void fromEnvironment_unset_namesTheVariable() {
    assertThatThrownBy(() -> KeyEncryptionKey.fromEnvironment("HP_KEK", Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("environment variable HP_KEK is not set");
  }

  @Test
  void fromEnvironment_badValue_namesTheVariableButNotTheValue() {
    String value = "c2hvcnQ=";
    assertThatThrownBy(() -> KeyEncryptionKey.fromEnvironment("HP_KEK", Map.of("HP_KEK", value)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("environment variable HP_KEK")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(value));
  }

  @Test
  void fromEnvironment_set_isTheKey() {
    assertThat(KeyEncryptionKey.fromEnvironment("HP_KEK", Map.of("HP_KEK", TEXT)))
        .isEqualTo(KeyEncryptionKey.fromBase64(TEXT));
  }
}
