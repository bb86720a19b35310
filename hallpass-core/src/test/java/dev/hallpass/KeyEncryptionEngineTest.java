package dev.hallpass;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallpass.HallpassException.Type;
import dev.hallpass.spi.SessionRecord;
import dev.hallpass.spi.SessionStore;
import dev.hallpass.spi.SigningKeyRecord;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The engine with key encryption on the in-memory store: sessions work, stored keys are wrapped,
 * rotation from one KEK to the next re-wraps, migration from plaintext, and the refusals (off with
 * wrapped values, unknown KEK, a value moved to another row). The raw-row checks on every real
 * store are in hallpass-jdbc's {@code *KeyEncryptionAtRestTest}.
 */
class KeyEncryptionEngineTest {
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration ACCESS = Duration.ofHours(1);
  private static final Duration REFRESH = Duration.ofDays(100);
  private static final Duration ROTATION = Duration.ofDays(7);
  private static final KeyEncryptionKey KEK1 = KeyWrappingTest.newKek();
  private static final KeyEncryptionKey KEK2 = KeyWrappingTest.newKek();

  private TestClock clock;
  private SessionStore store;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeEach
  void newStore() {
    clock = new TestClock(START);
    store = SessionStores.inMemory(clock);
  }

  @AfterEach
  void closeEngines() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    toClose.clear();
  }

  private Hallpass engine(SessionStore s, Consumer<Hallpass.Builder> settings) {
    Hallpass.Builder b =
        Hallpass.builder()
            .store(s)
            .clock(clock)
            .accessTokenValidity(ACCESS)
            .refreshTokenValidity(REFRESH)
            .antiCsrf(true)
            .signingKeyRotationInterval(ROTATION)
            .verifiedTokenCacheSize(0)
            .disableBackgroundCleanup();
    settings.accept(b);
    Hallpass h = b.build();
    toClose.add(h);
    return h;
  }

  private Hallpass engine(KeyEncryptionKey primary, KeyEncryptionKey... older) {
    return engine(store, b -> b.keyEncryption(primary, older));
  }

  private static Session login(Hallpass h, String userId) {
    return h.createNewSession(userId, Map.of("role", "reader"), Map.of("cart", 3));
  }

  private static Session refresh(Hallpass h, Session s) {
    return h.refreshSession(s.getTokens().getRefreshToken(), s.getTokens().getAntiCsrfToken());
  }

  private static Session verify(Hallpass h, Session s) {
    return h.getSession(s.getAccessToken(), s.getTokens().getAntiCsrfToken(), true);
  }

  private String storedRefreshKey(Session s) {
    return store.findSession(s.getHandle()).orElseThrow().refreshKey();
  }

  private List<String> storedKekIdsOfSigningKeys() {
    List<String> ids = new ArrayList<>();
    for (SigningKeyRecord r : store.loadSigningKeys()) {
      ids.add(KeyWrapping.kekId(r.privateKeyPkcs8()));
    }
    return ids;
  }

  private static void assertError(Type type, String message, ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            HallpassException.class,
            e -> {
              assertThat(e.getType()).as(e.getMessage()).isEqualTo(type);
              assertThat(e.getMessage()).contains(message);
            });
  }

  // ---------------------------------------------------------------- on

  @Test
  void sessions_createVerifyRefreshAndRevoke_withEncryptionOn() {
    Hallpass h = engine(KEK1);
    Session first = login(h, "alice");
    assertThat(verify(h, first).getUserId()).isEqualTo("alice");
    clock.advance(Duration.ofMinutes(5));
    Session second = refresh(h, first);
    assertThat(verify(h, second).getJWTPayload()).isEqualTo(Map.of("role", "reader"));
    clock.advance(Duration.ofMinutes(5));
    Session third = refresh(h, second);
    assertThat(verify(h, third).getHandle()).isEqualTo(first.getHandle());
    assertThat(h.getSessionData(first.getHandle())).isEqualTo(Map.of("cart", 3));
    assertError(Type.TOKEN_THEFT_DETECTED, "reuse", () -> refresh(h, first)); // rules are unchanged
    assertThat(h.revokeSession(first.getHandle())).isFalse(); // theft revoked it already
  }

  @Test
  void storedKeys_areWrappedUnderThePrimaryKek_includingKeysOfLaterGenerations() {
    Hallpass h = engine(KEK1);
    Session s = login(h, "alice");
    assertThat(storedRefreshKey(s)).startsWith("hpkek1:" + KEK1.id() + ":");
    assertThat(storedKekIdsOfSigningKeys()).hasSize(2).containsOnly(KEK1.id());

    clock.advance(ROTATION.plusHours(1));
    h.cleanUp(); // creates the next generation
    assertThat(store.loadSigningKeys()).hasSizeGreaterThanOrEqualTo(3);
    assertThat(storedKekIdsOfSigningKeys()).containsOnly(KEK1.id());
    Session later = login(h, "bob");
    assertThat(verify(h, later).getUserId()).isEqualTo("bob");
  }

  // ---------------------------------------------------------------- rotation

  @Test
  void rotation_fromKek1ToKek2_rewrapsSigningKeysAtStart_andRefreshKeysAtTheirNextRefresh() {
    Hallpass old = engine(KEK1);
    Session refreshed = login(old, "alice");
    Session idle = login(old, "bob");
    clock.advance(Duration.ofMinutes(1));

    Hallpass rotated = engine(KEK2, KEK1);

    assertThat(storedKekIdsOfSigningKeys()).containsOnly(KEK2.id());
    assertThat(verify(rotated, refreshed).getUserId()).isEqualTo("alice"); // same signing keys
    assertThat(KeyWrapping.kekId(storedRefreshKey(refreshed))).isEqualTo(KEK1.id());
    Session next = refresh(rotated, refreshed);
    assertThat(KeyWrapping.kekId(storedRefreshKey(refreshed))).isEqualTo(KEK2.id());
    assertThat(KeyWrapping.kekId(storedRefreshKey(idle))).isEqualTo(KEK1.id());

    // KEK1 dropped: the refreshed session goes on; the idle one needed KEK1 still.
    Hallpass kek2Only = engine(KEK2);
    clock.advance(Duration.ofMinutes(1));
    assertThat(verify(kek2Only, refresh(kek2Only, next)).getUserId()).isEqualTo("alice");
    assertError(
        Type.GENERAL_ERROR,
        "encrypted under key-encryption key '" + KEK1.id() + "', which is not configured",
        () -> refresh(kek2Only, idle));
    assertThat(store.findSession(idle.getHandle())).isPresent(); // nothing written
  }

  @Test
  void rotation_aRefreshWithinTheGracePeriod_stillAnswersTheSameChild() {
    Hallpass old = engine(KEK1);
    Session s = login(old, "alice");
    Session child = refresh(old, s);
    Hallpass rotated = engine(KEK2, KEK1);
    clock.advance(Duration.ofSeconds(5));
    Session again = refresh(rotated, s); // the parent again, within the grace period
    assertThat(again.getTokens().getRefreshToken()).isEqualTo(child.getTokens().getRefreshToken());
    assertThat(KeyWrapping.kekId(storedRefreshKey(s))).isEqualTo(KEK2.id());
  }

  @Test
  void rotation_racingRefreshesOfOneSession_allGetTheSameChild_andTheKeyEndsUnderTheNewKek()
      throws Exception {
    Hallpass old = engine(KEK1);
    Session s = login(old, "alice");
    Hallpass rotated = engine(KEK2, KEK1);
    int racers = 8;
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(racers);
    Session child = null;
    try {
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      List<java.util.concurrent.Future<Session>> children = new ArrayList<>();
      for (int i = 0; i < racers; i++) {
        children.add(
            pool.submit(
                () -> {
                  go.await();
                  return refresh(rotated, s);
                }));
      }
      go.countDown();
      java.util.Set<String> distinct = new java.util.HashSet<>();
      for (java.util.concurrent.Future<Session> f : children) {
        child = f.get(30, java.util.concurrent.TimeUnit.SECONDS);
        distinct.add(child.getTokens().getRefreshToken());
      }
      assertThat(distinct).hasSize(1); // one lineage, as without encryption
    } finally {
      pool.shutdownNow();
    }
    assertThat(KeyWrapping.kekId(storedRefreshKey(s))).isEqualTo(KEK2.id());
    clock.advance(Duration.ofMinutes(1));
    Hallpass kek2Only = engine(KEK2); // KEK1 no longer needed by this session
    assertThat(verify(kek2Only, refresh(kek2Only, child)).getUserId()).isEqualTo("alice");
  }

  // ---------------------------------------------------------------- migration and refusals

  @Test
  void migration_plaintextStore_isAcceptedAndRewrappedWhenEncryptionIsTurnedOn() {
    Hallpass plain = engine(store, b -> {});
    Session s = login(plain, "alice");
    assertThat(storedRefreshKey(s)).doesNotContain(":");
    assertThat(storedKekIdsOfSigningKeys()).containsOnly((String) null);
    clock.advance(Duration.ofMinutes(1));

    Hallpass on = engine(KEK1);

    assertThat(storedKekIdsOfSigningKeys()).containsOnly(KEK1.id());
    assertThat(verify(on, s).getUserId()).isEqualTo("alice");
    assertThat(storedRefreshKey(s)).doesNotContain(":"); // until its next refresh
    Session next = refresh(on, s);
    assertThat(KeyWrapping.kekId(storedRefreshKey(s))).isEqualTo(KEK1.id());
    clock.advance(Duration.ofMinutes(1));
    assertThat(verify(on, refresh(on, next)).getUserId()).isEqualTo("alice");
  }

  @Test
  void encryptionOff_onAStoreWithWrappedSigningKeys_failsToStart_namingTheOption() {
    engine(KEK1);
    assertError(
        Type.GENERAL_ERROR,
        "but key encryption is off: configure Hallpass.builder().keyEncryption(...)",
        () -> engine(store, b -> {}));
  }

  @Test
  void encryptionOff_refreshOfASessionWithAWrappedKey_isGeneralError_andWritesNothing() {
    Hallpass on = engine(KEK1);
    Session s = login(on, "alice");
    store.deleteSigningKeysRetiredBefore(START.plus(Duration.ofDays(10_000)));
    Hallpass off = engine(store, b -> {});
    SessionRecord before = store.findSession(s.getHandle()).orElseThrow();

    assertError(
        Type.GENERAL_ERROR,
        "refresh key of session "
            + s.getHandle()
            + " is encrypted under key-encryption key '"
            + KEK1.id()
            + "' but key encryption is off",
        () -> refresh(off, s));
    assertThat(store.findSession(s.getHandle()).orElseThrow()).isEqualTo(before);
  }

  @Test
  void unknownKek_atStart_isGeneralErrorNamingTheStoredKeysId() {
    engine(KEK1);
    assertError(
        Type.GENERAL_ERROR,
        "encrypted under key-encryption key '" + KEK1.id() + "', which is not configured",
        () -> engine(KEK2));
  }

  @Test
  void refreshKeyCopiedToAnotherSession_isGeneralError_andTheOriginalStillRefreshes() {
    Hallpass h = engine(KEK1);
    Session alice = login(h, "alice");
    Session bob = login(h, "bob");
    assertThat(
            store.replaceRefreshKey(
                bob.getHandle(), storedRefreshKey(bob), storedRefreshKey(alice)))
        .isTrue();

    assertError(Type.GENERAL_ERROR, "copied from another row", () -> refresh(h, bob));
    assertThat(verify(h, refresh(h, alice)).getUserId()).isEqualTo("alice");
  }

  @Test
  void signingPrivateKeyCopiedToAnotherKeyRow_isRefusedAtLoad() {
    engine(KEK1);
    SigningKeyRecord a = store.loadSigningKeys().get(0);
    SigningKeyRecord b = store.loadSigningKeys().get(1);
    // b's (genuine) wrapped private key under a's kid: does not decrypt in a's row.
    assertThat(store.replaceSigningPrivateKey(a.kid(), a.privateKeyPkcs8(), b.privateKeyPkcs8()))
        .isTrue();
    assertError(
        Type.GENERAL_ERROR,
        "private key of signing key " + a.kid() + " does not decrypt",
        () -> engine(KEK1));
  }

  // ---------------------------------------------------------------- stores without re-wrapping

  @Test
  void storeWithoutRewrap_stillServesUnderRotation_andKeepsOldValues() {
    Hallpass old = engine(KEK1);
    Session s = login(old, "alice");
    SessionStore legacy = withoutRewrap(store);

    Hallpass rotated = engine(legacy, b -> b.keyEncryption(KEK2, KEK1));
    clock.advance(Duration.ofMinutes(1));
    Session next = refresh(rotated, s);

    assertThat(verify(rotated, next).getUserId()).isEqualTo("alice");
    assertThat(storedKekIdsOfSigningKeys()).containsOnly(KEK1.id());
    assertThat(KeyWrapping.kekId(storedRefreshKey(s))).isEqualTo(KEK1.id());
    assertThat(KeyWrapping.kekId(storedRefreshKey(login(rotated, "bob")))).isEqualTo(KEK2.id());
  }

  /** The store as one written before the re-wrap methods existed: it inherits their defaults. */
  private static SessionStore withoutRewrap(SessionStore delegate) {
    return (SessionStore)
        Proxy.newProxyInstance(
            SessionStore.class.getClassLoader(),
            new Class<?>[] {SessionStore.class},
            (proxy, method, args) -> {
              if (method.getName().startsWith("replace")) {
                throw new UnsupportedOperationException(method.getName());
              }
              try {
                return method.invoke(delegate, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  // ---------------------------------------------------------------- builder

  @Test
  void builder_keyEncryption_rejectsNullsAndTheSameKeyTwice() {
    Hallpass.Builder b = Hallpass.builder();
    assertThatThrownBy(() -> b.keyEncryption(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("keyEncryption");
    assertThatThrownBy(() -> b.keyEncryption(KEK1, (KeyEncryptionKey) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("keyEncryption");
    assertThatThrownBy(() -> b.keyEncryption(KEK1, KEK2, KEK1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keyEncryption")
        .hasMessageContaining(KEK1.id());
  }
}
