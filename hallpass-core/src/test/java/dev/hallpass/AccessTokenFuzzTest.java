package dev.hallpass;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Coverage-guided fuzzing of access-token parsing and verification ({@link Hallpass#getSession}).
 * Only a {@link HallpassException} of a credential type may come out, and only a token Hallpass (or
 * this harness, holding the private key) signed may verify.
 *
 * <p>The first input byte picks the mode: 0 raw text as the token; 1 token and anti-CSRF token,
 * checked against the store; 2 header and payload JSON (split at the first newline) signed with the
 * engine's real key, the placeholders {@code $KID}, {@code $HANDLE}, {@code $RTH} replaced by the
 * current key id and a live session's handle and refresh-token hash; 3 a genuine token with a slice
 * replaced. Seeds: {@code src/test/resources/dev/hallpass/AccessTokenFuzzTestInputs}. Fuzz with
 * {@code JAZZER_FUZZ=1} (docs/fuzzing.md).
 */
class AccessTokenFuzzTest {
  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  /** One engine for every input: building one generates RSA keys. */
  private static final class Fixture {
    final Engine engine;
    final KeyRing ring;
    final Session live;
    final Session liveCsrf;
    final Engine csrfEngine;
    final String liveRefreshHash;
    final Set<String> genuine = ConcurrentHashMap.newKeySet();

    Fixture() {
      Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
      dev.hallpass.spi.SessionStore store = SessionStores.inMemory(clock);
      engine =
          (Engine) Hallpass.builder().store(store).clock(clock).disableBackgroundCleanup().build();
      // the same store, so the same keys: generating RSA keys is most of the start-up
      csrfEngine =
          (Engine)
              Hallpass.builder()
                  .store(store)
                  .clock(clock)
                  .antiCsrf(true)
                  .accessTokenBlacklisting(true)
                  .disableBackgroundCleanup()
                  .build();
      // the same store and clock: this ring loads the engine's keys, and signs with them
      ring =
          new KeyRing(
              store,
              clock,
              new java.security.SecureRandom(),
              java.time.Duration.ofDays(7),
              java.time.Duration.ofHours(1));
      live = engine.createNewSession("alice", Map.of("role", "admin"), Map.of("k", "v"));
      liveCsrf = csrfEngine.createNewSession("bob", null, null);
      liveRefreshHash = Crypto.sha256Hex(live.getTokens().getRefreshToken());
      genuine.add(live.getAccessToken());
      genuine.add(liveCsrf.getAccessToken());
    }
  }

  private static Fixture fixture;

  private static synchronized Fixture fixture() {
    if (fixture == null) {
      fixture = new Fixture();
    }
    return fixture;
  }

  @FuzzTest(maxDuration = "5m")
  void getSession_withFuzzedAccessToken_failsOnlyWithSessionErrors(byte[] data) {
    Fixture f = fixture();
    int mode = data.length == 0 ? 0 : (data[0] & 0xff) % 4;
    byte[] rest = data.length == 0 ? data : Arrays.copyOfRange(data, 1, data.length);
    switch (mode) {
      case 0 -> expectRefusedUnlessGenuine(f, f.engine, text(rest), null, null, false, false);
      case 1 -> {
        String[] parts = split(rest);
        expectRefusedUnlessGenuine(f, f.csrfEngine, parts[0], null, parts[1], true, true);
        expectRefusedUnlessGenuine(f, f.engine, parts[0], null, parts[1], true, true);
      }
      case 2 -> signed(f, rest);
      default -> spliced(f, rest);
    }
  }

  /** A token this harness signed with the real key: anything may verify, nothing may crash. */
  private static void signed(Fixture f, byte[] rest) {
    String[] parts = split(rest);
    SigningKey key = f.ring.signingKey();
    String header = substitute(f, parts[0], key);
    String payload = substitute(f, parts[1], key);
    String input =
        Crypto.B64URL.encodeToString(Crypto.utf8(header))
            + "."
            + Crypto.B64URL.encodeToString(Crypto.utf8(payload));
    String jwt;
    try {
      Signature s = Signature.getInstance("SHA256withRSA");
      s.initSign(key.privateKey);
      s.update(input.getBytes(StandardCharsets.US_ASCII));
      jwt = input + "." + Crypto.B64URL.encodeToString(s.sign());
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
    boolean checkDatabase = rest.length > 0 && (rest[rest.length - 1] & 1) == 1;
    expectRefusedUnlessGenuine(f, f.engine, jwt, jwt, null, false, checkDatabase);
  }

  /** A genuine token with the characters at an offset replaced by the input's text. */
  private static void spliced(Fixture f, byte[] rest) {
    String token = f.live.getAccessToken();
    int at = rest.length < 2 ? 0 : ((rest[0] & 0xff) << 8 | (rest[1] & 0xff)) % token.length();
    String patch = rest.length < 2 ? "" : text(Arrays.copyOfRange(rest, 2, rest.length));
    int end = Math.min(token.length(), at + patch.length());
    String forged = token.substring(0, at) + patch + token.substring(end);
    expectRefusedUnlessGenuine(f, f.engine, forged, null, null, false, false);
  }

  private static String substitute(Fixture f, String s, SigningKey key) {
    return s.replace("$KID", key.kid)
        .replace("$HANDLE", f.live.getHandle())
        .replace("$RTH", f.liveRefreshHash);
  }

  static void expectRefusedUnlessGenuine(
      Fixture f,
      Engine engine,
      String token,
      String signedHere,
      String antiCsrf,
      boolean doAntiCsrfCheck,
      boolean checkDatabase) {
    Session s;
    try {
      s = engine.getSession(token, antiCsrf, doAntiCsrfCheck, checkDatabase);
    } catch (HallpassException e) {
      assertThat(e.getType()).as(e.getMessage()).isNotEqualTo(HallpassException.Type.GENERAL_ERROR);
      return;
    }
    if (!token.equals(signedHere)) {
      assertThat(f.genuine).as("a token nobody signed verified").contains(token);
    }
    // what a web layer reads from every verified session must not throw either
    assertThat(s.getHandle()).isNotNull();
    assertThat(s.getAccessTokenExpiry()).isAfter(NOW);
    assertThat(s.getTokens().getAccessToken()).isNotEmpty();
    assertThat(s.getJWTPayload()).isNotNull();
  }

  static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  /** The input split at its first newline into two texts (the second empty when there is none). */
  static String[] split(byte[] b) {
    int nl = 0;
    while (nl < b.length && b[nl] != '\n') {
      nl++;
    }
    String first = new String(b, 0, nl, StandardCharsets.UTF_8);
    String second =
        nl >= b.length ? "" : new String(b, nl + 1, b.length - nl - 1, StandardCharsets.UTF_8);
    return new String[] {first, second};
  }
}
