package dev.hallpass.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.hallpass.HallpassException;
import dev.hallpass.spi.RefreshWrite;
import dev.hallpass.spi.SessionRecord;
import dev.hallpass.spi.SessionStore;
import dev.hallpass.spi.SessionStore.RefreshRule;
import dev.hallpass.spi.SigningKeyRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The store compatibility kit: every rule of the {@link SessionStore} SPI, tested by calling the
 * store directly (no engine). A store's test class extends this and says how to make an empty store
 * whose refresh clock is a given {@link Clock}:
 *
 * <pre>{@code
 * class MyStoreCompatibilityTest extends SessionStoreCompatibilityKit {
 *   @Override
 *   protected SessionStore newStore(Clock storeClock) {
 *     return MyStores.builder().clock(storeClock).build(); // empty, or emptied here
 *   }
 * }
 * }</pre>
 *
 * <p>The clock given to {@link #newStore(Clock)} is a {@link MutableClock}, {@link #storeClock};
 * the store must pass its time (to the millisecond) to every {@link RefreshRule} it calls. Every
 * other method takes its time as an argument, so the tests move time by passing it. The kit closes
 * every store it made after each test. It generates no RSA keys (a {@link SigningKeyRecord}'s keys
 * are plain strings to a store), so it runs in seconds.
 *
 * <p>Stores that several processes share can also implement {@link #newStoreOnSameStorage(Clock)};
 * the races of this kit then run across stores, as between processes.
 */
public abstract class SessionStoreCompatibilityKit {

  /**
   * Where {@link #storeClock} starts: far from the real time, and with a sub-millisecond part the
   * store must drop.
   */
  protected static final Instant START = Instant.parse("2031-05-17T08:30:00.123456789Z");

  /** {@link #START} to the millisecond: the time of the fixtures. */
  protected static final Instant NOW = START.truncatedTo(ChronoUnit.MILLIS);

  /** The clock of {@link #store}, standing at {@link #START} when a test begins. */
  protected MutableClock storeClock;

  /** The store under test: empty when a test begins. */
  protected SessionStore store;

  private final List<SessionStore> opened = Collections.synchronizedList(new ArrayList<>());

  /**
   * A new, empty store whose refresh clock is {@code storeClock}: {@link
   * SessionStore#lockAndDecide} passes that clock's time to its rule (truncated to the
   * millisecond). The kit closes it.
   *
   * @param storeClock the clock the store reads in {@code lockAndDecide}
   * @return an empty store
   */
  protected abstract SessionStore newStore(Clock storeClock);

  /**
   * Another store on the same storage as the last {@link #newStore(Clock)}, with its own resources
   * (as another process would have), or null when the store cannot be shared between processes (the
   * default). The kit closes it.
   *
   * @param storeClock the clock the new store reads in {@code lockAndDecide}
   * @return a second store on the same data, or null
   */
  protected SessionStore newStoreOnSameStorage(Clock storeClock) {
    return null;
  }

  @BeforeEach
  final void openEmptyStore() {
    storeClock = new MutableClock(START);
    store = track(newStore(storeClock));
  }

  @AfterEach
  final void closeStores() {
    synchronized (opened) {
      for (int i = opened.size() - 1; i >= 0; i--) {
        opened.get(i).close();
      }
      opened.clear();
    }
  }

  private SessionStore track(SessionStore s) {
    assertThat(s).as("the store made by the test class").isNotNull();
    opened.add(s);
    return s;
  }

  /** {@code n} stores on the kit's storage: {@link #store}, then others where there can be. */
  private List<SessionStore> stores(int n) {
    List<SessionStore> out = new ArrayList<>();
    out.add(store);
    for (int i = 1; i < n; i++) {
      SessionStore other = newStoreOnSameStorage(storeClock);
      out.add(other == null ? store : track(other));
    }
    return out;
  }

  // ---------------------------------------------------------------- fixtures

  /** A SHA-256-hex-shaped hash standing for refresh token number {@code n}. */
  protected static String hash(int n) {
    return String.format("%064x", n);
  }

  /** A new (never refreshed) session created a minute before {@link #NOW}. */
  protected static SessionRecord session(String handle, String userId, Instant expiresAt) {
    return session(handle, userId, NOW.minusSeconds(60), expiresAt);
  }

  /** A new (never refreshed) session. */
  protected static SessionRecord session(
      String handle, String userId, Instant createdAt, Instant expiresAt) {
    return SessionRecord.created(
        handle,
        "public",
        userId,
        "{\"cart\":3}",
        "{\"role\":\"reader\"}",
        createdAt,
        expiresAt,
        "rk-" + handle,
        hash(0));
  }

  /** A signing key of {@code generation}; its "keys" are plain strings. */
  protected static SigningKeyRecord key(String kid, long generation) {
    return new SigningKeyRecord(
        kid,
        generation,
        "private-" + kid,
        "public-" + kid,
        NOW.plusMillis(generation),
        NOW.plusSeconds(generation * 100),
        NOW.plusSeconds(generation * 100 + 100));
  }

  /**
   * The decision type of the kit's rules: a label (what the rule saw) and the write.
   *
   * @param label what the rule wants the test to know
   * @param write what the store must write
   */
  protected record Decision(String label, RefreshWrite write)
      implements SessionStore.RefreshDecision {}

  /** A rule that writes nothing and reports the time it was given. */
  private static RefreshRule<Decision> keepReportingTime(AtomicReference<Instant> now) {
    return (session, time) -> {
      now.set(time);
      return new Decision(
          session == null ? "none" : session.currentRefreshHash(), RefreshWrite.KEEP);
    };
  }

  /** A rule rotating to token {@code n}, child of the current one. */
  private static RefreshRule<Decision> rotateTo(int n, Instant expiresAt) {
    return (session, now) ->
        new Decision(
            "rotated",
            new RefreshWrite.Rotate(
                hash(n),
                session == null ? hash(0) : session.currentRefreshHash(),
                0,
                now,
                expiresAt));
  }

  private SessionRecord stored(String handle) {
    return store.findSession(handle).orElseThrow(() -> new AssertionError("no session " + handle));
  }

  /**
   * Asserts that no secret appears in {@code t}'s message or string form, nor in those of its
   * causes and suppressed exceptions.
   */
  protected static void assertNoSecretIn(Throwable t, String... secrets) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    List<Throwable> todo = new ArrayList<>(List.of(t));
    while (!todo.isEmpty()) {
      Throwable x = todo.remove(todo.size() - 1);
      if (x == null || !seen.add(x)) {
        continue;
      }
      for (String secret : secrets) {
        assertThat(String.valueOf(x.getMessage()))
            .as("message of %s", x.getClass().getName())
            .doesNotContain(secret);
        assertThat(x.toString()).as("%s", x.getClass().getName()).doesNotContain(secret);
      }
      todo.add(x.getCause());
      todo.addAll(Arrays.asList(x.getSuppressed()));
    }
  }

  private static HallpassException generalError(ThrowingCallable call) {
    HallpassException e = catchThrowableOfType(HallpassException.class, call);
    assertThat(e).as("a HallpassException").isNotNull();
    assertThat(e.getType()).isEqualTo(HallpassException.Type.GENERAL_ERROR);
    return e;
  }

  /** Runs the tasks at once (from a common start line) and returns their results, in order. */
  private static <T> List<T> race(List<Callable<T>> tasks) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
    try {
      CyclicBarrier start = new CyclicBarrier(tasks.size());
      List<Future<T>> futures = new ArrayList<>();
      for (Callable<T> task : tasks) {
        futures.add(
            pool.submit(
                () -> {
                  start.await(30, TimeUnit.SECONDS);
                  return task.call();
                }));
      }
      List<T> results = new ArrayList<>();
      for (Future<T> f : futures) {
        results.add(f.get(60, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  // ---------------------------------------------------------------- insert and find

  @Test
  public void insertSession_thenFindSession_returnsEveryFieldExactly_toTheMillisecond() {
    SessionRecord created =
        SessionRecord.created(
            "h-created",
            "public",
            "alice",
            "{\"a\":1}",
            "{\"r\":\"x\"}",
            NOW.minusMillis(1),
            NOW.plusSeconds(600).plusMillis(1),
            "rk-Created_Key-0",
            hash(1));
    SessionRecord refreshed =
        new SessionRecord(
            "h-refreshed",
            "tenant-2",
            "bob",
            "{\"b\":[1,2]}",
            "{}",
            NOW.minusSeconds(3600).plusMillis(7),
            NOW.plusSeconds(86_400).plusMillis(999),
            "rk-refreshed",
            hash(3),
            hash(2),
            NOW.minusMillis(5),
            4,
            false);

    store.insertSession(created);
    store.insertSession(refreshed);

    assertThat(store.findSession("h-created")).contains(created);
    assertThat(store.findSession("h-refreshed")).contains(refreshed);
    SessionRecord back = stored("h-created");
    assertThat(back.parentRefreshHash()).isNull();
    assertThat(back.issuedAt()).isNull();
    assertThat(back.childIndex()).isZero();
    assertThat(back.confirmed()).isTrue();
  }

  @Test
  public void unknownHandle_isNotFound_notLive_andNothingChanges() {
    store.insertSession(session("h", "alice", NOW.plusSeconds(600)));

    assertThat(store.findSession("nope")).isEmpty();
    assertThat(store.isSessionLive("nope", "alice", NOW)).isFalse();
    assertThat(store.findSessionData("nope", NOW)).isEmpty();
    assertThat(store.updateSessionData("nope", "{}", NOW)).isFalse();
    assertThat(store.updateJwtPayload("nope", "{}", NOW)).isFalse();
    assertThat(store.confirmRefreshToken("nope", hash(0), NOW)).isFalse();
    assertThat(store.deleteSession("nope")).isFalse();
    assertThat(store.findSession("nope")).isEmpty();
    assertThat(store.findSession("h")).contains(session("h", "alice", NOW.plusSeconds(600)));
  }

  @Test
  public void insertSession_duplicateHandle_isGeneralError_withoutSecrets_andKeepsTheStoredOne() {
    SessionRecord original = session("dup", "alice", NOW.plusSeconds(600));
    store.insertSession(original);
    SessionRecord intruder =
        new SessionRecord(
            "dup",
            "public",
            "bob",
            "{\"secret-data\":1}",
            "{\"secret-claim\":2}",
            NOW,
            NOW.plusSeconds(9),
            "secret-refresh-key",
            hash(77),
            hash(76),
            NOW,
            1,
            false);

    HallpassException e = generalError(() -> store.insertSession(intruder));

    assertNoSecretIn(e, "secret", hash(77), hash(76));
    assertThat(store.findSession("dup")).contains(original);
  }

  @Test
  public void strings_areStoredAndComparedExactly() {
    List<String> ids =
        List.of(
            "alice",
            "Alice",
            "ALICE",
            "alice ",
            " alice",
            "alice\t",
            "o'brien \"x\" `y`",
            "'; DROP TABLE hallpass_sessions; --",
            "Robert'); DELETE FROM hallpass_signing_keys;--",
            "%",
            "_",
            "a%",
            "\\",
            "\\'",
            "Ünïcødé ☃ 𝄞 用户 😀",
            "z".repeat(512),
            "𝄞".repeat(256) /* 512 UTF-16 units */,
            "x".repeat(510) + "😀",
            "e\u0301",
            "\u00e9",
            "ß",
            "ss",
            "ﬁ",
            "fi");
    Map<String, String> handleOf = new LinkedHashMap<>();
    int i = 0;
    for (String id : ids) {
      String handle = "u" + (i++);
      handleOf.put(id, handle);
      store.insertSession(session(handle, id, NOW.plusSeconds(600)));
    }
    List<String> tenants =
        List.of("public", "Public", "tenant ", "ténant-ü ☃", "t".repeat(128), "𝄞".repeat(64));
    for (String tenant : tenants) {
      store.insertSession(
          new SessionRecord(
              "t" + (i++),
              tenant,
              "tenant-user",
              "{}",
              "{}",
              NOW,
              NOW.plusSeconds(600),
              "rk",
              hash(1),
              null,
              null,
              0,
              true));
    }
    // Handles differing only in case or a trailing space are different sessions.
    for (String handle : List.of("hcase", "HCASE", "hcase ")) {
      store.insertSession(session(handle, "owner of " + handle, NOW.plusSeconds(600)));
    }
    String json = "{ \"z\" : 1 ,\n\t\"a\": \"'\\\"☃𝄞\\u0000\", \"n\": 1.0e0 }";
    store.insertSession(
        new SessionRecord(
            "json",
            "public",
            "json-user",
            json,
            json + " ",
            NOW,
            NOW.plusSeconds(600),
            "AbC-_0zZ",
            hash(2),
            null,
            null,
            0,
            true));

    for (Map.Entry<String, String> e : handleOf.entrySet()) {
      assertThat(store.findLiveHandlesOfUser(e.getKey(), NOW))
          .as("user id <%s>", e.getKey())
          .containsExactly(e.getValue());
      assertThat(stored(e.getValue()).userId()).isEqualTo(e.getKey());
    }
    assertThat(
            store.findLiveHandlesOfUser("tenant-user", NOW).stream().map(h -> stored(h).tenantId()))
        .containsExactlyInAnyOrderElementsOf(tenants);
    for (String handle : List.of("hcase", "HCASE", "hcase ")) {
      assertThat(stored(handle).userId()).isEqualTo("owner of " + handle);
    }
    SessionRecord j = stored("json");
    assertThat(j.sessionDataJson()).isEqualTo(json);
    assertThat(j.jwtPayloadJson()).isEqualTo(json + " ");
    assertThat(j.refreshKey()).isEqualTo("AbC-_0zZ");
    assertThat(store.findSessionData("json", NOW)).contains(json);

    assertThat(store.deleteSessionsOfUser("alice")).containsExactly(handleOf.get("alice"));
    assertThat(store.findLiveHandlesOfUser("Alice", NOW)).containsExactly(handleOf.get("Alice"));
    assertThat(store.findLiveHandlesOfUser("alice ", NOW)).containsExactly(handleOf.get("alice "));
    assertThat(store.deleteSession("HCASE")).isTrue();
    assertThat(store.findSession("hcase")).isPresent();
    assertThat(store.findSession("hcase ")).isPresent();
    assertThat(store.findLiveHandlesOfUser("%", NOW)).containsExactly(handleOf.get("%"));
    assertThat(store.findLiveHandlesOfUser("a_ice", NOW)).isEmpty();
  }

  @Test
  public void largeSessionDataAndPayload_roundTripExactly() {
    StringBuilder big = new StringBuilder("{\"blob\":\"");
    while (big.length() < 1_000_000) {
      big.append("naïve ☃ 𝄞 \\\"q\\\" 'single' ");
    }
    String data = big.append("\"}").toString();
    String payload = "{\"p\":\"" + "x".repeat(70_000) + "\"}";
    SessionRecord s =
        new SessionRecord(
            "big",
            "tenant-ü",
            "alice",
            data,
            payload,
            NOW,
            NOW.plusSeconds(600),
            "rk",
            hash(1),
            hash(0),
            NOW.minusMillis(1),
            2,
            false);
    store.insertSession(s);

    assertThat(store.findSession("big")).contains(s);
    assertThat(store.findSessionData("big", NOW)).contains(data);
    assertThat(store.updateSessionData("big", data + " ", NOW)).isTrue();
    assertThat(store.updateJwtPayload("big", payload + payload.length(), NOW)).isTrue();
    assertThat(store.findSessionData("big", NOW)).contains(data + " ");
    assertThat(stored("big").jwtPayloadJson()).isEqualTo(payload + payload.length());
  }

  // ---------------------------------------------------------------- liveness and updates

  @Test
  public void updateSessionDataAndPayload_changeOnlyTheirField_ofLiveSessions() {
    SessionRecord s =
        new SessionRecord(
            "h",
            "public",
            "alice",
            "{\"a\":1}",
            "{\"p\":1}",
            NOW,
            NOW.plusSeconds(600),
            "rk",
            hash(5),
            hash(4),
            NOW.minusMillis(3),
            1,
            false);
    store.insertSession(s);
    store.insertSession(session("other", "alice", NOW.plusSeconds(600)));

    assertThat(store.updateSessionData("h", "{\"a\":2}", NOW)).isTrue();
    assertThat(store.findSession("h")).contains(s.withSessionData("{\"a\":2}"));
    assertThat(store.updateJwtPayload("h", "{\"p\":2}", NOW)).isTrue();
    assertThat(store.findSession("h"))
        .contains(s.withSessionData("{\"a\":2}").withJwtPayload("{\"p\":2}"));
    assertThat(store.findSessionData("h", NOW)).contains("{\"a\":2}");
    assertThat(store.findSession("other"))
        .contains(session("other", "alice", NOW.plusSeconds(600)));
  }

  @Test
  public void isSessionLive_onlyForTheSessionsOwnUser_comparedExactly() {
    store.insertSession(session("h", "alice", NOW.plusSeconds(600)));
    store.insertSession(session("b", "bob", NOW.plusSeconds(600)));

    assertThat(store.isSessionLive("h", "alice", NOW)).isTrue();
    assertThat(store.isSessionLive("h", "Alice", NOW)).isFalse();
    assertThat(store.isSessionLive("h", "alice ", NOW)).isFalse();
    assertThat(store.isSessionLive("h", "bob", NOW)).isFalse();
    assertThat(store.isSessionLive("h", "", NOW)).isFalse();
    assertThat(store.isSessionLive("H", "alice", NOW)).isFalse();
    assertThat(store.isSessionLive("b", "bob", NOW)).isTrue();
    assertThat(store.isSessionLive("h", "alice", NOW.plusSeconds(600))).isFalse();
  }

  @Test
  public void expiredSession_isFoundButNeverLive_neverUpdated_andNeverListed() {
    SessionRecord gone =
        new SessionRecord(
            "gone",
            "public",
            "alice",
            "{\"a\":1}",
            "{}",
            NOW.minusSeconds(9),
            NOW,
            "rk",
            hash(2),
            hash(1),
            NOW.minusSeconds(5),
            0,
            false);
    SessionRecord live = session("live", "alice", NOW.plusMillis(1));
    store.insertSession(gone); // expiresAt == now: expired
    store.insertSession(live);

    assertThat(store.findSession("gone")).contains(gone);
    assertThat(store.isSessionLive("gone", "alice", NOW)).isFalse();
    assertThat(store.isSessionLive("gone", "alice", NOW.plusSeconds(1))).isFalse();
    assertThat(store.isSessionLive("gone", "alice", NOW.minusMillis(1))).isTrue();
    assertThat(store.isSessionLive("live", "alice", NOW)).isTrue();
    assertThat(store.isSessionLive("live", "alice", NOW.plusMillis(1))).isFalse();
    assertThat(store.findSessionData("gone", NOW)).isEmpty();
    assertThat(store.updateSessionData("gone", "{\"changed\":1}", NOW)).isFalse();
    assertThat(store.updateJwtPayload("gone", "{\"changed\":1}", NOW)).isFalse();
    assertThat(store.confirmRefreshToken("gone", hash(2), NOW)).isFalse();
    assertThat(store.findLiveHandlesOfUser("alice", NOW)).containsExactly("live");
    assertThat(store.findLiveHandlesOfUser("alice", NOW.plusMillis(1))).isEmpty();
    assertThat(store.findSession("gone")).contains(gone);
  }

  // ---------------------------------------------------------------- lockAndDecide

  @Test
  public void lockAndDecide_concurrentCallers_eachSeeThePreviousRotation() throws Exception {
    store.insertSession(session("h", "alice", NOW.plusSeconds(600)));
    int callers = 8;
    List<SessionStore> on = stores(2);
    List<Callable<Decision>> tasks = new ArrayList<>();
    for (int i = 0; i < callers; i++) {
      SessionStore s = on.get(i % on.size());
      tasks.add(
          () ->
              s.lockAndDecide(
                  "h",
                  (rec, now) -> {
                    int n = Integer.parseInt(rec.currentRefreshHash(), 16);
                    try {
                      Thread.sleep(
                          20); // widens the window in which a missing lock would lose an update
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                    return new Decision(
                        rec.currentRefreshHash(),
                        new RefreshWrite.Rotate(
                            hash(n + 1),
                            rec.currentRefreshHash(),
                            n,
                            NOW.plusMillis(n + 1),
                            NOW.plusSeconds(1000 + n)));
                  }));
    }

    List<Decision> decisions = race(tasks);

    List<String> expected = new ArrayList<>();
    for (int i = 0; i < callers; i++) {
      expected.add(hash(i));
    }
    assertThat(decisions)
        .extracting(Decision::label)
        .as("each caller saw its predecessor's rotation")
        .containsExactlyInAnyOrderElementsOf(expected);
    SessionRecord after = stored("h");
    assertThat(after.currentRefreshHash()).isEqualTo(hash(callers));
    assertThat(after.parentRefreshHash()).isEqualTo(hash(callers - 1));
    assertThat(after.childIndex()).isEqualTo(callers - 1);
    assertThat(after.issuedAt()).isEqualTo(NOW.plusMillis(callers));
    assertThat(after.expiresAt()).isEqualTo(NOW.plusSeconds(1000 + callers - 1));
    assertThat(after.confirmed()).isFalse();
  }

  @Test
  public void lockAndDecide_keep_writesNothing_andReturnsTheRulesDecision() {
    SessionRecord s = session("h", "alice", NOW.plusSeconds(600));
    store.insertSession(s);
    Decision keep = new Decision("keep", RefreshWrite.KEEP);

    Decision first = store.lockAndDecide("h", (rec, now) -> keep);
    Decision second =
        store.lockAndDecide("h", (rec, now) -> new Decision("k", new RefreshWrite.Keep()));

    assertThat(first).isSameAs(keep);
    assertThat(second.label()).isEqualTo("k");

    assertThat(store.findSession("h")).contains(s);
  }

  @Test
  public void lockAndDecide_rotate_setsEveryRefreshFieldExactly_unconfirmed_andKeepsTheRest() {
    SessionRecord s =
        new SessionRecord(
            "h",
            "tenant-r",
            "alice",
            "{\"cart\":3}",
            "{\"r\":1}",
            NOW.minusSeconds(60),
            NOW.plusSeconds(600),
            "rk-h",
            hash(1),
            hash(0),
            NOW.minusSeconds(30),
            0,
            true);
    store.insertSession(s);
    store.insertSession(session("other", "alice", NOW.plusSeconds(600)));
    RefreshWrite.Rotate rotate =
        new RefreshWrite.Rotate(
            hash(2), hash(1), 3, NOW.plusMillis(17), NOW.plusSeconds(9000).plusMillis(1));

    Decision d = store.lockAndDecide("h", (rec, now) -> new Decision("r", rotate));

    assertThat(d.write()).isEqualTo(rotate);
    assertThat(store.findSession("h"))
        .contains(
            new SessionRecord(
                "h",
                "tenant-r",
                "alice",
                "{\"cart\":3}",
                "{\"r\":1}",
                NOW.minusSeconds(60),
                NOW.plusSeconds(9000).plusMillis(1),
                "rk-h",
                hash(2),
                hash(1),
                NOW.plusMillis(17),
                3,
                false));
    assertThat(store.findSession("other"))
        .contains(session("other", "alice", NOW.plusSeconds(600)));

    // from an unconfirmed state too, and to an earlier expiry (the rule decides)
    store.lockAndDecide(
        "h",
        (rec, now) ->
            new Decision(
                "again",
                new RefreshWrite.Rotate(
                    hash(9), hash(1), 0, NOW.plusMillis(18), NOW.plusSeconds(1))));
    SessionRecord again = stored("h");
    assertThat(again.currentRefreshHash()).isEqualTo(hash(9));
    assertThat(again.parentRefreshHash()).isEqualTo(hash(1));
    assertThat(again.childIndex()).isZero();
    assertThat(again.issuedAt()).isEqualTo(NOW.plusMillis(18));
    assertThat(again.expiresAt()).isEqualTo(NOW.plusSeconds(1));
    assertThat(again.confirmed()).isFalse();
  }

  @Test
  public void lockAndDecide_delete_removesTheSession_andOnlyIt() {
    store.insertSession(session("h", "alice", NOW.plusSeconds(600)));
    store.insertSession(session("other", "alice", NOW.plusSeconds(600)));

    Decision d = store.lockAndDecide("h", (rec, now) -> new Decision("d", RefreshWrite.DELETE));

    assertThat(d.write()).isInstanceOf(RefreshWrite.Delete.class);
    assertThat(store.findSession("h")).isEmpty();
    assertThat(store.findSession("other")).isPresent();
    assertThat(
            store
                .lockAndDecide(
                    "h",
                    (rec, now) -> new Decision(rec == null ? "none" : "found", RefreshWrite.KEEP))
                .label())
        .isEqualTo("none");
  }

  @Test
  public void lockAndDecide_missingSession_passesNullAndTheStoreTime_andWritesNothing() {
    List<SessionRecord> passed = Collections.synchronizedList(new ArrayList<>());
    AtomicReference<Instant> time = new AtomicReference<>();

    Decision rotated =
        store.lockAndDecide(
            "missing",
            (rec, now) -> {
              passed.add(rec);
              time.set(now);
              return new Decision(
                  "rotate anyway",
                  new RefreshWrite.Rotate(hash(1), hash(0), 0, now, NOW.plusSeconds(600)));
            });
    store.lockAndDecide(
        "missing",
        (rec, now) -> {
          passed.add(rec);
          return new Decision("delete anyway", RefreshWrite.DELETE);
        });

    assertThat(rotated.label()).isEqualTo("rotate anyway");
    assertThat(passed).containsExactly(null, null);
    assertThat(time.get()).isEqualTo(NOW);
    assertThat(store.findSession("missing")).isEmpty();
    assertThat(store.findLiveHandlesOfUser("alice", NOW)).isEmpty();
  }

  @Test
  public void lockAndDecide_expiredSession_isPassedAsItIs_andTheDecisionApplies() {
    SessionRecord expired = session("h", "alice", NOW.minusSeconds(1));
    store.insertSession(expired);
    AtomicReference<SessionRecord> passed = new AtomicReference<>();

    store.lockAndDecide(
        "h",
        (rec, now) -> {
          passed.set(rec);
          return new Decision("keep", RefreshWrite.KEEP);
        });
    assertThat(passed.get()).isEqualTo(expired);
    store.lockAndDecide("h", (rec, now) -> new Decision("delete", RefreshWrite.DELETE));

    assertThat(store.findSession("h")).isEmpty();
  }

  @Test
  public void lockAndDecide_passesTheStoreClockTime_toTheMillisecond_notTheSystemTime() {
    store.insertSession(session("h", "alice", NOW.plusSeconds(600)));
    AtomicReference<Instant> now = new AtomicReference<>();

    store.lockAndDecide("h", keepReportingTime(now));
    assertThat(now.get()).isEqualTo(NOW); // START without its sub-millisecond part
    storeClock.advance(Duration.ofSeconds(31).plusNanos(543_210)); // .123999999
    store.lockAndDecide("h", keepReportingTime(now));
    assertThat(now.get()).isEqualTo(NOW.plusSeconds(31));
    storeClock.advance(Duration.ofNanos(1));
    store.lockAndDecide("h", keepReportingTime(now));
    assertThat(now.get()).isEqualTo(NOW.plusSeconds(31).plusMillis(1));
    storeClock.advance(Duration.ofDays(-400)); // a clock set back: the store follows it
    store.lockAndDecide("missing", keepReportingTime(now));
    assertThat(now.get()).isEqualTo(NOW.plusSeconds(31).plusMillis(1).minus(Duration.ofDays(400)));
  }

  @Test
  public void lockAndDecide_throwingRule_propagatesUnchanged_writesNothing_andReleasesTheLock()
      throws Exception {
    SessionRecord s = session("h", "alice", NOW.plusSeconds(600));
    store.insertSession(s);
    IllegalStateException bug = new IllegalStateException("bug in the rule");
    HallpassException verdict = HallpassException.unauthorised("no");

    // More often than a small pool has connections: a leaked lock or connection would show.
    for (int i = 0; i < 12; i++) {
      assertThatThrownBy(
              () ->
                  store.lockAndDecide(
                      "h",
                      (rec, now) -> {
                        throw bug;
                      }))
          .isSameAs(bug);
      assertThatThrownBy(
              () ->
                  store.lockAndDecide(
                      "h",
                      (rec, now) -> {
                        throw verdict;
                      }))
          .isSameAs(verdict);
    }
    assertThat(store.findSession("h")).contains(s);

    // Another caller (another store where there can be one) gets the lock at once.
    SessionStore other = stores(2).get(1);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<Decision> next =
          pool.submit(() -> other.lockAndDecide("h", rotateTo(1, NOW.plusSeconds(900))));
      assertThat(next.get(10, TimeUnit.SECONDS).label()).isEqualTo("rotated");
    } finally {
      pool.shutdownNow();
    }
    assertThat(stored("h").currentRefreshHash()).isEqualTo(hash(1));
  }

  /** A decision that runs {@code hook} in {@link SessionStore.RefreshDecision#beforeWrite()}. */
  private record Hooked(RefreshWrite write, Runnable hook) implements SessionStore.RefreshDecision {
    @Override
    public void beforeWrite() {
      hook.run();
    }
  }

  @Test
  public void lockAndDecide_callsBeforeWriteOfTheAppliedDecision_andAThrowingOneWritesNothing() {
    SessionRecord s = session("h", "alice", NOW.plusSeconds(600));
    store.insertSession(s);
    List<String> events = Collections.synchronizedList(new ArrayList<>());
    IllegalStateException failure = new IllegalStateException("before write failed");

    assertThatThrownBy(
            () ->
                store.lockAndDecide(
                    "h",
                    (rec, now) ->
                        new Hooked(
                            new RefreshWrite.Rotate(
                                hash(7), rec.currentRefreshHash(), 0, now, NOW.plusSeconds(900)),
                            () -> {
                              throw failure;
                            })))
        .isSameAs(failure);
    assertThat(store.findSession("h")).contains(s);

    store.lockAndDecide(
        "h",
        (rec, now) -> {
          events.add("rule");
          return new Hooked(
              new RefreshWrite.Rotate(
                  hash(8), rec.currentRefreshHash(), 0, now, NOW.plusSeconds(900)),
              () -> events.add("beforeWrite"));
        });

    assertThat(events.subList(events.size() - 2, events.size()))
        .containsExactly("rule", "beforeWrite");
    assertThat(stored("h").currentRefreshHash()).isEqualTo(hash(8));
  }

  @Test
  public void lockAndDecide_nullDecision_isGeneralError_andWritesNothing() {
    SessionRecord s = session("h", "alice", NOW.plusSeconds(600));
    store.insertSession(s);

    generalError(() -> store.lockAndDecide("h", (rec, now) -> null));
    generalError(() -> store.lockAndDecide("missing", (rec, now) -> null));

    assertThat(store.findSession("h")).contains(s);
    assertThat(store.lockAndDecide("h", rotateTo(1, NOW.plusSeconds(9))).label())
        .isEqualTo("rotated");
  }

  /**
   * A store may call the rule again when it retries its transaction; whatever the number of calls,
   * the decision returned and applied is the last call's.
   */
  @Test
  public void lockAndDecide_ruleMayBeCalledAgain_theLastCallsDecisionIsAppliedAndReturned() {
    store.insertSession(session("h", "alice", NOW.plusSeconds(600)));
    AtomicInteger calls = new AtomicInteger();

    Decision d =
        store.lockAndDecide(
            "h",
            (rec, now) -> {
              int call = calls.incrementAndGet();
              return new Decision(
                  "call " + call,
                  new RefreshWrite.Rotate(
                      hash(100 + call), rec.currentRefreshHash(), call, now, NOW.plusSeconds(600)));
            });

    assertThat(calls.get()).isPositive();
    assertThat(d.label()).isEqualTo("call " + calls.get());
    SessionRecord after = stored("h");
    assertThat(after.currentRefreshHash()).isEqualTo(hash(100 + calls.get()));
    assertThat(after.parentRefreshHash()).isEqualTo(hash(0));
    assertThat(after.childIndex()).isEqualTo(calls.get());
  }

  // ---------------------------------------------------------------- confirmRefreshToken

  @Test
  public void confirmRefreshToken_currentHashOfLiveSession_isTrue_andConfirms_evenIfConfirmed() {
    store.insertSession(session("h", "alice", NOW.plusSeconds(600)));
    store.lockAndDecide(
        "h",
        (rec, now) ->
            new Decision(
                "r", new RefreshWrite.Rotate(hash(1), hash(0), 0, NOW, NOW.plusSeconds(600))));
    SessionRecord unconfirmed = stored("h");
    assertThat(unconfirmed.confirmed()).isFalse();

    assertThat(store.confirmRefreshToken("h", hash(1), NOW)).isTrue();
    assertThat(store.findSession("h")).contains(unconfirmed.withConfirmed());
    assertThat(store.confirmRefreshToken("h", hash(1), NOW)).as("idempotent").isTrue();
    assertThat(store.confirmRefreshToken("h", hash(1), NOW.plusSeconds(599))).isTrue();
    assertThat(store.findSession("h")).contains(unconfirmed.withConfirmed());
  }

  @Test
  public void confirmRefreshToken_createdSession_isTrue_andChangesNothing() {
    SessionRecord s = session("h", "alice", NOW.plusSeconds(600));
    store.insertSession(s);

    assertThat(store.confirmRefreshToken("h", hash(0), NOW)).isTrue();

    assertThat(store.findSession("h")).contains(s);
  }

  @Test
  public void confirmRefreshToken_otherHash_missingOrExpiredSession_isFalse_andChangesNothing() {
    String current = hash(0xabc);
    store.insertSession(session("h", "alice", NOW.plusSeconds(600)));
    store.lockAndDecide(
        "h",
        (rec, now) ->
            new Decision(
                "r", new RefreshWrite.Rotate(current, hash(0), 0, NOW, NOW.plusSeconds(600))));
    SessionRecord unconfirmed = stored("h");

    assertThat(store.confirmRefreshToken("h", hash(0), NOW)).as("the parent").isFalse();
    assertThat(store.confirmRefreshToken("h", hash(2), NOW)).as("another hash").isFalse();
    assertThat(store.confirmRefreshToken("h", current.toUpperCase(Locale.ROOT), NOW))
        .as("the hash in upper case")
        .isFalse();
    assertThat(store.confirmRefreshToken("h", current + " ", NOW)).as("trailing space").isFalse();
    assertThat(store.confirmRefreshToken("H", current, NOW)).as("another handle").isFalse();
    assertThat(store.confirmRefreshToken("h", current, NOW.plusSeconds(600)))
        .as("expired")
        .isFalse();
    assertThat(store.findSession("h")).contains(unconfirmed);
    store.deleteSession("h");
    assertThat(store.confirmRefreshToken("h", current, NOW)).as("deleted").isFalse();
  }

  // ---------------------------------------------------------------- deletion and listing

  @Test
  public void deleteSession_deletesOnlyThatSession_andReportsWhetherItExisted() {
    store.insertSession(session("h", "alice", NOW.plusSeconds(600)));
    store.insertSession(session("other", "alice", NOW.minusSeconds(600)));

    assertThat(store.deleteSession("h")).isTrue();
    assertThat(store.deleteSession("h")).isFalse();
    assertThat(store.deleteSession("other")).as("expired sessions too").isTrue();
    assertThat(store.findSession("h")).isEmpty();
    assertThat(store.findSession("other")).isEmpty();
  }

  @Test
  public void deleteSessions_returnsThoseThatExisted_inTheCallersOrder_acrossManyHandles() {
    List<String> wanted = new ArrayList<>();
    for (int i = 0; i < 260; i++) { // more than one IN (...) list of 200
      store.insertSession(session("m" + i, "bulk", NOW.plusSeconds(i % 2 == 0 ? 600 : -600)));
      wanted.add("m" + i);
    }
    store.insertSession(session("keep", "bulk", NOW.plusSeconds(600)));
    List<String> asked = new ArrayList<>(wanted);
    asked.add("nope");
    asked.add("m0"); // a duplicate: reported once, where it first appears
    Collections.reverse(asked);
    List<String> expected = new ArrayList<>(wanted.subList(1, wanted.size()));
    Collections.reverse(expected);
    expected.add(0, "m0");

    assertThat(store.deleteSessions(asked)).containsExactlyElementsOf(expected);
    assertThat(store.deleteSessions(List.of())).isEmpty();
    assertThat(store.deleteSessions(List.of("m1", "m2"))).isEmpty();
    assertThat(store.deleteSessions(Set.of("keep"))).containsExactly("keep");
    assertThat(store.findLiveHandlesOfUser("bulk", NOW.minusSeconds(3600))).isEmpty();
  }

  @Test
  public void deleteSessionsOfUser_deletesLiveAndExpiredSessionsOfExactlyThatUser() {
    store.insertSession(session("a1", "alice", NOW.plusSeconds(600)));
    store.insertSession(session("a2", "alice", NOW.minusSeconds(600)));
    store.insertSession(session("A1", "Alice", NOW.plusSeconds(600)));
    store.insertSession(session("b1", "bob", NOW.plusSeconds(600)));

    assertThat(store.deleteSessionsOfUser("alice")).containsExactlyInAnyOrder("a1", "a2");
    assertThat(store.deleteSessionsOfUser("alice")).isEmpty();
    assertThat(store.deleteSessionsOfUser("nobody")).isEmpty();
    assertThat(store.findSession("A1")).isPresent();
    assertThat(store.findSession("b1")).isPresent();
  }

  @Test
  public void clientMetadata_isStoredExactly_andRotateReplacesOnlyTheLastClient() {
    String longIp = "0000:0000:0000:0000:0000:ffff:255.255.255.255"; // 45 characters
    String longAgent =
        ("Mozilla/5.0 \u00e9\u4e2d 'q' \"d\" " + "x".repeat(SessionRecord.MAX_USER_AGENT_LENGTH))
            .substring(0, SessionRecord.MAX_USER_AGENT_LENGTH);
    SessionRecord created =
        session("m", "alice", NOW.plusSeconds(600)).withCreatedClient(longIp, longAgent);
    store.insertSession(created);
    store.insertSession(session("plain", "alice", NOW.plusSeconds(600)));

    assertThat(stored("m")).isEqualTo(created);
    assertThat(stored("plain").createdIp()).isNull();
    assertThat(stored("plain").lastUserAgent()).isNull();

    Instant later = NOW.plusSeconds(900);
    store.lockAndDecide(
        "m",
        (rec, now) ->
            new Decision(
                "rotated",
                new RefreshWrite.Rotate(
                    hash(1), hash(0), 0, now, later, "192.0.2.1", "Safari 'quoted' \"ua\"")));
    SessionRecord after = stored("m");
    assertThat(after.createdIp()).isEqualTo(longIp);
    assertThat(after.createdUserAgent()).isEqualTo(longAgent);
    assertThat(after.lastIp()).isEqualTo("192.0.2.1");
    assertThat(after.lastUserAgent()).isEqualTo("Safari 'quoted' \"ua\"");
    store.lockAndDecide(
        "m",
        (rec, now) ->
            new Decision("rotated", new RefreshWrite.Rotate(hash(2), hash(1), 0, now, later)));
    assertThat(stored("m").lastIp()).isNull();
    assertThat(stored("m").lastUserAgent()).isNull();
    assertThat(stored("m").createdIp()).isEqualTo(longIp);
  }

  @Test
  public void findLiveSessionsOfUser_listsTheLiveSessionsInHandleOrder_withEveryField() {
    Instant later = NOW.plusSeconds(600);
    store.insertSession(
        session("b-new", "alice", NOW.minusSeconds(100), later).withCreatedClient("10.0.0.2", "B"));
    store.insertSession(
        session("a-old", "alice", NOW.minusSeconds(200), later).withCreatedClient("10.0.0.1", "A"));
    store.insertSession(session("c-expired", "alice", NOW.minusSeconds(300), NOW));
    store.insertSession(session("d-other", "bob", NOW.minusSeconds(300), later));

    List<SessionRecord> live = store.findLiveSessionsOfUser("alice", NOW);

    assertThat(live).extracting(SessionRecord::handle).containsExactly("a-old", "b-new");
    assertThat(live).containsExactly(stored("a-old"), stored("b-new"));
    assertThat(store.findLiveSessionsOfUser("alice", later)).isEmpty();
    assertThat(store.findLiveSessionsOfUser("nobody", NOW)).isEmpty();
  }

  @Test
  public void findLiveHandlesOfUser_isOldestFirst_byCreationTimeThenHandle() {
    Instant later = NOW.plusSeconds(600);
    store.insertSession(session("c-tie", "alice", NOW.minusSeconds(100), later));
    store.insertSession(session("a-mid", "alice", NOW.minusSeconds(200), later));
    store.insertSession(session("z-expired", "alice", NOW.minusSeconds(400), NOW));
    store.insertSession(session("a-tie", "alice", NOW.minusSeconds(100), later));
    store.insertSession(session("b-old", "alice", NOW.minusSeconds(300), later));
    store.insertSession(session("B-tie", "alice", NOW.minusSeconds(100), later));
    store.insertSession(session("x-other", "bob", NOW.minusSeconds(250), later));
    store.insertSession(session("y-newest", "alice", NOW.minusSeconds(100).plusMillis(1), later));

    assertThat(store.findLiveHandlesOfUser("alice", NOW))
        .containsExactly("b-old", "a-mid", "B-tie", "a-tie", "c-tie", "y-newest");
    assertThat(store.findLiveHandlesOfUser("alice", later)).isEmpty();
    assertThat(store.findLiveHandlesOfUser("nobody", NOW)).isEmpty();
  }

  /** A new (never refreshed) session in a tenant, created {@code age} seconds before NOW. */
  private static SessionRecord inTenant(
      String handle, String tenantId, String userId, long age, Instant expiresAt) {
    SessionRecord s = session(handle, userId, NOW.minusSeconds(age), expiresAt);
    return SessionRecord.created(
        s.handle(),
        tenantId,
        s.userId(),
        s.sessionDataJson(),
        s.jwtPayloadJson(),
        s.createdAt(),
        s.expiresAt(),
        s.refreshKey(),
        s.currentRefreshHash());
  }

  @Test
  public void findLiveHandlesOfUserInTenant_listsOnlyThatTenant_oldestFirst_comparedExactly() {
    Instant later = NOW.plusSeconds(600);
    store.insertSession(inTenant("t1-new", "t1", "alice", 100, later));
    store.insertSession(inTenant("t1-old", "t1", "alice", 300, later));
    store.insertSession(inTenant("t1-expired", "t1", "alice", 400, NOW));
    store.insertSession(inTenant("pub", "public", "alice", 200, later));
    store.insertSession(inTenant("t2", "t2", "alice", 250, later));
    store.insertSession(inTenant("t1-bob", "t1", "bob", 50, later));
    store.insertSession(inTenant("T1", "T1", "alice", 60, later));

    assertThat(store.findLiveHandlesOfUser("t1", "alice", NOW)).containsExactly("t1-old", "t1-new");
    assertThat(store.findLiveHandlesOfUser("public", "alice", NOW)).containsExactly("pub");
    assertThat(store.findLiveHandlesOfUser("T1", "alice", NOW)).containsExactly("T1");
    assertThat(store.findLiveHandlesOfUser("t3", "alice", NOW)).isEmpty();
    assertThat(store.findLiveHandlesOfUser("t1", "alice", later)).isEmpty();
    assertThat(store.findLiveHandlesOfUser("alice", NOW))
        .containsExactly("t1-old", "t2", "pub", "t1-new", "T1");
  }

  @Test
  public void deleteSessionsOfUserInTenant_deletesLiveAndExpiredOfThatTenantOnly() {
    store.insertSession(inTenant("a1", "t1", "alice", 60, NOW.plusSeconds(600)));
    store.insertSession(inTenant("a2", "t1", "alice", 60, NOW.minusSeconds(10)));
    store.insertSession(inTenant("a3", "t2", "alice", 60, NOW.plusSeconds(600)));
    store.insertSession(inTenant("a4", "public", "alice", 60, NOW.plusSeconds(600)));
    store.insertSession(inTenant("b1", "t1", "bob", 60, NOW.plusSeconds(600)));

    assertThat(store.deleteSessionsOfUser("t1", "alice")).containsExactlyInAnyOrder("a1", "a2");
    assertThat(store.deleteSessionsOfUser("t1", "alice")).isEmpty();
    assertThat(store.deleteSessionsOfUser("t9", "alice")).isEmpty();
    assertThat(store.findSession("a3")).isPresent();
    assertThat(store.findSession("a4")).isPresent();
    assertThat(store.findSession("b1")).isPresent();
    assertThat(store.deleteSessionsOfUser("alice")).containsExactlyInAnyOrder("a3", "a4");
  }

  @Test
  public void deleteExpiredSessions_isBounded_oldestExpiryFirst_andSparesLiveSessions() {
    for (int i = 0; i < 5; i++) {
      store.insertSession(session("old" + i, "u" + i, NOW.minusSeconds(i + 1)));
    }
    store.insertSession(session("edge", "u", NOW)); // expiresAt == now: expired
    store.insertSession(session("live", "u", NOW.plusMillis(1)));

    assertThat(store.deleteExpiredSessions(NOW, 2)).isEqualTo(2);
    assertThat(store.findSession("old4")).isEmpty();
    assertThat(store.findSession("old3")).isEmpty();
    assertThat(store.findSession("old2")).isPresent();
    assertThat(store.deleteExpiredSessions(NOW, 0)).isZero();
    assertThat(store.deleteExpiredSessions(NOW.minusMillis(2500), 100)).isEqualTo(1); // old2
    assertThat(store.deleteExpiredSessions(NOW, 100)).isEqualTo(3);
    assertThat(store.deleteExpiredSessions(NOW, 100)).isZero();
    assertThat(store.findSession("edge")).isEmpty();
    assertThat(store.findSession("live")).isPresent();
    assertThat(store.deleteExpiredSessions(NOW.plusMillis(1), 100)).isEqualTo(1);
  }

  @Test
  public void deleteExpiredSessions_racingWithRefreshes_neverDeletesASessionThatWasExtended()
      throws Exception {
    int sessions = 120;
    for (int i = 0; i < sessions; i++) {
      store.insertSession(session("x" + i, "u", NOW.minusSeconds(1)));
    }
    Map<String, String> outcome = new ConcurrentHashMap<>();
    AtomicBoolean refreshing = new AtomicBoolean(true);
    List<SessionStore> on = stores(2);
    int refreshers = 3;
    List<Callable<Integer>> tasks = new ArrayList<>();
    for (int r = 0; r < refreshers; r++) {
      int first = r;
      SessionStore s = on.get(r % on.size());
      tasks.add(
          () -> {
            for (int i = first; i < sessions; i += refreshers) {
              String handle = "x" + i;
              Decision d =
                  s.lockAndDecide(
                      handle,
                      (rec, now) ->
                          rec == null
                              ? new Decision("gone", RefreshWrite.KEEP)
                              : new Decision(
                                  "extended",
                                  new RefreshWrite.Rotate(
                                      hash(1),
                                      rec.currentRefreshHash(),
                                      0,
                                      now,
                                      NOW.plusSeconds(3600))));
              outcome.put(handle, d.label());
            }
            return 0;
          });
    }
    SessionStore deleter = on.get(on.size() - 1);
    tasks.add(
        () -> {
          int deleted = 0;
          for (int round = 0; round < 10_000; round++) {
            boolean last = !refreshing.get();
            deleted += deleter.deleteExpiredSessions(NOW, 7);
            if (last) {
              break;
            }
          }
          return deleted;
        });

    ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
    int deleted;
    try {
      List<Future<Integer>> futures = new ArrayList<>();
      for (Callable<Integer> t : tasks) {
        futures.add(pool.submit(t));
      }
      for (int r = 0; r < refreshers; r++) {
        futures.get(r).get(120, TimeUnit.SECONDS);
      }
      refreshing.set(false);
      deleted = futures.get(refreshers).get(120, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }

    int extended = 0;
    for (int i = 0; i < sessions; i++) {
      String handle = "x" + i;
      if ("extended".equals(outcome.get(handle))) {
        extended++;
        assertThat(store.findSession(handle))
            .as(handle)
            .isPresent()
            .get()
            .extracting(SessionRecord::expiresAt)
            .isEqualTo(NOW.plusSeconds(3600));
      } else {
        assertThat(outcome.get(handle)).as(handle).isEqualTo("gone");
        assertThat(store.findSession(handle)).as(handle).isEmpty();
      }
    }
    assertThat(extended + deleted).isEqualTo(sessions);
  }

  // ---------------------------------------------------------------- signing keys

  @Test
  public void signingKeys_storeEveryFieldExactly_andLoadInGenerationOrder() {
    assertThat(store.loadSigningKeys()).isEmpty();
    for (long generation : new long[] {2, 0, 1, 10}) {
      assertThat(store.insertSigningKey(key("d-k" + generation, generation))).isTrue();
    }

    List<SigningKeyRecord> keys = store.loadSigningKeys();

    assertThat(keys).extracting(SigningKeyRecord::generation).containsExactly(0L, 1L, 2L, 10L);
    for (SigningKeyRecord k : keys) {
      SigningKeyRecord expected = key("d-k" + k.generation(), k.generation());
      assertThat(k.kid()).isEqualTo(expected.kid());
      assertThat(k.privateKeyPkcs8()).isEqualTo(expected.privateKeyPkcs8());
      assertThat(k.publicKeyX509()).isEqualTo(expected.publicKeyX509());
      assertThat(k.createdAt()).isEqualTo(expected.createdAt());
      assertThat(k.signsFrom()).isEqualTo(expected.signsFrom());
      assertThat(k.signsUntil()).isEqualTo(expected.signsUntil());
    }
  }

  @Test
  public void insertSigningKey_existingGeneration_isFalse_andStoresNothing() {
    assertThat(store.insertSigningKey(key("d-k0", 0))).isTrue();

    assertThat(store.insertSigningKey(key("d-other", 0))).isFalse();
    assertThat(store.insertSigningKey(key("d-k0", 0))).as("the same key again").isFalse();

    assertThat(store.loadSigningKeys())
        .singleElement()
        .extracting(SigningKeyRecord::kid)
        .isEqualTo("d-k0");
    assertThat(store.insertSigningKey(key("d-k1", 1))).isTrue();
  }

  @Test
  public void insertSigningKey_existingKidInAnotherGeneration_isGeneralError_andStoresNothing() {
    store.insertSigningKey(key("d-k0", 0));
    SigningKeyRecord clash =
        new SigningKeyRecord(
            "d-k0", 1, "secret-private-key", "public", NOW, NOW, NOW.plusSeconds(1));

    HallpassException e = generalError(() -> store.insertSigningKey(clash));

    assertNoSecretIn(e, "secret-private-key", "private-d-k0");
    assertThat(store.loadSigningKeys())
        .singleElement()
        .extracting(SigningKeyRecord::privateKeyPkcs8)
        .isEqualTo("private-d-k0");
    assertThat(store.insertSigningKey(key("d-k1", 1))).isTrue();
  }

  @Test
  public void insertSigningKey_racingInserts_storeExactlyOneKeyPerGeneration() throws Exception {
    int racers = 6;
    List<SessionStore> on = stores(racers);
    for (long generation = 7; generation < 10; generation++) {
      long g = generation;
      List<Callable<Boolean>> tasks = new ArrayList<>();
      for (int i = 0; i < racers; i++) {
        SessionStore s = on.get(i);
        String kid = "d-racer" + i + "-" + g;
        tasks.add(() -> s.insertSigningKey(key(kid, g)));
      }

      List<Boolean> won = race(tasks);

      assertThat(won).as("generation %d", g).containsOnlyOnce(true);
      String winner = "d-racer" + won.indexOf(true) + "-" + g;
      assertThat(store.loadSigningKeys())
          .filteredOn(k -> k.generation() == g)
          .singleElement()
          .extracting(SigningKeyRecord::kid)
          .isEqualTo(winner);
    }
    assertThat(store.loadSigningKeys()).hasSize(3);
  }

  @Test
  public void deleteSigningKeysRetiredBefore_deletesOnlyStrictlyOlderKeys() {
    store.insertSigningKey(key("d-k0", 0)); // signs until NOW+100s
    store.insertSigningKey(key("d-k1", 1)); // signs until NOW+200s
    store.insertSigningKey(key("d-k2", 2)); // signs until NOW+300s

    assertThat(store.deleteSigningKeysRetiredBefore(NOW.plusSeconds(100))).isZero();
    assertThat(store.deleteSigningKeysRetiredBefore(NOW.plusSeconds(100).plusMillis(1))).isOne();
    assertThat(store.deleteSigningKeysRetiredBefore(NOW.plusSeconds(100).plusMillis(1))).isZero();
    assertThat(store.loadSigningKeys())
        .extracting(SigningKeyRecord::kid)
        .containsExactly("d-k1", "d-k2");
    assertThat(store.deleteSigningKeysRetiredBefore(NOW.plusSeconds(1000))).isEqualTo(2);
    assertThat(store.loadSigningKeys()).isEmpty();
  }

  @Test
  public void signingKeys_hs256Record_storesTheMarkerAndSecretExactly() {
    SigningKeyRecord hmac =
        new SigningKeyRecord(
            "d-hmac",
            4,
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
            "hmac:HS256",
            NOW,
            NOW,
            NOW.plusSeconds(100));

    assertThat(store.insertSigningKey(hmac)).isTrue();

    SigningKeyRecord loaded = store.loadSigningKeys().get(0);
    assertThat(loaded.publicKeyX509()).isEqualTo("hmac:HS256");
    assertThat(loaded.privateKeyPkcs8()).isEqualTo(hmac.privateKeyPkcs8());
    assertThat(loaded.generation()).isEqualTo(4);
  }

  // ---------------------------------------------------------------- re-encryption
  // (compare-and-set)

  @Test
  public void replaceRefreshKey_isCompareAndSet_andChangesNothingElse() {
    SessionRecord s = session("h", "alice", NOW.plusSeconds(600));
    store.insertSession(s);
    store.insertSession(session("other", "alice", NOW.plusSeconds(600)));

    assertThat(store.replaceRefreshKey("h", "rk-h" + "x", "replaced")).isFalse();
    assertThat(store.replaceRefreshKey("h", "rk-", "replaced")).as("a prefix").isFalse();
    assertThat(store.replaceRefreshKey("no-such-handle", "rk-h", "replaced")).isFalse();
    assertThat(store.findSession("h")).contains(s);

    String longest = "k".repeat(255); // an encrypted key's room in every store
    assertThat(store.replaceRefreshKey("h", "rk-h", longest)).isTrue();

    assertThat(store.findSession("h")).contains(s.withRefreshKey(longest));
    assertThat(stored("other").refreshKey()).isEqualTo("rk-other");
    assertThat(store.replaceRefreshKey("h", "rk-h", "again")).as("no longer expected").isFalse();
    assertThat(stored("h").refreshKey()).isEqualTo(longest);
  }

  @Test
  public void replaceRefreshKey_ofAnExpiredSession_stillReplaces() {
    SessionRecord s = session("h", "alice", NOW.minusSeconds(1));
    store.insertSession(s);

    assertThat(store.replaceRefreshKey("h", "rk-h", "replaced")).isTrue();
    assertThat(store.findSession("h")).contains(s.withRefreshKey("replaced"));
  }

  @Test
  public void replaceRefreshKey_racingReplacements_exactlyOneWins() throws Exception {
    store.insertSession(session("h", "alice", NOW.plusSeconds(600)));
    int racers = 6;
    List<SessionStore> on = stores(racers);
    List<Callable<Boolean>> tasks = new ArrayList<>();
    for (int i = 0; i < racers; i++) {
      SessionStore st = on.get(i);
      String value = "racer-" + i;
      tasks.add(() -> st.replaceRefreshKey("h", "rk-h", value));
    }

    List<Boolean> won = race(tasks);

    assertThat(won).containsOnlyOnce(true);
    assertThat(stored("h").refreshKey()).isEqualTo("racer-" + won.indexOf(true));
  }

  @Test
  public void replaceSigningPrivateKey_isCompareAndSet_andChangesNothingElse() {
    SigningKeyRecord k0 = key("d-k0", 0);
    store.insertSigningKey(k0);
    store.insertSigningKey(key("d-k1", 1));

    assertThat(store.replaceSigningPrivateKey("d-k0", "private-d-k0x", "replaced")).isFalse();
    assertThat(store.replaceSigningPrivateKey("d-k0", "private-d-k1", "replaced")).isFalse();
    assertThat(store.replaceSigningPrivateKey("d-none", "private-d-k0", "replaced")).isFalse();
    assertThat(store.loadSigningKeys().get(0).privateKeyPkcs8()).isEqualTo("private-d-k0");

    String wrapped = "hpkek1:kek:" + "w".repeat(3000); // a wrapped RSA private key's size
    assertThat(store.replaceSigningPrivateKey("d-k0", "private-d-k0", wrapped)).isTrue();

    List<SigningKeyRecord> keys = store.loadSigningKeys();
    assertThat(keys).hasSize(2);
    SigningKeyRecord loaded = keys.get(0);
    assertThat(loaded.kid()).isEqualTo("d-k0");
    assertThat(loaded.generation()).isZero();
    assertThat(loaded.privateKeyPkcs8()).isEqualTo(wrapped);
    assertThat(loaded.publicKeyX509()).isEqualTo(k0.publicKeyX509());
    assertThat(loaded.createdAt()).isEqualTo(k0.createdAt());
    assertThat(loaded.signsFrom()).isEqualTo(k0.signsFrom());
    assertThat(loaded.signsUntil()).isEqualTo(k0.signsUntil());
    assertThat(keys.get(1).privateKeyPkcs8()).isEqualTo("private-d-k1");
    assertThat(store.replaceSigningPrivateKey("d-k0", "private-d-k0", "again")).isFalse();
  }

  // ---------------------------------------------------------------- life cycle and arguments

  @Test
  public void closedStore_failsEveryCallWithGeneralError_andCloseIsIdempotent() {
    store.insertSession(session("h", "alice", NOW.plusSeconds(600)));
    store.close();
    store.close();

    List<ThrowingCallable> calls =
        List.of(
            () -> store.insertSession(session("h2", "alice", NOW.plusSeconds(600))),
            () -> store.findSession("h"),
            () -> store.isSessionLive("h", "alice", NOW),
            () -> store.findSessionData("h", NOW),
            () -> store.updateSessionData("h", "{}", NOW),
            () -> store.updateJwtPayload("h", "{}", NOW),
            () -> store.lockAndDecide("h", rotateTo(1, NOW.plusSeconds(9))),
            () -> store.confirmRefreshToken("h", hash(0), NOW),
            () -> store.deleteSession("h"),
            () -> store.deleteSessions(List.of("h")),
            () -> store.deleteSessions(List.of()),
            () -> store.deleteSessionsOfUser("alice"),
            () -> store.findLiveHandlesOfUser("alice", NOW),
            () -> store.deleteSessionsOfUser("t1", "alice"),
            () -> store.findLiveHandlesOfUser("t1", "alice", NOW),
            () -> store.deleteExpiredSessions(NOW, 10),
            () -> store.deleteExpiredSessions(NOW, 0),
            () -> store.loadSigningKeys(),
            () -> store.insertSigningKey(key("d-k0", 0)),
            () -> store.deleteSigningKeysRetiredBefore(NOW),
            () -> store.replaceRefreshKey("h", "rk-h", "x"),
            () -> store.replaceSigningPrivateKey("d-k0", "private-d-k0", "x"));
    for (ThrowingCallable call : calls) {
      generalError(call);
    }
    store.close();
  }

  @Test
  public void nullArguments_areNullPointerExceptions_andChangeNothing() {
    SessionRecord s = session("h", "alice", NOW.plusSeconds(600));
    store.insertSession(s);
    store.insertSigningKey(key("d-k0", 0));
    RefreshRule<Decision> rule = rotateTo(1, NOW.plusSeconds(9));

    List<ThrowingCallable> calls =
        List.of(
            () -> store.insertSession(null),
            () -> store.findSession(null),
            () -> store.isSessionLive(null, "alice", NOW),
            () -> store.isSessionLive("h", null, NOW),
            () -> store.isSessionLive("h", "alice", null),
            () -> store.findSessionData(null, NOW),
            () -> store.findSessionData("h", null),
            () -> store.updateSessionData(null, "{}", NOW),
            () -> store.updateSessionData("h", null, NOW),
            () -> store.updateSessionData("h", "{}", null),
            () -> store.updateJwtPayload(null, "{}", NOW),
            () -> store.updateJwtPayload("h", null, NOW),
            () -> store.updateJwtPayload("h", "{}", null),
            () -> store.lockAndDecide(null, rule),
            () -> store.lockAndDecide("h", null),
            () -> store.confirmRefreshToken(null, hash(0), NOW),
            () -> store.confirmRefreshToken("h", null, NOW),
            () -> store.confirmRefreshToken("h", hash(0), null),
            () -> store.deleteSession(null),
            () -> store.deleteSessions(null),
            () -> store.deleteSessions(Arrays.asList("h", null)),
            () -> store.deleteSessionsOfUser(null),
            () -> store.findLiveHandlesOfUser(null, NOW),
            () -> store.findLiveHandlesOfUser("alice", null),
            () -> store.deleteSessionsOfUser(null, "alice"),
            () -> store.deleteSessionsOfUser("public", null),
            () -> store.findLiveHandlesOfUser(null, "alice", NOW),
            () -> store.findLiveHandlesOfUser("public", null, NOW),
            () -> store.findLiveHandlesOfUser("public", "alice", null),
            () -> store.deleteExpiredSessions(null, 10),
            () -> store.insertSigningKey(null),
            () -> store.deleteSigningKeysRetiredBefore(null),
            () -> store.replaceRefreshKey(null, "rk-h", "x"),
            () -> store.replaceRefreshKey("h", null, "x"),
            () -> store.replaceRefreshKey("h", "rk-h", null),
            () -> store.replaceSigningPrivateKey(null, "private-d-k0", "x"),
            () -> store.replaceSigningPrivateKey("d-k0", null, "x"),
            () -> store.replaceSigningPrivateKey("d-k0", "private-d-k0", null));
    for (int i = 0; i < calls.size(); i++) {
      assertThat(catchThrowable(calls.get(i)))
          .as("call %d of the list", i)
          .isInstanceOf(NullPointerException.class);
    }

    assertThat(store.findSession("h")).contains(s);
    assertThat(store.loadSigningKeys()).hasSize(1);
  }
}
