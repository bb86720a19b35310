package dev.hallpass;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallpass.spi.SessionRecord;
import dev.hallpass.spi.SessionStore;
import dev.hallpass.spi.SigningKeyRecord;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Engine behaviour that needs package access: token shapes, the cache, key retirement. */
class EngineInternalsTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private final SessionStore store = SessionStores.inMemory();
  private final Engine engine =
      (Engine)
          Hallpass.builder()
              .store(store)
              .clock(Clock.fixed(NOW, ZoneOffset.UTC))
              .disableBackgroundCleanup()
              .build();

  @AfterEach
  void close() {
    engine.close();
  }

  private static void assertUnauthorised(Runnable r) {
    assertThatThrownBy(r::run)
        .isInstanceOfSatisfying(
            HallpassException.class,
            e -> assertThat(e.getType()).isEqualTo(HallpassException.Type.UNAUTHORISED));
  }

  private Map<String, Object> validClaims() {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("sub", "alice");
    c.put("exp", NOW.getEpochSecond() + 60);
    c.put("iat", NOW.getEpochSecond());
    c.put("sessionHandle", "h");
    c.put("refreshTokenHash1", "0".repeat(64));
    c.put("tId", "public");
    return c;
  }

  @Test
  void signingOverlap_isUsedForRs256Only() {
    try (Engine hs =
        (Engine)
            Hallpass.builder()
                .store(SessionStores.inMemory())
                .accessTokenSigning(AccessTokenSigning.HS256)
                .disableBackgroundCleanup()
                .build()) {
      assertThat(hs.overlapsSigning()).isFalse();
      Session s = hs.createNewSession("alice", null, null);
      assertThat(hs.refreshSession(s.getTokens().getRefreshToken(), null).getUserId())
          .isEqualTo("alice");
    }
    assertThat(engine.overlapsSigning()).isTrue();
  }

  @Test
  void create_withRs256_startsSigningBeforeTheStoreInserts_andHandsOutNothingWhenItFails() {
    SessionStore memory = SessionStores.inMemory();
    java.util.concurrent.atomic.AtomicReference<Engine> built =
        new java.util.concurrent.atomic.AtomicReference<>();
    java.util.List<Long> begunAtInsert = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicBoolean failInserts =
        new java.util.concurrent.atomic.AtomicBoolean();
    SessionStore watched =
        (SessionStore)
            java.lang.reflect.Proxy.newProxyInstance(
                SessionStore.class.getClassLoader(),
                new Class<?>[] {SessionStore.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("insertSession")) {
                    begunAtInsert.add(built.get().signaturesBegun());
                    if (failInserts.get()) {
                      throw HallpassException.generalError("insert failed", null);
                    }
                  }
                  try {
                    return method.invoke(memory, args);
                  } catch (java.lang.reflect.InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    try (Engine rs =
        (Engine) Hallpass.builder().store(watched).disableBackgroundCleanup().build()) {
      built.set(rs);

      Session s = rs.createNewSession("alice", null, null);

      assertThat(begunAtInsert).containsExactly(1L); // signing was under way during the insert
      assertThat(rs.getSession(s.getAccessToken(), null, false).getUserId()).isEqualTo("alice");
      failInserts.set(true);
      assertThatThrownBy(() -> rs.createNewSession("bob", null, null))
          .isInstanceOfSatisfying(
              HallpassException.class,
              e -> assertThat(e.getType()).isEqualTo(HallpassException.Type.GENERAL_ERROR));
      assertThat(rs.getAllSessionHandlesForUser("bob")).isEmpty();
    }
  }

  @Test
  void verify_genuinelySignedTokenWithValidShape_isAccepted() {
    String jwt = engine.tokens.signJwt(validClaims());

    assertThat(engine.getSession(jwt, null, false).getUserId()).isEqualTo("alice");
  }

  @Test
  void verify_genuinelySignedTokenWithWrongClaimTypes_isUnauthorised() {
    for (String claim : new String[] {"sub", "exp", "sessionHandle", "refreshTokenHash1", "tId"}) {
      Map<String, Object> c = validClaims();
      c.put(claim, claim.equals("exp") ? "tomorrow" : 42);
      String jwt = engine.tokens.signJwt(c);
      assertUnauthorised(() -> engine.getSession(jwt, null, false));
      c.remove(claim);
      String missing = engine.tokens.signJwt(c);
      assertUnauthorised(() -> engine.getSession(missing, null, false));
    }
  }

  @Test
  void cachedToken_signedByKeyDeletedFromStore_isRejectedAfterNextSweep() {
    Session s = engine.createNewSession("alice", null, null);
    engine.getSession(s.getAccessToken(), null, false); // now cached
    String kid = engine.getJwks().getKeyIds().get(0);
    // An operator deletes the leaked key's row (all keys that sign up to far in the future).
    store.deleteSigningKeysRetiredBefore(NOW.plusSeconds(365L * 24 * 3600));
    assertThat(store.loadSigningKeys()).extracting(SigningKeyRecord::kid).doesNotContain(kid);

    engine.cleanUp();

    assertUnauthorised(() -> engine.getSession(s.getAccessToken(), null, false));
    Session fresh = engine.createNewSession("bob", null, null);
    assertThat(engine.getSession(fresh.getAccessToken(), null, false).getUserId()).isEqualTo("bob");
  }

  @Test
  void tokenCache_replacesOnCollision_andRemoveOnlyRemovesSameToken() {
    TokenCache cache = new TokenCache(3);
    Session s = engine.createNewSession("alice", null, null);
    AccessTokens.Verified v = engine.tokens.verify(s.getAccessToken());
    cache.put(v);

    assertThat(cache.get(s.getAccessToken())).isSameAs(v);
    assertThat(cache.get(s.getAccessToken() + "x")).isNull();
    cache.remove("other");
    assertThat(cache.get(s.getAccessToken())).isSameAs(v);
    cache.remove(s.getAccessToken());
    assertThat(cache.get(s.getAccessToken())).isNull();
  }

  @Test
  void refreshToken_parse_rejectsWrongVersionLengthAndAlphabet() {
    byte[] handle = new byte[16];
    handle[0] = 0x6f;
    String good = RefreshTokens.encode(new byte[32], handle, new byte[32]);
    byte[] raw = Crypto.B64URL_DECODER.decode(good);
    raw[0] = 2;

    assertThat(RefreshTokens.parse(good).handle).isEqualTo("6f000000-0000-0000-0000-000000000000");
    assertThat(RefreshTokens.parse(Crypto.B64URL.encodeToString(raw))).isNull();
    assertThat(RefreshTokens.parse(good.substring(1))).isNull();
    assertThat(RefreshTokens.parse(good.replace(good.charAt(3), '+'))).isNull();
    assertThat(RefreshTokens.parse(good).toString()).doesNotContain(good);
  }

  @Test
  void records_toString_redactSecretsAndData() {
    SessionRecord r =
        new SessionRecord(
            "h",
            "public",
            "alice",
            "{\"card\":\"4111\"}",
            "{\"role\":\"x\"}",
            NOW,
            NOW,
            "KEY-SECRET",
            "HASH1",
            "HASH0",
            NOW,
            0,
            false);
    SigningKeyRecord k = new SigningKeyRecord("d-1", 0, "PRIVATE-SECRET", "PUB", NOW, NOW, NOW);

    assertThat(r.toString()).doesNotContain("4111", "KEY-SECRET", "HASH1", "role");
    assertThat(k.toString()).doesNotContain("PRIVATE-SECRET");
  }
}
