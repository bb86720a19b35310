package dev.hallpass;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallpass.HallpassException.Type;
import dev.hallpass.spi.SessionStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's behaviour through the public API, on the in-memory store. Stores are tested by the
 * store compatibility kit in hallpass-testkit, and the engine on each real store by its short
 * engine-on-store set there.
 *
 * <p>Time moves only through a {@link TestClock} shared by engine and store; every test that
 * expects an error asserts its type.
 */
class EngineTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  protected static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  protected static final Duration ACCESS = Duration.ofHours(1);
  protected static final Duration REFRESH = Duration.ofDays(100);
  protected static final Duration GRACE = Duration.ofSeconds(30);
  protected static final Duration ROTATION = Duration.ofDays(7);

  private TestClock clock;
  private CountedStore store;
  private Hallpass hallpass;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeEach
  void startEngine() {
    clock = new TestClock(START);
    store = CountedStore.wrap(SessionStores.inMemory(clock));
    hallpass = engine(store, b -> {});
  }

  @AfterEach
  void stopEngines() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    toClose.clear();
  }

  /**
   * An engine on {@code s} with the suite's defaults (anti-CSRF on), adjusted by {@code settings}.
   */
  private Hallpass engine(SessionStore s, Consumer<Hallpass.Builder> settings) {
    Hallpass.Builder b =
        Hallpass.builder()
            .store(s)
            .clock(clock)
            .accessTokenValidity(ACCESS)
            .refreshTokenValidity(REFRESH)
            .refreshGracePeriod(GRACE)
            .antiCsrf(true)
            .signingKeyRotationInterval(ROTATION)
            .disableBackgroundCleanup();
    settings.accept(b);
    Hallpass h = b.build();
    toClose.add(h);
    return h;
  }

  private static void assertError(Type type, ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            HallpassException.class,
            e -> assertThat(e.getType()).as(e.getMessage()).isEqualTo(type));
  }

  private Session login(String userId) {
    return hallpass.createNewSession(userId, Map.of("role", "reader"), Map.of("cart", 3));
  }

  private Session verify(Session s) {
    return hallpass.getSession(s.getAccessToken(), s.getTokens().getAntiCsrfToken(), true);
  }

  private Session refresh(Session s) {
    return hallpass.refreshSession(
        s.getTokens().getRefreshToken(), s.getTokens().getAntiCsrfToken());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> part(String jwt, int index) throws Exception {
    return JSON.readValue(Base64.getUrlDecoder().decode(jwt.split("\\.")[index]), Map.class);
  }

  private static String b64(String json) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  private static String sha256Hex(String s) throws Exception {
    StringBuilder sb = new StringBuilder();
    for (byte b : MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8))) {
      sb.append(String.format("%02x", b));
    }
    return sb.toString();
  }

  // ---------------------------------------------------------------- create, get, refresh, revoke

  @Test
  void create_thenGetSession_returnsUserPayloadAndHandle_withoutStoreCall() {
    Session created = login("alice");
    int before = store.calls();

    Session s = verify(created);

    assertThat(store.calls()).isEqualTo(before);
    assertThat(s.getUserId()).isEqualTo("alice");
    assertThat(s.getHandle()).isEqualTo(created.getHandle());
    assertThat(s.getTenantId()).isEqualTo("public");
    assertThat(s.getJWTPayload()).isEqualTo(Map.of("role", "reader"));
    assertThat(s.getAccessTokenExpiry()).isEqualTo(START.plus(ACCESS));
    assertThat(created.getTokens().getRefreshTokenExpiry()).isEqualTo(START.plus(REFRESH));
  }

  @Test
  void accessToken_carriesSuperTokensClaimsAndRs256HeaderWithRotatingKid() throws Exception {
    Session s = login("alice");

    Map<String, Object> header = part(s.getAccessToken(), 0);
    Map<String, Object> claims = part(s.getAccessToken(), 1);

    assertThat(header)
        .containsEntry("alg", "RS256")
        .containsEntry("typ", "JWT")
        .containsEntry("version", "5");
    assertThat((String) header.get("kid")).startsWith("d-");
    assertThat(claims)
        .containsEntry("sub", "alice")
        .containsEntry("rsub", "alice")
        .containsEntry("tId", "public")
        .containsEntry("sessionHandle", s.getHandle())
        .containsEntry("role", "reader")
        .containsEntry("antiCsrfToken", s.getTokens().getAntiCsrfToken())
        .containsEntry("refreshTokenHash1", sha256Hex(s.getTokens().getRefreshToken()))
        .doesNotContainKey("parentRefreshTokenHash1");
    assertThat(((Number) claims.get("exp")).longValue() - ((Number) claims.get("iat")).longValue())
        .isEqualTo(ACCESS.getSeconds());
    assertThat(hallpass.getJwks().getKeyIds()).contains((String) header.get("kid"));
    assertThat(verify(s).getAccessTokenPayload()).isEqualTo(claims);
    assertThat(s.getAccessTokenPayload()).containsEntry("sub", "alice").containsKeys("iat", "exp");
  }

  @Test
  void refreshToken_isOpaqueWithAtLeast128RandomBits_andNotStoredInClear() {
    Session a = login("alice");
    Session b = login("alice");
    String token = a.getTokens().getRefreshToken();

    assertThat(token).isNotEqualTo(b.getTokens().getRefreshToken()).doesNotContain("alice");
    assertThat(Base64.getUrlDecoder().decode(token).length).isGreaterThanOrEqualTo(16 + 16);
    assertThat(store.findSession(a.getHandle()).orElseThrow().toString()).doesNotContain(token);
    assertThat(store.findSession(a.getHandle()).orElseThrow().currentRefreshHash())
        .isNotEqualTo(token)
        .hasSize(64);
  }

  @Test
  void refresh_rotatesRefreshAndAntiCsrfTokens_andNewAccessTokenVerifies() {
    Session first = login("alice");
    clock.advance(Duration.ofMinutes(5));

    Session second = refresh(first);

    assertThat(second.getTokens().getRefreshToken())
        .isNotEqualTo(first.getTokens().getRefreshToken());
    assertThat(second.getTokens().getAntiCsrfToken())
        .isNotEqualTo(first.getTokens().getAntiCsrfToken());
    assertThat(second.getAccessToken()).isNotEqualTo(first.getAccessToken());
    assertThat(second.getHandle()).isEqualTo(first.getHandle());
    assertThat(second.getTokens().getRefreshTokenExpiry())
        .isEqualTo(START.plus(Duration.ofMinutes(5)).plus(REFRESH));
    assertThat(verify(second).getJWTPayload()).isEqualTo(Map.of("role", "reader"));
  }

  @Test
  void revokeSession_makesRefreshAndDataCallsUnauthorised() {
    Session s = login("alice");

    assertThat(hallpass.revokeSession(s.getHandle())).isTrue();

    assertError(Type.UNAUTHORISED, () -> refresh(s));
    assertError(Type.UNAUTHORISED, () -> hallpass.getSessionData(s.getHandle()));
    assertError(Type.UNAUTHORISED, () -> hallpass.getSessionInformation(s.getHandle()));
    assertThat(hallpass.revokeSession(s.getHandle())).isFalse();
  }

  @Test
  void sessionRevokeSession_deletesItFromTheStore() {
    Session s = verify(login("alice"));

    s.revokeSession();

    assertThat(store.findSession(s.getHandle())).isEmpty();
    assertThat(hallpass.getAllSessionHandlesForUser("alice")).isEmpty();
  }

  // ---------------------------------------------------------------- expiry on the injected clock

  @Test
  void getSession_afterAccessTokenExpiry_isTryRefreshToken_andRefreshRecovers() {
    Session s = login("alice");
    verify(s); // warms the verified-token cache: expiry must still apply
    clock.advance(ACCESS);

    assertError(Type.TRY_REFRESH_TOKEN, () -> verify(s));

    Session refreshed = refresh(s);
    assertThat(verify(refreshed).getUserId()).isEqualTo("alice");
  }

  @Test
  void refresh_afterSessionExpiry_isUnauthorised() {
    Session s = login("alice");
    clock.advance(REFRESH);

    assertError(Type.UNAUTHORISED, () -> refresh(s));
    assertThat(hallpass.getAllSessionHandlesForUser("alice")).isEmpty();
  }

  @Test
  void refresh_extendsSessionLifetime() {
    Session s = login("alice");
    clock.advance(REFRESH.minusDays(1));
    Session r = refresh(s);
    clock.advance(Duration.ofDays(2));

    assertThat(refresh(r).getUserId()).isEqualTo("alice");
  }

  // ---------------------------------------------------------------- refresh-token theft and races

  @Test
  void refresh_withStolenParentToken_revokesSession() {
    Session t0 = login("alice");
    Session t1 = refresh(t0);
    Session t2 = refresh(t1);

    assertThatThrownBy(() -> refresh(t0))
        .isInstanceOfSatisfying(
            HallpassException.class,
            e -> {
              assertThat(e.getType()).isEqualTo(Type.TOKEN_THEFT_DETECTED);
              assertThat(e.getUserId()).isEqualTo("alice");
              assertThat(e.getSessionHandle()).isEqualTo(t0.getHandle());
            });
    assertThat(store.findSession(t0.getHandle())).isEmpty();
    assertError(Type.UNAUTHORISED, () -> refresh(t2));
  }

  @Test
  void refresh_withForgedTokenNamingRealSession_isUnauthorised_andSessionSurvives() {
    Session s = login("alice");
    byte[] raw = Base64.getUrlDecoder().decode(s.getTokens().getRefreshToken());
    raw[20] ^= 1; // same handle, different secret: not a token we issued

    assertError(
        Type.UNAUTHORISED,
        () ->
            hallpass.refreshSession(
                Base64.getUrlEncoder().withoutPadding().encodeToString(raw),
                s.getTokens().getAntiCsrfToken()));
    assertThat(refresh(s).getUserId()).isEqualTo("alice");
  }

  @Test
  void refresh_withMalformedTokens_isUnauthorised() {
    for (String bad :
        new String[] {
          "",
          "x",
          "not base64 !",
          "a".repeat(5000),
          "' OR '1'='1",
          Base64.getUrlEncoder().encodeToString(new byte[65])
        }) {
      assertError(Type.UNAUTHORISED, () -> hallpass.refreshSession(bad, null));
    }
    assertError(Type.UNAUTHORISED, () -> hallpass.refreshSession(null, null));
  }

  // ---------------------------------------------------------------- anti-CSRF

  @Test
  void getSession_withAntiCsrfMissingOrWrong_isTryRefreshToken() {
    Session s = login("alice");

    assertError(Type.TRY_REFRESH_TOKEN, () -> hallpass.getSession(s.getAccessToken(), null, true));
    assertError(
        Type.TRY_REFRESH_TOKEN, () -> hallpass.getSession(s.getAccessToken(), "wrong", true));
    assertThat(hallpass.getSession(s.getAccessToken(), null, false).getUserId()).isEqualTo("alice");
  }

  @Test
  void refresh_withWrongAntiCsrf_isUnauthorised_andDoesNotRotate() {
    Session s = login("alice");

    assertError(
        Type.UNAUTHORISED, () -> hallpass.refreshSession(s.getTokens().getRefreshToken(), "wrong"));
    assertError(
        Type.UNAUTHORISED, () -> hallpass.refreshSession(s.getTokens().getRefreshToken(), null));
    assertThat(refresh(s).getUserId()).isEqualTo("alice");
  }

  @Test
  void antiCsrfOff_issuesNoAntiCsrfToken_andSkipsTheCheck() {
    Hallpass noCsrf = engine(store, b -> b.antiCsrf(false));
    Session s = noCsrf.createNewSession("alice", null, null);

    assertThat(s.getTokens().getAntiCsrfToken()).isNull();
    assertThat(noCsrf.getSession(s.getAccessToken(), null, true).getUserId()).isEqualTo("alice");
    assertThat(noCsrf.refreshSession(s.getTokens().getRefreshToken(), null).getUserId())
        .isEqualTo("alice");
  }

  // ---------------------------------------------------------------- hostile access tokens

  @Test
  void getSession_withTamperedPayload_isUnauthorised() throws Exception {
    Session s = login("alice");
    String[] parts = s.getAccessToken().split("\\.");
    Map<String, Object> claims = part(s.getAccessToken(), 1);
    claims.put("sub", "mallory");
    String forged = parts[0] + "." + b64(JSON.writeValueAsString(claims)) + "." + parts[2];

    assertError(Type.UNAUTHORISED, () -> hallpass.getSession(forged, null, false));
  }

  @Test
  void getSession_withTruncatedOrMalformedToken_isUnauthorised() {
    String t = login("alice").getAccessToken();
    for (String bad :
        new String[] {
          t.substring(0, t.length() - 3),
          t.substring(0, t.lastIndexOf('.')),
          t + ".x",
          "a.b.c",
          "..",
          "' OR 1=1 --",
          "x".repeat(40_000),
          t.replace('.', '!')
        }) {
      assertError(Type.UNAUTHORISED, () -> hallpass.getSession(bad, null, false));
    }
    assertError(Type.UNAUTHORISED, () -> hallpass.getSession(null, null, false));
    assertError(Type.UNAUTHORISED, () -> hallpass.getSession("", null, false));
  }

  @Test
  void getSession_withAlgNone_isUnauthorised() throws Exception {
    Session s = login("alice");
    Map<String, Object> header = part(s.getAccessToken(), 0);
    header.put("alg", "none");
    String payload = s.getAccessToken().split("\\.")[1];

    String unsigned = b64(JSON.writeValueAsString(header)) + "." + payload + ".";
    assertError(Type.UNAUTHORISED, () -> hallpass.getSession(unsigned, null, false));
    String withOldSig =
        b64(JSON.writeValueAsString(header))
            + "."
            + payload
            + "."
            + s.getAccessToken().split("\\.")[2];
    assertError(Type.UNAUTHORISED, () -> hallpass.getSession(withOldSig, null, false));
  }

  @Test
  void getSession_withHs256SignedByPublicKey_isUnauthorised() throws Exception {
    Session s = login("alice");
    Map<String, Object> header = part(s.getAccessToken(), 0);
    header.put("alg", "HS256");
    @SuppressWarnings("unchecked")
    Map<String, Object> jwk =
        ((List<Map<String, Object>>)
                JSON.readValue(hallpass.getJwks().toJson(), Map.class).get("keys"))
            .get(0);
    String input = b64(JSON.writeValueAsString(header)) + "." + s.getAccessToken().split("\\.")[1];
    for (String secret : new String[] {hallpass.getJwks().toJson(), (String) jwk.get("n")}) {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      String forged =
          input
              + "."
              + Base64.getUrlEncoder()
                  .withoutPadding()
                  .encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
      assertError(Type.UNAUTHORISED, () -> hallpass.getSession(forged, null, false));
    }
  }

  @Test
  void getSession_withTokenFromForeignKey_isUnauthorised() {
    Hallpass stranger = engine(SessionStores.inMemory(), b -> {});
    Session foreign = stranger.createNewSession("alice", null, null);

    assertError(
        Type.UNAUTHORISED, () -> hallpass.getSession(foreign.getAccessToken(), null, false));
  }

  // ---------------------------------------------------------------- blacklisting

  @Test
  void blacklistingOff_revokedSessionsAccessTokenWorksUntilExpiry() {
    Session s = login("alice");
    hallpass.revokeSession(s.getHandle());

    assertThat(verify(s).getUserId()).isEqualTo("alice");
  }

  @Test
  void blacklistingOn_revokedSessionsAccessTokenFailsAtOnce() {
    Hallpass strict = engine(store, b -> b.accessTokenBlacklisting(true));
    Session s = strict.createNewSession("alice", null, null);
    String csrf = s.getTokens().getAntiCsrfToken();
    assertThat(strict.getSession(s.getAccessToken(), csrf, true).getUserId()).isEqualTo("alice");
    int before = store.calls();

    strict.revokeSession(s.getHandle());

    assertError(Type.UNAUTHORISED, () -> strict.getSession(s.getAccessToken(), csrf, true));
    assertThat(store.calls() - before).as("revoke + one existence check").isEqualTo(2);
  }

  // ---------------------------------------------------------------- session data and payload

  @Test
  void sessionData_readAndUpdate_makeExactlyOneStoreCallEach() {
    Session s = verify(login("alice"));
    int before = store.calls();

    assertThat(s.getSessionData()).isEqualTo(Map.of("cart", 3));
    assertThat(store.calls() - before).isEqualTo(1);
    s.updateSessionData(Map.of("cart", 4, "note", "gift"));
    assertThat(store.calls() - before).isEqualTo(2);

    assertThat(hallpass.getSessionData(s.getHandle())).isEqualTo(Map.of("cart", 4, "note", "gift"));
  }

  @Test
  void sessionData_keepsNestedJsonTypes() {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("list", List.of(1, "two", true));
    data.put("nested", Map.of("deep", Map.of("x", 1.5)));
    data.put("nothing", null);
    data.put("unicode", "naïve ☃ 𝄞 \"quoted\" 'single' \\ back");
    Session s = hallpass.createNewSession("alice", null, data);

    assertThat(hallpass.getSessionData(s.getHandle())).isEqualTo(data);
  }

  @Test
  void sessionUpdateJWTPayload_issuesNewAccessTokenWithSameExpiry_andStoresPayload() {
    Session s = login("alice");
    clock.advance(Duration.ofMinutes(10));

    s.updateJWTPayload(Map.of("role", "admin"));

    Session v = verify(s);
    assertThat(v.getJWTPayload()).isEqualTo(Map.of("role", "admin"));
    assertThat(v.getAccessTokenExpiry()).isEqualTo(START.plus(ACCESS));
    assertThat(hallpass.getJWTPayload(s.getHandle())).isEqualTo(Map.of("role", "admin"));
    assertThat(verify(refresh(s)).getJWTPayload()).isEqualTo(Map.of("role", "admin"));
  }

  @Test
  void updateJWTPayloadByHandle_appliesFromNextRefresh() {
    Session s = login("alice");

    hallpass.updateJWTPayload(s.getHandle(), Map.of("plan", "pro"));

    assertThat(verify(s).getJWTPayload()).isEqualTo(Map.of("role", "reader"));
    assertThat(verify(refresh(s)).getJWTPayload()).isEqualTo(Map.of("plan", "pro"));
  }

  @Test
  void getSessionCheckingDatabase_reissuesTokenWithStoredPayload_andSeesRevocation() {
    Session s = login("alice");
    String csrf = s.getTokens().getAntiCsrfToken();
    Session unchanged = hallpass.getSession(s.getAccessToken(), csrf, true, true);
    assertThat(unchanged.getAccessToken()).isEqualTo(s.getAccessToken());

    hallpass.updateJWTPayload(s.getHandle(), Map.of("plan", "pro"));
    Session checked = hallpass.getSession(s.getAccessToken(), csrf, true, true);

    assertThat(checked.getAccessToken()).isNotEqualTo(s.getAccessToken());
    assertThat(checked.getJWTPayload()).isEqualTo(Map.of("plan", "pro"));
    assertThat(checked.getAccessTokenExpiry()).isEqualTo(s.getAccessTokenExpiry());
    assertThat(hallpass.getSession(checked.getAccessToken(), csrf, true).getJWTPayload())
        .isEqualTo(Map.of("plan", "pro"));
    hallpass.revokeSession(s.getHandle());
    assertError(Type.UNAUTHORISED, () -> hallpass.getSession(s.getAccessToken(), csrf, true, true));
    assertThat(hallpass.getSession(s.getAccessToken(), csrf, true, false).getUserId())
        .isEqualTo("alice");
  }

  @Test
  void reservedClaimNames_areRejected_andNothingIsStored() {
    for (String reserved :
        List.of(
            "sub",
            "exp",
            "iat",
            "sessionHandle",
            "refreshTokenHash1",
            "parentRefreshTokenHash1",
            "antiCsrfToken",
            "tId",
            "rsub")) {
      assertThatThrownBy(() -> hallpass.createNewSession("alice", Map.of(reserved, "x"), null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(reserved);
    }
    assertThat(hallpass.getAllSessionHandlesForUser("alice")).isEmpty();
    Session s = login("alice");
    assertThatThrownBy(() -> s.updateJWTPayload(Map.of("sub", "mallory")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(hallpass.createNewSession("bob", Map.of("iss", "https://api"), null).getJWTPayload())
        .containsEntry("iss", "https://api");
  }

  @Test
  void nonSerializableValues_areRejected_andNothingIsStored() {
    assertThatThrownBy(() -> hallpass.createNewSession("alice", null, Map.of("x", new Object())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sessionData");
    assertThat(hallpass.getAllSessionHandlesForUser("alice")).isEmpty();
  }

  @Test
  void sessionInformation_reportsUserTimesDataAndPayload() {
    Session s = login("alice");

    SessionInformation info = hallpass.getSessionInformation(s.getHandle());

    assertThat(info.getUserId()).isEqualTo("alice");
    assertThat(info.getHandle()).isEqualTo(s.getHandle());
    assertThat(info.getCreatedAt()).isEqualTo(START);
    assertThat(info.getExpiresAt()).isEqualTo(START.plus(REFRESH));
    assertThat(info.getSessionData()).isEqualTo(Map.of("cart", 3));
    assertThat(info.getJWTPayload()).isEqualTo(Map.of("role", "reader"));
    assertThat(info.toString()).doesNotContain("cart").doesNotContain("reader");
  }

  // ---------------------------------------------------------------- users and bulk revocation

  @Test
  void userIdsWithQuotesUnicodeSqlAndMaxLength_areStoredAndFoundIntact() {
    List<String> ids =
        List.of(
            "o'brien \"the\" `great`",
            "Ünïcødé ☃ 𝄞 用户",
            "'; DROP TABLE hallpass_sessions; --",
            "%_\\",
            "Alice",
            "alice",
            "z".repeat(512),
            "x".repeat(510) + "𝄞");
    Map<String, String> handles = new LinkedHashMap<>();
    for (String id : ids) {
      handles.put(id, hallpass.createNewSession(id, null, null).getHandle());
    }
    assertThat(handles).hasSize(ids.size());
    for (Map.Entry<String, String> e : handles.entrySet()) {
      assertThat(hallpass.getAllSessionHandlesForUser(e.getKey())).containsExactly(e.getValue());
      assertThat(hallpass.getSessionInformation(e.getValue()).getUserId()).isEqualTo(e.getKey());
    }
    assertThatThrownBy(() -> hallpass.createNewSession("z".repeat(513), null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("512");
    assertThatThrownBy(() -> hallpass.createNewSession("a\u0000b", null, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> hallpass.createNewSession("x" + "𝄞".charAt(0), null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("surrogate");
  }

  @Test
  void revokeAllSessionsForUser_removesOnlyThatUsersSessions() {
    Session a1 = login("alice");
    Session a2 = login("alice");
    Session b = login("bob");

    assertThat(hallpass.getAllSessionHandlesForUser("alice"))
        .containsExactlyInAnyOrder(a1.getHandle(), a2.getHandle());
    assertThat(hallpass.revokeAllSessionsForUser("alice"))
        .containsExactlyInAnyOrder(a1.getHandle(), a2.getHandle());

    assertThat(hallpass.getAllSessionHandlesForUser("alice")).isEmpty();
    assertThat(hallpass.getAllSessionHandlesForUser("bob")).containsExactly(b.getHandle());
  }

  @Test
  void revokeMultipleSessions_returnsThoseThatExisted() {
    Session a = login("alice");
    Session b = login("bob");
    Session c = login("carol");

    assertThat(hallpass.revokeMultipleSessions(List.of(a.getHandle(), b.getHandle(), "nope")))
        .containsExactlyInAnyOrder(a.getHandle(), b.getHandle());
    assertThat(hallpass.getAllSessionHandlesForUser("carol")).containsExactly(c.getHandle());
  }

  @Test
  void cleanUp_deletesExpiredSessionsOnly_boundedPerRun() {
    Hallpass small = engine(store, b -> b.cleanupBatchSize(2));
    for (int i = 0; i < 3; i++) {
      small.createNewSession("old" + i, null, null);
    }
    clock.advance(REFRESH.minusDays(1));
    Session fresh = small.createNewSession("new", null, null);
    clock.advance(Duration.ofDays(2));

    assertThat(small.cleanUp()).isEqualTo(2);
    assertThat(small.cleanUp()).isEqualTo(1);
    assertThat(small.cleanUp()).isZero();
    assertThat(small.getSessionInformation(fresh.getHandle()).getUserId()).isEqualTo("new");
  }

  // ---------------------------------------------------------------- signing keys

  @Test
  void keyRotation_newKeyPublishedBeforeUse_andOldTokensVerifyUntilExpiry() throws Exception {
    clock.advance(ROTATION.minus(Duration.ofMinutes(30)));
    Session old = login("alice");
    String oldKid = (String) part(old.getAccessToken(), 0).get("kid");
    List<String> published = hallpass.getJwks().getKeyIds();
    assertThat(published).hasSize(2);

    clock.advance(Duration.ofMinutes(31));
    Session fresh = login("bob");
    String newKid = (String) part(fresh.getAccessToken(), 0).get("kid");

    assertThat(newKid).isNotEqualTo(oldKid);
    assertThat(published).as("published before first use").contains(newKid);
    assertThat(verify(old).getUserId()).isEqualTo("alice");
    assertThat(hallpass.getJwks().getKeyIds()).contains(oldKid, newKid);
    clock.advance(ACCESS);
    assertError(Type.TRY_REFRESH_TOKEN, () -> verify(old));
    hallpass.cleanUp();
    assertThat(hallpass.getJwks().getKeyIds()).doesNotContain(oldKid).contains(newKid);
  }

  @Test
  void createJWT_isSignedByPublishedKey_butIsNoSession() throws Exception {
    String jwt =
        hallpass.createJWT(Map.of("iss", "https://api", "scope", "read"), Duration.ofMinutes(5));

    assertThat(hallpass.getJwks().getKeyIds()).contains((String) part(jwt, 0).get("kid"));
    assertThat(part(jwt, 1))
        .containsEntry("iss", "https://api")
        .containsEntry("scope", "read")
        .containsEntry("exp", (int) START.plusSeconds(300).getEpochSecond());
    assertError(Type.UNAUTHORISED, () -> hallpass.getSession(jwt, null, false));
  }

  @Test
  void jwks_isRfc7517WithPublicPartsOnly() throws Exception {
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> keys =
        (List<Map<String, Object>>)
            JSON.readValue(hallpass.getJwks().toJson(), Map.class).get("keys");

    assertThat(keys)
        .hasSize(2)
        .allSatisfy(
            k -> {
              assertThat(k)
                  .containsEntry("kty", "RSA")
                  .containsEntry("alg", "RS256")
                  .containsEntry("use", "sig")
                  .containsEntry("e", "AQAB")
                  .containsKeys("kid", "n")
                  .doesNotContainKeys("d", "p", "q");
              assertThat(Base64.getUrlDecoder().decode((String) k.get("n"))).hasSize(256);
            });
    assertThat(hallpass.getJwks().getCacheUntil()).isEqualTo(START.plus(ROTATION));
  }
}
