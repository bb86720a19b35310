package dev.hallpass.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.hallpass.HallpassException;
import dev.hallpass.spi.RefreshDecision;
import dev.hallpass.spi.SessionRecord;
import dev.hallpass.spi.SessionStore;
import dev.hallpass.spi.SigningKeyRecord;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The JDBC specifics of the store, run against each database by a subclass: migrations,
 * concurrency, exact strings, signing-key races. The engine-level behaviour is in the shared
 * contract suite.
 */
abstract class AbstractJdbcSessionStoreTest {

  static final Instant NOW = Instant.parse("2026-03-01T12:00:00.123Z");

  private final List<SessionStore> stores = new ArrayList<>();
  /** The store of the current test, on a schema with empty tables. */
  SessionStore store;

  /** The JDBC URL of the database under test. */
  abstract String url();

  /** A new store with its own pool on the database under test. */
  SessionStore open(JdbcSessionStores.Builder builder) {
    return track(builder.jdbcUrl(url()).build());
  }

  SessionStore open() {
    return open(JdbcSessionStores.builder());
  }

  SessionStore track(SessionStore s) {
    synchronized (stores) {
      stores.add(s);
    }
    return s;
  }

  @BeforeEach
  void emptyTables() {
    store = open();
    TestDatabases.deleteAllRows(url());
  }

  @AfterEach
  void closeStores() {
    synchronized (stores) {
      stores.forEach(SessionStore::close);
      stores.clear();
    }
  }

  // ---------------------------------------------------------------- fixtures

  static String hash(int n) {
    return String.format("%064x", n);
  }

  static SessionRecord session(String handle, String userId, Instant expiresAt) {
    return new SessionRecord(handle, "public", userId, "{\"cart\":3}", "{\"role\":\"reader\"}",
        NOW.minusSeconds(60), expiresAt, "rk-" + handle, hash(0), null, null);
  }

  static SigningKeyRecord key(String kid, long generation) {
    return new SigningKeyRecord(kid, generation, "private-" + kid, "public-" + kid,
        NOW, NOW.plusSeconds(generation * 100), NOW.plusSeconds(generation * 100 + 100));
  }

  long count(String sql) {
    try (Connection c = TestDatabases.connect(url()); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** How many successful version-1 rows Flyway's history holds. */
  long appliedV1() {
    // Flyway quotes its names: on H2 they stay lower case and must be quoted here too.
    String q = url().startsWith("jdbc:h2:") ? "\"" : "";
    return count("SELECT COUNT(*) FROM " + TestDatabases.historyTable(url()) + " WHERE " + q
        + "version" + q + " = '1' AND " + q + "success" + q + " = TRUE");
  }

  /** Builds {@code n} stores at once from a common start line; returns them all. */
  List<SessionStore> startConcurrently(int n) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CyclicBarrier start = new CyclicBarrier(n);
      List<Future<SessionStore>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        futures.add(pool.submit(() -> {
          start.await();
          return open();
        }));
      }
      List<SessionStore> out = new ArrayList<>();
      for (Future<SessionStore> f : futures) {
        out.add(f.get(60, TimeUnit.SECONDS));
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  // ---------------------------------------------------------------- migrations

  @Test
  void startOnEmptySchema_createsTablesOnce_andRestartKeepsData() {
    closeStores();
    TestDatabases.dropHallpassTables(url());

    SessionStore first = open();
    first.insertSession(session("h1", "alice", NOW.plusSeconds(600)));
    first.close();
    String allHistory = "SELECT COUNT(*) FROM " + TestDatabases.historyTable(url());
    long historyRows = count(allHistory);
    SessionStore second = open(); // a restart: validates, applies nothing

    assertThat(second.findSession("h1")).isPresent();
    assertThat(appliedV1()).isEqualTo(1);
    assertThat(count(allHistory)).isEqualTo(historyRows);
  }

  @Test
  void storesStartingAtOnceOnEmptySchema_migrateExactlyOnce() throws Exception {
    closeStores();
    for (int round = 0; round < 3; round++) {
      TestDatabases.dropHallpassTables(url());

      List<SessionStore> started = startConcurrently(2);

      assertThat(appliedV1()).isEqualTo(1);
      started.get(0).insertSession(session("r" + round, "alice", NOW.plusSeconds(600)));
      assertThat(started.get(1).findSession("r" + round)).isPresent();
      closeStores();
    }
  }

  // ---------------------------------------------------------------- lockAndDecide

  @Test
  void lockAndDecide_serializesConcurrentCallers_eachSeeingThePreviousRotation()
      throws Exception {
    store.insertSession(session("h", "alice", NOW.plusSeconds(600)));
    int threads = 8;
    Set<String> seen = ConcurrentHashMap.newKeySet();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CyclicBarrier start = new CyclicBarrier(threads);
      List<Future<RefreshDecision>> futures = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        futures.add(pool.submit(() -> {
          start.await();
          return store.lockAndDecide("h", rec -> {
            seen.add(rec.currentRefreshHash());
            int n = Integer.parseInt(rec.currentRefreshHash(), 16);
            try {
              Thread.sleep(30); // widens the window a missing lock would lose updates in
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return RefreshDecision.rotate(hash(n + 1), rec.currentRefreshHash(),
                NOW.plusMillis(n + 1), NOW.plusSeconds(1000 + n));
          });
        }));
      }
      for (Future<RefreshDecision> f : futures) {
        assertThat(f.get(60, TimeUnit.SECONDS).kind()).isEqualTo(RefreshDecision.Kind.ROTATE);
      }
    } finally {
      pool.shutdownNow();
    }

    List<String> expected = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      expected.add(hash(i));
    }
    assertThat(seen).as("each caller saw its predecessor's rotation")
        .containsExactlyInAnyOrderElementsOf(expected);
    SessionRecord after = store.findSession("h").orElseThrow();
    assertThat(after.currentRefreshHash()).isEqualTo(hash(threads));
    assertThat(after.previousRefreshHash()).isEqualTo(hash(threads - 1));
    assertThat(after.rotatedAt()).isEqualTo(NOW.plusMillis(threads));
    assertThat(after.expiresAt()).isEqualTo(NOW.plusSeconds(1000 + threads - 1));
  }

  @Test
  void lockAndDecide_appliesKeepRotateDelete_andPassesNullForMissingSession() {
    store.insertSession(session("h", "alice", NOW.plusSeconds(600)));

    assertThat(store.lockAndDecide("h", rec -> RefreshDecision.keep()).kind())
        .isEqualTo(RefreshDecision.Kind.KEEP);
    assertThat(store.findSession("h").orElseThrow().rotatedAt()).isNull();

    store.lockAndDecide("h", rec -> RefreshDecision.rotate(hash(1), hash(0), NOW, NOW.plusSeconds(900)));
    SessionRecord rotated = store.findSession("h").orElseThrow();
    assertThat(rotated.currentRefreshHash()).isEqualTo(hash(1));
    assertThat(rotated.previousRefreshHash()).isEqualTo(hash(0));
    assertThat(rotated.rotatedAt()).isEqualTo(NOW); // millisecond precision kept
    assertThat(rotated.expiresAt()).isEqualTo(NOW.plusSeconds(900));
    assertThat(rotated.sessionDataJson()).isEqualTo("{\"cart\":3}");

    assertThat(store.lockAndDecide("h", rec -> RefreshDecision.delete()).kind())
        .isEqualTo(RefreshDecision.Kind.DELETE);
    assertThat(store.findSession("h")).isEmpty();

    List<SessionRecord> passed = new ArrayList<>();
    store.lockAndDecide("h", rec -> {
      passed.add(rec);
      return RefreshDecision.keep();
    });
    assertThat(passed).containsExactly((SessionRecord) null);
  }

  @Test
  void lockAndDecide_failingDecision_rollsBackAndReleasesTheLockAndConnection() {
    SessionStore one = open(JdbcSessionStores.builder().maximumPoolSize(1)
        .connectionTimeout(java.time.Duration.ofSeconds(2)));
    one.insertSession(session("h", "alice", NOW.plusSeconds(600)));
    HallpassException own = HallpassException.unauthorised("no");
    IllegalStateException bug = new IllegalStateException("bug in decide");

    assertThatThrownBy(() -> one.lockAndDecide("h", rec -> {
      throw own;
    })).isSameAs(own);
    HallpassException wrapped = catchThrowableOfType(HallpassException.class,
        () -> one.lockAndDecide("h", rec -> {
          throw bug;
        }));
    assertThat(wrapped.getType()).isEqualTo(HallpassException.Type.GENERAL_ERROR);
    assertThat(wrapped.getCause()).isSameAs(bug);
    HallpassException nullDecision = catchThrowableOfType(HallpassException.class,
        () -> one.lockAndDecide("h", rec -> null));
    assertThat(nullDecision.getType()).isEqualTo(HallpassException.Type.GENERAL_ERROR);

    // The single connection came back, and another pool is not blocked by a leftover row lock.
    assertThat(one.lockAndDecide("h", rec -> RefreshDecision.keep()).kind())
        .isEqualTo(RefreshDecision.Kind.KEEP);
    store.lockAndDecide("h", rec -> RefreshDecision.rotate(hash(5), hash(0), NOW, NOW.plusSeconds(9)));
    assertThat(one.findSession("h").orElseThrow().currentRefreshHash()).isEqualTo(hash(5));
  }

  // ---------------------------------------------------------------- exact strings

  @Test
  void userIds_areStoredExactly_andComparedCaseAndSpaceSensitively() {
    List<String> ids = List.of("alice", "Alice", "ALICE", "alice ", " alice", "o'brien \"x\" `y`",
        "'; DROP TABLE hallpass_sessions; --", "Robert'); DELETE FROM hallpass_signing_keys;--",
        "%", "_", "a%", "\\", "Ünïcødé ☃ 𝄞 用户 😀", "z".repeat(512),
        "𝄞".repeat(256) /* 512 UTF-16 units */, "x".repeat(510) + "😀", "e\u0301", "\u00e9");
    Map<String, String> handleOf = new LinkedHashMap<>();
    int i = 0;
    for (String id : ids) {
      String handle = "u" + (i++);
      handleOf.put(id, handle);
      store.insertSession(session(handle, id, NOW.plusSeconds(600)));
    }

    for (Map.Entry<String, String> e : handleOf.entrySet()) {
      assertThat(store.findLiveHandlesOfUser(e.getKey(), NOW)).as(e.getKey())
          .containsExactly(e.getValue());
      assertThat(store.findSession(e.getValue()).orElseThrow().userId()).isEqualTo(e.getKey());
    }
    assertThat(store.deleteSessionsOfUser("alice")).containsExactly(handleOf.get("alice"));
    assertThat(store.findLiveHandlesOfUser("Alice", NOW)).containsExactly(handleOf.get("Alice"));
    assertThat(store.findLiveHandlesOfUser("alice ", NOW)).containsExactly(handleOf.get("alice "));
    assertThat(count("SELECT COUNT(*) FROM hallpass_sessions")).isEqualTo(ids.size() - 1);
    assertThat(store.loadSigningKeys()).isEmpty(); // and the tables are still there
  }

  @Test
  void largeSessionDataAndPayload_roundTripExactly() {
    StringBuilder big = new StringBuilder("{\"blob\":\"");
    while (big.length() < 1_000_000) {
      big.append("naïve ☃ 𝄞 \\\"q\\\" 'single' ");
    }
    String data = big.append("\"}").toString();
    SessionRecord s = new SessionRecord("big", "tenant-ü", "alice", data, "{\"p\":\"" + "x".repeat(70_000) + "\"}",
        NOW, NOW.plusSeconds(600), "rk", hash(1), hash(0), NOW.minusMillis(1));
    store.insertSession(s);

    SessionRecord back = store.findSession("big").orElseThrow();
    assertThat(back.sessionDataJson()).isEqualTo(data);
    assertThat(back.jwtPayloadJson()).isEqualTo(s.jwtPayloadJson());
    assertThat(back.tenantId()).isEqualTo("tenant-ü");
    assertThat(back.previousRefreshHash()).isEqualTo(hash(0));
    assertThat(back.rotatedAt()).isEqualTo(NOW.minusMillis(1));
    assertThat(store.findSessionData("big", NOW)).contains(data);
    assertThat(store.updateSessionData("big", data + " ", NOW)).isTrue();
    assertThat(store.findSessionData("big", NOW)).contains(data + " ");
  }

  // ---------------------------------------------------------------- liveness and deletion

  @Test
  void expiredSessions_areFoundButNeverLive() {
    store.insertSession(session("gone", "alice", NOW));
    store.insertSession(session("live", "alice", NOW.plusMillis(1)));

    assertThat(store.findSession("gone")).isPresent();
    assertThat(store.isSessionLive("gone", NOW)).isFalse();
    assertThat(store.isSessionLive("live", NOW)).isTrue();
    assertThat(store.findSessionData("gone", NOW)).isEmpty();
    assertThat(store.updateSessionData("gone", "{}", NOW)).isFalse();
    assertThat(store.updateJwtPayload("gone", "{}", NOW)).isFalse();
    assertThat(store.updateJwtPayload("live", "{\"a\":1}", NOW)).isTrue();
    assertThat(store.findSession("live").orElseThrow().jwtPayloadJson()).isEqualTo("{\"a\":1}");
    assertThat(store.findLiveHandlesOfUser("alice", NOW)).containsExactly("live");
    assertThat(store.isSessionLive("missing", NOW)).isFalse();
  }

  @Test
  void deleteExpiredSessions_isBoundedPerCall_andSparesLiveSessions() {
    for (int i = 0; i < 5; i++) {
      store.insertSession(session("old" + i, "u" + i, NOW.minusSeconds(i)));
    }
    store.insertSession(session("edge", "u", NOW)); // expiresAt == now: expired
    store.insertSession(session("live", "u", NOW.plusMillis(1)));

    assertThat(store.deleteExpiredSessions(NOW, 2)).isEqualTo(2);
    assertThat(store.deleteExpiredSessions(NOW, 0)).isZero();
    assertThat(store.deleteExpiredSessions(NOW, 100)).isEqualTo(4);
    assertThat(store.deleteExpiredSessions(NOW, 100)).isZero();
    assertThat(store.findSession("live")).isPresent();
    assertThat(count("SELECT COUNT(*) FROM hallpass_sessions")).isEqualTo(1);
  }

  @Test
  void deleteSessions_returnsOnlyThoseThatExisted_inCallersOrder_acrossManyHandles() {
    List<String> wanted = new ArrayList<>();
    for (int i = 0; i < 450; i++) { // more than one IN (...) chunk
      store.insertSession(session("m" + i, "bulk", NOW.plusSeconds(600)));
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
    assertThat(store.deleteSessions(List.of("m1"))).isEmpty();
    assertThat(store.deleteSessionsOfUser("bulk")).containsExactly("keep");
    assertThat(store.deleteSessionsOfUser("bulk")).isEmpty();
    assertThat(store.deleteSession("keep")).isFalse();
  }

  @Test
  void duplicateHandle_isGeneralError_withoutSecretsInTheMessage() {
    SessionRecord s = session("dup", "alice", NOW.plusSeconds(600));
    store.insertSession(s);

    HallpassException e = catchThrowableOfType(HallpassException.class, () -> store.insertSession(
        new SessionRecord("dup", "public", "bob", "{\"secret-data\":1}", "{}", NOW,
            NOW.plusSeconds(9), "secret-refresh-key", hash(77), null, null)));

    assertThat(e.getType()).isEqualTo(HallpassException.Type.GENERAL_ERROR);
    assertThat(e.getCause()).isInstanceOf(SQLException.class);
    assertThat(e.getMessage()).doesNotContain("secret").doesNotContain(hash(77));
    assertThat(store.findSession("dup").orElseThrow().userId()).isEqualTo("alice");
  }

  // ---------------------------------------------------------------- signing keys

  @Test
  void insertSigningKey_duplicateGenerationIsFalse_andTheConnectionStaysUsable() {
    // One connection: whatever a failed insert left on it, the next call would meet it.
    SessionStore one = open(JdbcSessionStores.builder().maximumPoolSize(1));

    assertThat(one.insertSigningKey(key("k0", 0))).isTrue();
    assertThat(one.insertSigningKey(key("other", 0))).isFalse();
    assertThat(one.insertSigningKey(key("k0", 0))).isFalse(); // a retried insert of the same key
    assertThat(one.insertSigningKey(key("k1", 1))).isTrue();
    one.insertSession(session("h", "alice", NOW.plusSeconds(600)));
    assertThat(one.lockAndDecide("h", r -> RefreshDecision.keep()).kind())
        .isEqualTo(RefreshDecision.Kind.KEEP);

    List<SigningKeyRecord> keys = one.loadSigningKeys();
    assertThat(keys).extracting(SigningKeyRecord::kid).containsExactly("k0", "k1");
    SigningKeyRecord k1 = keys.get(1);
    assertThat(k1.privateKeyPkcs8()).isEqualTo("private-k1");
    assertThat(k1.publicKeyX509()).isEqualTo("public-k1");
    assertThat(k1.createdAt()).isEqualTo(NOW);
    assertThat(k1.signsFrom()).isEqualTo(NOW.plusSeconds(100));
    assertThat(k1.signsUntil()).isEqualTo(NOW.plusSeconds(200));
  }

  @Test
  void insertSigningKey_sameKidInAnotherGeneration_isGeneralError() {
    store.insertSigningKey(key("k0", 0));

    HallpassException e = catchThrowableOfType(HallpassException.class,
        () -> store.insertSigningKey(key("k0", 1)));

    assertThat(e.getType()).isEqualTo(HallpassException.Type.GENERAL_ERROR);
    assertThat(e.getMessage()).doesNotContain("private-k0");
    assertThat(store.loadSigningKeys()).hasSize(1);
  }

  @Test
  void insertSigningKey_racingStores_storeExactlyOneKeyPerGeneration() throws Exception {
    int racers = 6;
    List<SessionStore> racing = new ArrayList<>();
    for (int i = 0; i < racers; i++) {
      racing.add(open(JdbcSessionStores.builder().maximumPoolSize(2)));
    }
    ExecutorService pool = Executors.newFixedThreadPool(racers);
    try {
      CyclicBarrier start = new CyclicBarrier(racers);
      List<Future<Boolean>> won = new ArrayList<>();
      for (int i = 0; i < racers; i++) {
        SessionStore s = racing.get(i);
        String kid = "racer" + i;
        won.add(pool.submit(() -> {
          start.await();
          return s.insertSigningKey(key(kid, 7));
        }));
      }
      int winners = 0;
      for (Future<Boolean> f : won) {
        winners += f.get(60, TimeUnit.SECONDS) ? 1 : 0;
      }
      assertThat(winners).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
    assertThat(store.loadSigningKeys()).hasSize(1);
  }

  @Test
  void deleteSigningKeysRetiredBefore_deletesStrictlyOlderKeys() {
    store.insertSigningKey(key("k0", 0)); // signs until NOW+100s
    store.insertSigningKey(key("k1", 1)); // signs until NOW+200s

    assertThat(store.deleteSigningKeysRetiredBefore(NOW.plusSeconds(100))).isZero();
    assertThat(store.deleteSigningKeysRetiredBefore(NOW.plusSeconds(100).plusMillis(1))).isOne();
    assertThat(store.loadSigningKeys()).extracting(SigningKeyRecord::kid).containsExactly("k1");
  }

  // ---------------------------------------------------------------- life cycle

  @Test
  void poolOfOne_startsOnEmptySchema_andServesEveryCall() {
    closeStores();
    TestDatabases.dropHallpassTables(url());
    // Flyway would want a second connection here; a pool of one proves the store shares one.
    SessionStore one = open(JdbcSessionStores.builder().maximumPoolSize(1)
        .connectionTimeout(java.time.Duration.ofSeconds(3)));

    one.insertSession(session("h", "alice", NOW.plusSeconds(600)));
    assertThat(one.deleteSessionsOfUser("alice")).containsExactly("h");
    assertThat(one.deleteSessions(List.of("h"))).isEmpty();
    assertThat(one.deleteExpiredSessions(NOW, 10)).isZero();
  }

  @Test
  void closedStore_failsWithGeneralError_andCloseIsIdempotent() {
    SessionStore s = open();
    s.close();
    s.close();

    HallpassException e = catchThrowableOfType(HallpassException.class,
        () -> s.findSession("h"));
    assertThat(e.getType()).isEqualTo(HallpassException.Type.GENERAL_ERROR);
    assertThat(s.toString()).contains("closed");
  }
}
