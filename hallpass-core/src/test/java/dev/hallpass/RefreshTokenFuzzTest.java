package dev.hallpass;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;

/**
 * Coverage-guided fuzzing of refresh-token parsing ({@link RefreshTokens#parse}) and of {@link
 * Hallpass#refreshSession} with tokens nobody issued. Such a token is UNAUTHORISED, never theft,
 * and never revokes or rotates the session it names.
 *
 * <p>The first input byte picks the mode: 0 raw text as the refresh token (the rest after a newline
 * as the anti-CSRF token); 1 a well-formed token naming a live session, with secret and tag from
 * the input; 2 the parser alone (what it accepts is canonical); 3 a genuine token with a slice
 * replaced. Seeds: {@code src/test/resources/dev/hallpass/RefreshTokenFuzzTestInputs}.
 */
class RefreshTokenFuzzTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  private static final class Fixture {
    final Engine engine;
    final Session victim;
    final String refreshToken;
    final byte[] raw;

    Fixture() {
      Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
      engine =
          (Engine)
              Hallpass.builder()
                  .store(SessionStores.inMemory(clock))
                  .clock(clock)
                  .antiCsrf(true)
                  .disableBackgroundCleanup()
                  .build();
      victim = engine.createNewSession("alice", Map.of("role", "reader"), null);
      refreshToken = victim.getTokens().getRefreshToken();
      raw = Base64.getUrlDecoder().decode(refreshToken);
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
  void refreshSession_withFuzzedRefreshToken_isUnauthorisedAndHarmless(byte[] data) {
    Fixture f = fixture();
    int mode = data.length == 0 ? 0 : (data[0] & 0xff) % 4;
    byte[] rest = data.length == 0 ? data : Arrays.copyOfRange(data, 1, data.length);
    switch (mode) {
      case 0 -> {
        String[] parts = AccessTokenFuzzTest.split(rest);
        expectUnauthorised(f, parts[0], parts[1]);
      }
      case 1 -> {
        byte[] forged = Arrays.copyOf(f.raw, f.raw.length);
        // keep version and handle (17 bytes): the input becomes secret and tag
        System.arraycopy(rest, 0, forged, 17, Math.min(rest.length, forged.length - 17));
        expectUnauthorised(f, Crypto.B64URL.encodeToString(forged), null);
      }
      case 2 -> {
        String text = AccessTokenFuzzTest.text(rest);
        RefreshTokens.Parsed p = RefreshTokens.parse(text);
        if (p != null) {
          assertThat(Crypto.B64URL.encodeToString(Base64.getUrlDecoder().decode(text)))
              .isEqualTo(text);
          assertThat(p.handle).hasSize(36);
          assertThat(p.toString()).doesNotContain(text);
        }
      }
      default -> {
        String token = f.refreshToken;
        int at = rest.length < 1 ? 0 : (rest[0] & 0xff) % token.length();
        String patch =
            AccessTokenFuzzTest.text(
                Arrays.copyOfRange(rest, Math.min(1, rest.length), rest.length));
        String forged =
            token.substring(0, at)
                + patch
                + token.substring(Math.min(token.length(), at + patch.length()));
        expectUnauthorised(f, forged, null);
      }
    }
  }

  private static void expectUnauthorised(Fixture f, String token, String antiCsrf) {
    if (token.equals(f.refreshToken)) {
      return; // the genuine token would rotate the session: not an attack
    }
    for (boolean check : new boolean[] {true, false}) {
      try {
        f.engine.refreshSession(token, antiCsrf, check);
        throw new AssertionError("a refresh token nobody issued was accepted");
      } catch (HallpassException e) {
        assertThat(e.getType()).as(e.getMessage()).isEqualTo(HallpassException.Type.UNAUTHORISED);
      }
    }
    // the session it named is untouched: still live, still on its first token
    assertThat(f.engine.getSessionInformation(f.victim.getHandle()).getUserId()).isEqualTo("alice");
    assertThat(f.engine.store.findSession(f.victim.getHandle()).orElseThrow().currentRefreshHash())
        .isEqualTo(Crypto.sha256Hex(f.refreshToken));
  }
}
