package dev.hallpass;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallpass.HallpassException.Type;
import dev.hallpass.spi.SessionStore;
import dev.hallpass.spi.SigningKeyRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Behaviour exactly at each time boundary, one millisecond before and at it, with the clock moved
 * by hand (engine and in-memory store share it, so there is no skew between them; the rules for
 * skew are in the javadoc of {@link Hallpass#getSession} and {@link Hallpass.Builder#clock}).
 *
 * <p>The boundaries: an access token is accepted while now &lt; exp (exp = iat + validity, iat the
 * signing second); a session is alive while now &lt; its expiry; the replaced refresh token gets
 * the same child while now &lt; issuedAt + grace; a signing key signs from its start (inclusive) to
 * its end (exclusive) and is published until its end + access-token validity (exclusive), after the
 * last token it signed has expired.
 */
class ClockBoundariesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration ACCESS = Duration.ofHours(1);
  private static final Duration REFRESH = Duration.ofDays(100);
  private static final Duration GRACE = Duration.ofSeconds(30);
  private static final Duration ROTATION = Duration.ofDays(7);
  private static final Duration MS = Duration.ofMillis(1);

  private TestClock clock;
  private SessionStore store;
  private Hallpass hallpass;

  @BeforeEach
  void startEngine() {
    clock = new TestClock(START);
    store = SessionStores.inMemory(clock);
    hallpass =
        Hallpass.builder()
            .store(store)
            .clock(clock)
            .accessTokenValidity(ACCESS)
            .refreshTokenValidity(REFRESH)
            .refreshGracePeriod(GRACE)
            .signingKeyRotationInterval(ROTATION)
            .antiCsrf(false)
            .verifiedTokenCacheSize(0) // each call verifies from scratch
            .disableBackgroundCleanup()
            .build();
  }

  @AfterEach
  void stopEngine() {
    hallpass.close();
  }

  private static void assertError(Type type, ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            HallpassException.class,
            e -> assertThat(e.getType()).as(e.getMessage()).isEqualTo(type));
  }

  private Session login() {
    return hallpass.createNewSession("alice", Map.of(), Map.of());
  }

  private Session verify(Session s) {
    return hallpass.getSession(s.getAccessToken(), null, false);
  }

  private Session refresh(Session s) {
    return hallpass.refreshSession(s.getTokens().getRefreshToken(), null);
  }

  /** Moves the clock to {@code t} (never back). */
  private void at(Instant t) {
    Duration d = Duration.between(clock.instant(), t);
    assertThat(d.isNegative()).as("the test moves time forward only").isFalse();
    clock.advance(d);
  }

  private List<String> storedKids() {
    return store.loadSigningKeys().stream().map(SigningKeyRecord::kid).toList();
  }

  private static String kid(String jwt) throws Exception {
    return JSON.readTree(Base64.getUrlDecoder().decode(jwt.substring(0, jwt.indexOf('.'))))
        .get("kid")
        .asText();
  }

  // ---------------------------------------------------------------- access token

  @Test
  void accessToken_isAcceptedUntilTheMillisecondBeforeExp_andExpiredFromExp() {
    clock.advance(Duration.ofMillis(400)); // signed at .400: iat is the whole second before
    Session s = login();
    Instant exp = START.plus(ACCESS);
    assertThat(s.getAccessTokenExpiry()).isEqualTo(exp);

    at(exp.minus(MS));
    assertThat(verify(s).getUserId()).isEqualTo("alice");
    at(exp);
    assertError(Type.TRY_REFRESH_TOKEN, () -> verify(s));
  }

  @Test
  void reissuedAccessToken_keepsTheExpiryOfTheTokenItReplaces() {
    Session p = login();
    clock.advance(Duration.ofMinutes(10));
    Session c = refresh(p);
    Instant exp = START.plus(Duration.ofMinutes(10)).plus(ACCESS);
    assertThat(c.getAccessTokenExpiry()).isEqualTo(exp);

    at(exp.minus(MS));
    Session confirmed = verify(c); // re-issued without the parent claim
    assertThat(confirmed.getAccessToken()).isNotEqualTo(c.getAccessToken());
    assertThat(confirmed.getAccessTokenExpiry()).isEqualTo(exp);
    at(exp);
    assertError(Type.TRY_REFRESH_TOKEN, () -> verify(confirmed));
  }

  // ---------------------------------------------------------------- session (refresh token) expiry

  @Test
  void refresh_oneMillisecondBeforeSessionExpiry_works_andExtendsIt() {
    Session s = login();
    Instant expiry = START.plus(REFRESH);

    at(expiry.minus(MS));
    assertThat(hallpass.getSessionData(s.getHandle())).isEmpty();
    Session next = refresh(s);
    assertThat(next.getTokens().getRefreshTokenExpiry()).isEqualTo(expiry.minus(MS).plus(REFRESH));
  }

  @Test
  void refresh_atSessionExpiry_isUnauthorised_andTheSessionIsGone() {
    Session s = login();
    at(START.plus(REFRESH));

    assertError(Type.UNAUTHORISED, () -> hallpass.getSessionData(s.getHandle()));
    assertError(Type.UNAUTHORISED, () -> refresh(s));
    assertThat(hallpass.getAllSessionHandlesForUser("alice")).isEmpty();
  }

  // ---------------------------------------------------------------- grace period

  @Test
  void previousToken_oneMillisecondBeforeGraceEnds_getsTheSameChild() {
    Session p = login();
    clock.advance(Duration.ofSeconds(5));
    Session c = refresh(p);

    at(START.plusSeconds(5).plus(GRACE).minus(MS));
    assertThat(refresh(p).getTokens().getRefreshToken()).isEqualTo(c.getTokens().getRefreshToken());
  }

  @Test
  void previousToken_atGraceEnd_unusedChild_getsANewChild() {
    Session p = login();
    clock.advance(Duration.ofSeconds(5));
    Session c = refresh(p);

    at(START.plusSeconds(5).plus(GRACE));
    Session replacement = refresh(p);
    assertThat(replacement.getTokens().getRefreshToken())
        .isNotEqualTo(c.getTokens().getRefreshToken());
    assertThat(verify(replacement).getHandle()).isEqualTo(p.getHandle());
  }

  @Test
  void previousToken_atGraceEnd_usedChild_isTheft() {
    Session p = login();
    clock.advance(Duration.ofSeconds(5));
    Session c = refresh(p);
    verify(c); // the client used C: confirmed

    at(START.plusSeconds(5).plus(GRACE).minus(MS));
    assertThat(refresh(p).getTokens().getRefreshToken()).isEqualTo(c.getTokens().getRefreshToken());
    at(START.plusSeconds(5).plus(GRACE));
    assertError(Type.TOKEN_THEFT_DETECTED, () -> refresh(p));
  }

  // ---------------------------------------------------------------- signing keys

  @Test
  void signingKey_signsUntilTheMillisecondBeforeItsEnd_thenTheNextKeyPublishedBeforehand()
      throws Exception {
    Session first = login();
    String k0 = kid(first.getAccessToken());
    Instant end = START.plus(ROTATION);

    at(end.minus(MS));
    Session last = login();
    assertThat(kid(last.getAccessToken())).isEqualTo(k0);
    String k1 =
        hallpass.getJwks().getKeyIds().stream().filter(k -> !k.equals(k0)).findFirst().get();

    at(end);
    Session next = login();
    assertThat(kid(next.getAccessToken())).isEqualTo(k1);
    // The last token of k0 still verifies until its own exp, one access validity after it.
    Instant lastExp = last.getAccessTokenExpiry();
    assertThat(lastExp).isEqualTo(end.minusSeconds(1).plus(ACCESS));
    at(lastExp.minus(MS));
    assertThat(verify(last).getUserId()).isEqualTo("alice");
    at(lastExp);
    assertError(Type.TRY_REFRESH_TOKEN, () -> verify(last));
  }

  @Test
  void retiredKey_isPublishedUntilItsEndPlusAccessValidity_andDeletedOnlyAfterwards()
      throws Exception {
    String k0 = kid(login().getAccessToken());
    Instant gone = START.plus(ROTATION).plus(ACCESS);

    at(gone.minus(MS));
    hallpass.cleanUp();
    assertThat(hallpass.getJwks().getKeyIds()).contains(k0);
    at(gone);
    assertThat(hallpass.getJwks().getKeyIds()).doesNotContain(k0);
    hallpass.cleanUp();
    assertThat(storedKids()).contains(k0); // deleted once its end is more than a validity ago
    clock.advance(MS);
    hallpass.cleanUp();
    assertThat(storedKids()).doesNotContain(k0);
    assertThat(hallpass.getJwks().getKeyIds()).doesNotContain(k0).isNotEmpty();
    assertThat(kid(login().getAccessToken())).isNotEqualTo(k0);
  }
}
