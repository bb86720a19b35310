package dev.hallpass;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallpass.HallpassException.Type;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Regressions for tokens that must never become sessions, refresh tokens in other spellings,
 * oversized payloads and a refresh racing {@code close()}.
 */
class TokenHygieneTest {
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  private final TestClock clock = new TestClock(START);
  private final List<Hallpass> engines = new ArrayList<>();

  @AfterEach
  void close() {
    engines.forEach(Hallpass::close);
  }

  private Engine engine(boolean blacklisting) {
    Hallpass h =
        Hallpass.builder()
            .store(SessionStores.inMemory(clock))
            .clock(clock)
            .accessTokenBlacklisting(blacklisting)
            .disableBackgroundCleanup()
            .build();
    engines.add(h);
    return (Engine) h;
  }

  private static void assertError(Type type, ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            HallpassException.class,
            e -> assertThat(e.getType()).as(e.getMessage()).isEqualTo(type));
  }

  // ------------------------------------------------- access tokens in their one spelling only

  /** The token with its signature's last character's unused low bits set, or padded. */
  private static List<String> otherSpellings(String token) {
    int dot = token.lastIndexOf('.');
    String signature = token.substring(dot + 1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    int last = alphabet.indexOf(signature.charAt(signature.length() - 1));
    // 256 bytes (RS256) leave 4 unused bits in the last character, 32 bytes (HS256) leave 2.
    int unused = signature.length() % 4 == 2 ? 4 : 2;
    List<String> spellings = new ArrayList<>();
    for (int bits = 1; bits < (1 << unused); bits++) {
      String variant =
          signature.substring(0, signature.length() - 1) + alphabet.charAt(last | bits);
      spellings.add(token.substring(0, dot + 1) + variant);
    }
    spellings.add(token + (signature.length() % 4 == 2 ? "==" : "="));
    return spellings;
  }

  @Test
  void getSession_withTheSignatureInAnotherSpelling_isUnauthorised_inBothSigningModes() {
    for (AccessTokenSigning signing : AccessTokenSigning.values()) {
      Hallpass h =
          Hallpass.builder()
              .store(SessionStores.inMemory(clock))
              .clock(clock)
              .accessTokenSigning(signing)
              .verifiedTokenCacheSize(0)
              .disableBackgroundCleanup()
              .build();
      engines.add(h);
      String token = h.createNewSession("alice", null, null).getAccessToken();
      for (String other : otherSpellings(token)) {
        assertError(Type.UNAUTHORISED, () -> h.getSession(other, null, false));
      }
      assertThat(h.getSession(token, null, false).getUserId()).isEqualTo("alice");
    }
  }

  // ---------------------------------------------------------------- createJWT mints no session

  @Test
  void createJWT_withTheClaimsOfASessionOfAnotherUser_isRefused() {
    Engine engine = engine(true);
    Session victim = engine.createNewSession("alice", null, null);
    Map<String, Object> attack = new LinkedHashMap<>();
    attack.put("sub", "admin");
    attack.put("sessionHandle", victim.getHandle());
    attack.put("refreshTokenHash1", "0".repeat(64));
    attack.put("tId", "public");

    assertThatThrownBy(() -> engine.createJWT(attack, Duration.ofMinutes(5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sessionHandle");
  }

  @Test
  void createJWT_withAnySessionOnlyClaim_isRefusedNamingIt() {
    Engine engine = engine(false);
    for (String claim :
        List.of("sessionHandle", "refreshTokenHash1", "parentRefreshTokenHash1", "antiCsrfToken")) {
      assertThatThrownBy(() -> engine.createJWT(Map.of(claim, "x"), Duration.ofMinutes(5)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(claim);
    }
    assertThat(
            engine.createJWT(
                Map.of("sub", "svc", "tId", "public", "scope", "read"), Duration.ofMinutes(5)))
        .isNotEmpty();
  }

  /** A token signed by our key for a live handle but another user (as a key holder could). */
  private static String tokenOfAnotherUser(Engine engine, Session victim) {
    long iat = START.getEpochSecond();
    return engine.tokens.sign(
            new AccessTokens.Claims(
                "admin",
                "public",
                victim.getHandle(),
                "0".repeat(64),
                null,
                null,
                iat,
                iat + 60,
                Map.of()))
        .token;
  }

  @Test
  void getSession_withBlacklisting_comparesStoredUserWithSub() {
    Engine engine = engine(true);
    Session victim = engine.createNewSession("alice", null, null);

    assertError(
        Type.UNAUTHORISED,
        () -> engine.getSession(tokenOfAnotherUser(engine, victim), null, false));
    assertThat(engine.getSession(victim.getAccessToken(), null, false).getUserId())
        .isEqualTo("alice");
  }

  @Test
  void getSession_checkingDatabase_comparesStoredUserWithSub() {
    Engine engine = engine(false);
    Session victim = engine.createNewSession("alice", null, null);

    assertError(
        Type.UNAUTHORISED,
        () -> engine.getSession(tokenOfAnotherUser(engine, victim), null, false, true));
    assertThat(engine.getSession(victim.getAccessToken(), null, false, true).getUserId())
        .isEqualTo("alice");
  }

  // ---------------------------------------------------------------- canonical refresh tokens

  @Test
  void refresh_withNonCanonicalSpellingsOfTheCurrentToken_isUnauthorised_neverTheft() {
    Engine engine = engine(false);
    Session s = engine.createNewSession("alice", null, null);
    String token = s.getTokens().getRefreshToken();
    char last = token.charAt(token.length() - 1);
    // 65 bytes in base64url: the last character carries 4 bits and 2 unused ones.
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    String flippedLowBits =
        token.substring(0, token.length() - 1) + alphabet.charAt(alphabet.indexOf(last) ^ 1);
    assertThat(Base64.getUrlDecoder().decode(flippedLowBits))
        .isEqualTo(Base64.getUrlDecoder().decode(token));

    for (String variant : List.of(token + "=", token + "==", flippedLowBits)) {
      assertError(Type.UNAUTHORISED, () -> engine.refreshSession(variant, null));
    }
    assertThat(engine.refreshSession(token, null).getUserId()).isEqualTo("alice");
  }

  // ---------------------------------------------------------------- payload and token size

  @Test
  void createNewSession_withPayloadOverTheLimit_isRefusedNamingIt_andNothingIsStored() {
    Engine engine = engine(false);
    Map<String, Object> big = Map.of("blob", "x".repeat(Engine.MAX_PAYLOAD_JSON_LENGTH));

    assertThatThrownBy(() -> engine.createNewSession("alice", big, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jwtPayload")
        .hasMessageContaining("2048");
    assertThat(engine.getAllSessionHandlesForUser("alice")).isEmpty();
  }

  @Test
  void updateJWTPayload_overTheLimit_isRefused_andTheStoredPayloadIsKept() {
    Engine engine = engine(false);
    Session s = engine.createNewSession("alice", Map.of("role", "reader"), null);
    Map<String, Object> big = Map.of("blob", "x".repeat(Engine.MAX_PAYLOAD_JSON_LENGTH));

    assertThatThrownBy(() -> s.updateJWTPayload(big))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jwtPayload");
    assertThatThrownBy(() -> engine.updateJWTPayload(s.getHandle(), big))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jwtPayload");
    assertThat(engine.getJWTPayload(s.getHandle())).isEqualTo(Map.of("role", "reader"));
  }

  @Test
  void createNewSession_whoseTokenWouldExceedTheCookieLimit_isRefused() {
    Engine engine = engine(false);
    String longUser = "\u00e9".repeat(Engine.MAX_USER_ID_LENGTH); // six JSON characters each

    assertThatThrownBy(() -> engine.createNewSession(longUser, null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(String.valueOf(AccessTokens.MAX_ISSUED_LENGTH));
  }

  @Test
  void largestAcceptedPayload_keepsEveryIssuedTokenWithinTheLimit_afterRefresh() {
    Engine engine = engine(false);
    Map<String, Object> payload = Map.of("blob", "x".repeat(Engine.MAX_PAYLOAD_JSON_LENGTH - 11));
    Session s = engine.createNewSession("u".repeat(100), payload, null);

    Session refreshed = engine.refreshSession(s.getTokens().getRefreshToken(), null);

    assertThat(refreshed.getAccessToken().length())
        .isLessThanOrEqualTo(AccessTokens.MAX_ISSUED_LENGTH);
    assertThat(engine.getSession(refreshed.getAccessToken(), null, false).getUserId())
        .isEqualTo("u".repeat(100));
  }

  // ---------------------------------------------------------------- close() and refresh

  @Test
  void refresh_racingClose_neverBlocks_andEitherSucceedsOrIsGeneralError() throws Exception {
    Engine engine = engine(false);
    List<Session> sessions = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      sessions.add(engine.createNewSession("user" + i, null, null));
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch gate = new CountDownLatch(1);
      List<Future<Type>> outcomes = new ArrayList<>();
      for (Session s : sessions) {
        outcomes.add(
            pool.submit(
                () -> {
                  gate.await();
                  try {
                    engine.refreshSession(s.getTokens().getRefreshToken(), null);
                    return null;
                  } catch (HallpassException e) {
                    return e.getType();
                  }
                }));
      }
      gate.countDown();
      engine.close();
      for (Future<Type> f : outcomes) {
        assertThat(f.get(10, TimeUnit.SECONDS)).isIn(null, Type.GENERAL_ERROR);
      }
    } finally {
      pool.shutdownNow();
    }
    assertError(
        Type.GENERAL_ERROR,
        () -> engine.refreshSession(sessions.get(0).getTokens().getRefreshToken(), null));
  }
}
