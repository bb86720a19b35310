package dev.hallpass;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallpass.KeyWrapping.Purpose;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** Wrapping and unwrapping stored keys: round trips, tampering, swapping, wrong keys, rotation. */
class KeyWrappingTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final KeyEncryptionKey KEK1 = newKek();
  private static final KeyEncryptionKey KEK2 = newKek();
  private static final String HANDLE = "0b6f3c1e-8a0e-4c55-9d1b-3b0c6a1f2e77";
  private static final String OTHER_HANDLE = "7d2a9f00-1111-4c55-9d1b-3b0c6a1f2e77";

  private final KeyWrapping on1 = KeyWrapping.of(KEK1, List.of(), RANDOM);
  private final byte[] refreshKey = bytes(32);

  static KeyEncryptionKey newKek() {
    return KeyEncryptionKey.fromBase64(Base64.getEncoder().encodeToString(bytes(32)));
  }

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  @Test
  void wrap_thenUnwrap_givesTheKeyBack_forBothPurposes() {
    String stored = on1.wrap(refreshKey, Purpose.SESSION_REFRESH_KEY, HANDLE);
    assertThat(on1.unwrap(stored, Purpose.SESSION_REFRESH_KEY, HANDLE, HANDLE))
        .isEqualTo(refreshKey);
    byte[] pkcs8 = bytes(1_218);
    String context = KeyWrapping.signingKeyContext("d-abc", 3, "MIIBIjAN");
    String storedPrivate = on1.wrap(pkcs8, Purpose.SIGNING_PRIVATE_KEY, context);
    assertThat(on1.unwrap(storedPrivate, Purpose.SIGNING_PRIVATE_KEY, context, "d-abc"))
        .isEqualTo(pkcs8);
  }

  @Test
  void wrap_namesThePrimaryKek_andHidesTheKey() {
    String stored = on1.wrap(refreshKey, Purpose.SESSION_REFRESH_KEY, HANDLE);
    assertThat(stored).startsWith("hpkek1:" + KEK1.id() + ":");
    assertThat(KeyWrapping.kekId(stored)).isEqualTo(KEK1.id());
    assertThat(stored).doesNotContain(Crypto.B64URL.encodeToString(refreshKey));
    // Fits the SQL stores' refresh_key column (VARCHAR(255)).
    assertThat(stored.length()).isLessThanOrEqualTo(255);
  }

  @Test
  void wrap_drawsAFreshNonceFromTheInjectedRandom() {
    List<byte[]> drawn = new ArrayList<>();
    SecureRandom recording =
        new SecureRandom() {
          private static final long serialVersionUID = 1L;

          @Override
          public void nextBytes(byte[] b) {
            RANDOM.nextBytes(b);
            drawn.add(b.clone());
          }
        };
    KeyWrapping w = KeyWrapping.of(KEK1, List.of(), recording);
    String a = w.wrap(refreshKey, Purpose.SESSION_REFRESH_KEY, HANDLE);
    String b = w.wrap(refreshKey, Purpose.SESSION_REFRESH_KEY, HANDLE);
    assertThat(a).isNotEqualTo(b);
    assertThat(drawn).hasSize(2);
    assertThat(drawn.get(0)).hasSize(12);
    assertThat(Arrays.copyOf(sealed(a), 12)).isEqualTo(drawn.get(0));
    assertThat(Arrays.copyOf(sealed(b), 12)).isEqualTo(drawn.get(1));
  }

  @Test
  void unwrap_ofAnyTamperedByte_isGeneralError() {
    String stored = on1.wrap(refreshKey, Purpose.SESSION_REFRESH_KEY, HANDLE);
    byte[] sealed = sealed(stored);
    for (int i : new int[] {0, 11, 12, 30, sealed.length - 16, sealed.length - 1}) {
      byte[] t = sealed.clone();
      t[i] ^= 0x01;
      String tampered = "hpkek1:" + KEK1.id() + ":" + Crypto.B64URL.encodeToString(t);
      assertGeneralError(
          () -> on1.unwrap(tampered, Purpose.SESSION_REFRESH_KEY, HANDLE, HANDLE),
          "does not decrypt under key-encryption key '" + KEK1.id() + "'");
    }
    String truncated = stored.substring(0, stored.length() - 4);
    assertGeneralError(
        () -> on1.unwrap(truncated, Purpose.SESSION_REFRESH_KEY, HANDLE, HANDLE),
        "does not decrypt");
    assertGeneralError(
        () -> on1.unwrap("hpkek1:" + KEK1.id() + ":AAAA", Purpose.SESSION_REFRESH_KEY, HANDLE, ""),
        "not a well-formed encrypted value");
  }

  @Test
  void unwrap_ofAValueMovedToAnotherRow_isGeneralError() {
    String stored = on1.wrap(refreshKey, Purpose.SESSION_REFRESH_KEY, HANDLE);
    assertGeneralError(
        () -> on1.unwrap(stored, Purpose.SESSION_REFRESH_KEY, OTHER_HANDLE, OTHER_HANDLE),
        "copied from another row");
  }

  @Test
  void unwrap_forAnotherPurpose_isGeneralError() {
    String stored = on1.wrap(refreshKey, Purpose.SESSION_REFRESH_KEY, HANDLE);
    assertGeneralError(
        () -> on1.unwrap(stored, Purpose.SIGNING_PRIVATE_KEY, HANDLE, "d-x"), "does not decrypt");
  }

  @Test
  void unwrap_ofASigningKeyWhosePublicKeyWasReplaced_isGeneralError() {
    byte[] pkcs8 = bytes(100);
    String stored =
        on1.wrap(
            pkcs8, Purpose.SIGNING_PRIVATE_KEY, KeyWrapping.signingKeyContext("d-a", 1, "PUB1"));
    assertGeneralError(
        () ->
            on1.unwrap(
                stored,
                Purpose.SIGNING_PRIVATE_KEY,
                KeyWrapping.signingKeyContext("d-a", 1, "PUB2"),
                "d-a"),
        "signing key d-a does not decrypt");
    assertGeneralError(
        () ->
            on1.unwrap(
                stored,
                Purpose.SIGNING_PRIVATE_KEY,
                KeyWrapping.signingKeyContext("d-a", 2, "PUB1"),
                "d-a"),
        "does not decrypt");
  }

  @Test
  void unwrap_underAnUnknownKek_isGeneralErrorNamingItsId() {
    String stored = on1.wrap(refreshKey, Purpose.SESSION_REFRESH_KEY, HANDLE);
    KeyWrapping on2 = KeyWrapping.of(KEK2, List.of(), RANDOM);
    assertGeneralError(
        () -> on2.unwrap(stored, Purpose.SESSION_REFRESH_KEY, HANDLE, HANDLE),
        "encrypted under key-encryption key '"
            + KEK1.id()
            + "', which is not configured (configured: ["
            + KEK2.id()
            + "])");
  }

  @Test
  void unwrap_ofAValueRelabelledWithAnotherKeksId_isGeneralError() {
    String stored = on1.wrap(refreshKey, Purpose.SESSION_REFRESH_KEY, HANDLE);
    String relabelled = stored.replace(KEK1.id(), KEK2.id());
    KeyWrapping both = KeyWrapping.of(KEK1, List.of(KEK2), RANDOM);
    assertGeneralError(
        () -> both.unwrap(relabelled, Purpose.SESSION_REFRESH_KEY, HANDLE, HANDLE),
        "does not decrypt under key-encryption key '" + KEK2.id() + "'");
  }

  @Test
  void unwrap_ofAWrappedValue_whenEncryptionIsOff_isGeneralErrorNamingTheOption() {
    String stored = on1.wrap(refreshKey, Purpose.SESSION_REFRESH_KEY, HANDLE);
    assertGeneralError(
        () -> KeyWrapping.disabled().unwrap(stored, Purpose.SESSION_REFRESH_KEY, HANDLE, HANDLE),
        "key encryption is off: configure Hallpass.builder().keyEncryption(...)");
    assertThat(KeyWrapping.disabled().isCurrent(stored)).isFalse();
  }

  @Test
  void unwrap_ofAnUnknownFormat_isGeneralError() {
    assertGeneralError(
        () -> on1.unwrap("hpkek9:abc:def", Purpose.SESSION_REFRESH_KEY, HANDLE, HANDLE),
        "format this version does not know");
    assertGeneralError(
        () -> KeyWrapping.disabled().unwrap("x:y", Purpose.SESSION_REFRESH_KEY, HANDLE, HANDLE),
        "format this version does not know");
  }

  @Test
  void plaintext_whenOn_isAcceptedButNotCurrent_andRewrapsUnderThePrimary() {
    String plain = Crypto.B64URL.encodeToString(refreshKey);
    assertThat(on1.unwrap(plain, Purpose.SESSION_REFRESH_KEY, HANDLE, HANDLE))
        .isEqualTo(refreshKey);
    assertThat(on1.isCurrent(plain)).isFalse();
    String rewrapped = on1.rewrap(plain, Purpose.SESSION_REFRESH_KEY, HANDLE, HANDLE);
    assertThat(on1.isCurrent(rewrapped)).isTrue();
    assertThat(on1.unwrap(rewrapped, Purpose.SESSION_REFRESH_KEY, HANDLE, HANDLE))
        .isEqualTo(refreshKey);
  }

  @Test
  void disabled_storesPlaintext_asBefore() {
    KeyWrapping off = KeyWrapping.disabled();
    String stored = off.wrap(refreshKey, Purpose.SESSION_REFRESH_KEY, HANDLE);
    assertThat(stored).isEqualTo(Crypto.B64URL.encodeToString(refreshKey));
    assertThat(off.isCurrent(stored)).isTrue();
    byte[] pkcs8 = bytes(64);
    assertThat(off.wrap(pkcs8, Purpose.SIGNING_PRIVATE_KEY, "ctx"))
        .isEqualTo(Base64.getEncoder().encodeToString(pkcs8));
  }

  @Test
  void rotation_olderKekStillDecrypts_andRewrapMovesTheValueToThePrimary() {
    String underKek1 = on1.wrap(refreshKey, Purpose.SESSION_REFRESH_KEY, HANDLE);
    KeyWrapping rotated = KeyWrapping.of(KEK2, List.of(KEK1), RANDOM);
    assertThat(rotated.unwrap(underKek1, Purpose.SESSION_REFRESH_KEY, HANDLE, HANDLE))
        .isEqualTo(refreshKey);
    assertThat(rotated.isCurrent(underKek1)).isFalse();

    String underKek2 = rotated.rewrap(underKek1, Purpose.SESSION_REFRESH_KEY, HANDLE, HANDLE);
    assertThat(KeyWrapping.kekId(underKek2)).isEqualTo(KEK2.id());
    assertThat(rotated.isCurrent(underKek2)).isTrue();
    KeyWrapping kek2Only = KeyWrapping.of(KEK2, List.of(), RANDOM);
    assertThat(kek2Only.unwrap(underKek2, Purpose.SESSION_REFRESH_KEY, HANDLE, HANDLE))
        .isEqualTo(refreshKey);
    assertGeneralError(
        () -> kek2Only.unwrap(underKek1, Purpose.SESSION_REFRESH_KEY, HANDLE, HANDLE),
        "not configured");
  }

  @Test
  void sameKekTwice_isRejected() {
    assertThatThrownBy(() -> KeyWrapping.of(KEK1, List.of(KEK2, KEK1), RANDOM))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keyEncryption")
        .hasMessageContaining(KEK1.id());
  }

  @Test
  void errorMessages_neverContainTheStoredValue() {
    String stored = on1.wrap(refreshKey, Purpose.SESSION_REFRESH_KEY, HANDLE);
    KeyWrapping on2 = KeyWrapping.of(KEK2, List.of(), RANDOM);
    for (ThrowingCallable call :
        List.<ThrowingCallable>of(
            () -> on2.unwrap(stored, Purpose.SESSION_REFRESH_KEY, HANDLE, HANDLE),
            () -> on1.unwrap(stored, Purpose.SESSION_REFRESH_KEY, OTHER_HANDLE, OTHER_HANDLE),
            () -> KeyWrapping.disabled().unwrap(stored, Purpose.SESSION_REFRESH_KEY, HANDLE, ""))) {
      assertThatThrownBy(call)
          .satisfies(
              e -> {
                assertThat(e.getMessage()).doesNotContain(stored.substring(16));
                assertThat(e.getMessage()).doesNotContain(Crypto.B64URL.encodeToString(refreshKey));
              });
    }
  }

  private static byte[] sealed(String stored) {
    return Crypto.B64URL_DECODER.decode(stored.substring(stored.lastIndexOf(':') + 1));
  }

  private static void assertGeneralError(ThrowingCallable call, String message) {
    assertThatThrownBy(call)
        .isInstanceOf(HallpassException.class)
        .hasMessageContaining(message)
        .satisfies(
            e ->
                assertThat(((HallpassException) e).getType())
                    .isEqualTo(HallpassException.Type.GENERAL_ERROR));
  }
}
