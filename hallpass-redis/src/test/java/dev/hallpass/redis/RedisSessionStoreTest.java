package dev.hallpass.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallpass.HallpassException;
import dev.hallpass.spi.RefreshWrite;
import dev.hallpass.spi.SessionRecord;
import dev.hallpass.spi.SessionStore;
import dev.hallpass.spi.SessionStore.RefreshDecision;
import dev.hallpass.spi.SigningKeyRecord;
import dev.hallpass.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What is particular to Redis, on one server: expiry of keys, prefixes, the clock, the CAS. */
class RedisSessionStoreTest {

  private static final TestRedis.Target TARGET = TestRedis.Target.SERVER;
  private static final String HASH_A = "a".repeat(64);
  private static final String HASH_B = "b".repeat(64);

  private final List<SessionStore> opened = new ArrayList<>();

  @BeforeAll
  static void requireRedis() {
    TestRedis.require(TARGET);
  }

  @AfterAll
  static void deleteKeys() {
    TestRedis.deleteRunKeys(TARGET);
  }

  @AfterEach
  void closeStores() {
    opened.forEach(SessionStore::close);
  }

  private SessionStore open(RedisSessionStores.Builder b) {
    SessionStore s = b.build();
    opened.add(s);
    return s;
  }

  /** When a key expires (PEXPIRETIME), epoch ms. */
  private static long expiryOf(String key) {
    Long at = TestRedis.withCommands(TARGET, c -> c.pexpiretime(key));
    return at;
  }

  private static double scoreOf(String key, String member) {
    Double score = TestRedis.withCommands(TARGET, c -> c.zscore(key, member));
    return score == null ? Double.NaN : score;
  }

  /** The Redis server's time, to the millisecond. */
  private static Instant redisTime() {
    List<String> t = TestRedis.withCommands(TARGET, c -> c.time());
    return Instant.ofEpochMilli(Long.parseLong(t.get(0)) * 1000 + Long.parseLong(t.get(1)) / 1000);
  }

  private static SessionRecord session(String handle, String userId, Instant created, Instant exp) {
    return SessionRecord.created(
        handle, "public", userId, "{}", "{}", created, exp, "rk-" + handle, HASH_A);
  }

  private record Decision(RefreshWrite write) implements RefreshDecision {}

  @Test
  public void insertAndRotate_expireTheSessionKey_atExpiryPlusRetention_onTheRedisClock() {
    String prefix = TestRedis.newPrefix();
    SessionStore store =
        open(TestRedis.builder(TARGET, prefix).expiredSessionRetention(Duration.ofMinutes(5)));
    Instant now = redisTime();
    Instant expires = now.plusSeconds(600);
    store.insertSession(session("h", "alice", now, expires));

    Keys keys = new Keys(prefix);
    long retention = Duration.ofMinutes(5).toMillis();
    assertThat(expiryOf(keys.session("h"))).isEqualTo(expires.toEpochMilli() + retention);
    assertThat(expiryOf(keys.user("alice")))
        .as("the user's index outlives the session")
        .isGreaterThanOrEqualTo(expires.toEpochMilli() + retention);
    long bucket = Keys.bucketOf(expires);
    assertThat(expiryOf(keys.bucket(bucket))).isEqualTo(Keys.bucketEnd(bucket) + retention);

    Instant extended = now.plus(Duration.ofDays(30));
    store.lockAndDecide(
        "h",
        (rec, t) ->
            new Decision(
                new RefreshWrite.Rotate(HASH_B, rec.currentRefreshHash(), 0, t, extended)));

    assertThat(expiryOf(keys.session("h"))).isEqualTo(extended.toEpochMilli() + retention);
    assertThat(expiryOf(keys.user("alice")))
        .isGreaterThanOrEqualTo(extended.toEpochMilli() + retention);
    assertThat(scoreOf(keys.bucket(Keys.bucketOf(extended)), "h"))
        .as("re-filed under its new expiry hour")
        .isEqualTo((double) extended.toEpochMilli());
  }

  @Test
  public void lockAndDecide_withoutAClock_passesTheRedisServersTime() {
    SessionStore store = open(TestRedis.builder(TARGET, TestRedis.newPrefix()));
    Instant before = redisTime();
    store.insertSession(session("h", "alice", before, before.plusSeconds(600)));
    AtomicReference<Instant> seen = new AtomicReference<>();

    store.lockAndDecide(
        "h",
        (rec, t) -> {
          seen.set(t);
          return new Decision(RefreshWrite.KEEP);
        });
    Instant after = redisTime();

    assertThat(seen.get()).isBetween(before, after);
  }

  @Test
  public void lockAndDecide_sessionChangedBetweenReadAndWrite_decidesAgainOnTheNewState() {
    String prefix = TestRedis.newPrefix();
    SessionStore store = open(TestRedis.builder(TARGET, prefix));
    SessionStore otherProcess = open(TestRedis.builder(TARGET, prefix));
    Instant now = redisTime();
    store.insertSession(session("h", "alice", now, now.plusSeconds(600)));
    List<String> dataSeen = new ArrayList<>();

    Decision d =
        store.lockAndDecide(
            "h",
            (rec, t) -> {
              dataSeen.add(rec.sessionDataJson());
              if (dataSeen.size() == 1) {
                // a write by another process lands between this read and the write below
                otherProcess.updateSessionData("h", "{\"changed\":true}", t);
              }
              return new Decision(
                  new RefreshWrite.Rotate(
                      HASH_B, rec.currentRefreshHash(), dataSeen.size(), t, now.plusSeconds(900)));
            });

    assertThat(dataSeen).containsExactly("{}", "{\"changed\":true}");
    SessionRecord after = store.findSession("h").orElseThrow();
    assertThat(after.childIndex()).isEqualTo(2);
    assertThat(after.sessionDataJson()).isEqualTo("{\"changed\":true}");
    assertThat(((RefreshWrite.Rotate) d.write()).childIndex()).isEqualTo(2);
  }

  @Test
  public void lockAndDecide_deleteDecisionOnAChangedSession_decidesAgain_andDeletesNothingStale() {
    String prefix = TestRedis.newPrefix();
    SessionStore store = open(TestRedis.builder(TARGET, prefix));
    SessionStore otherProcess = open(TestRedis.builder(TARGET, prefix));
    Instant now = redisTime();
    store.insertSession(session("h", "alice", now, now.plusSeconds(600)));
    AtomicInteger calls = new AtomicInteger();

    store.lockAndDecide(
        "h",
        (rec, t) -> {
          if (calls.incrementAndGet() == 1) {
            otherProcess.lockAndDecide(
                "h",
                (r2, t2) ->
                    new Decision(
                        new RefreshWrite.Rotate(
                            HASH_B, r2.currentRefreshHash(), 0, t2, now.plusSeconds(900))));
            return new Decision(RefreshWrite.DELETE); // decided on the stale state
          }
          return new Decision(RefreshWrite.KEEP); // the fresh state is fine
        });

    assertThat(calls.get()).isEqualTo(2);
    assertThat(store.findSession("h").orElseThrow().currentRefreshHash()).isEqualTo(HASH_B);
  }

  @Test
  public void lockAndDecide_sessionChangingOnEveryAttempt_givesUpAfterTheBound_withGeneralError() {
    String prefix = TestRedis.newPrefix();
    SessionStore store = open(TestRedis.builder(TARGET, prefix));
    SessionStore otherProcess = open(TestRedis.builder(TARGET, prefix));
    Instant now = redisTime();
    SessionRecord s = session("h", "alice", now, now.plusSeconds(600));
    store.insertSession(s);
    AtomicInteger calls = new AtomicInteger();

    Throwable t =
        org.assertj.core.api.Assertions.catchThrowable(
            () ->
                store.lockAndDecide(
                    "h",
                    (rec, time) -> {
                      int n = calls.incrementAndGet();
                      otherProcess.updateSessionData("h", "{\"n\":" + n + "}", time);
                      return new Decision(
                          new RefreshWrite.Rotate(HASH_B, HASH_A, 0, time, now.plusSeconds(900)));
                    }));

    assertThat(t).isInstanceOf(HallpassException.class);
    assertThat(((HallpassException) t).getType()).isEqualTo(HallpassException.Type.GENERAL_ERROR);
    assertThat(calls.get()).isEqualTo(RedisSessionStore.MAX_ATTEMPTS);
    assertThat(store.findSession("h").orElseThrow().currentRefreshHash())
        .as("no rotation was written")
        .isEqualTo(HASH_A);
  }

  @Test
  public void scriptsFlushedFromTheServer_areLoadedAgain_byTheNextCall() {
    SessionStore store = open(TestRedis.builder(TARGET, TestRedis.newPrefix()));
    Instant now = redisTime();
    store.insertSession(session("h", "alice", now, now.plusSeconds(600)));

    TestRedis.withCommands(TARGET, c -> c.scriptFlush()); // as after a restart or a failover

    assertThat(store.confirmRefreshToken("h", HASH_A, now)).isTrue();
    Decision d =
        store.lockAndDecide(
            "h",
            (rec, t) ->
                new Decision(new RefreshWrite.Rotate(HASH_B, HASH_A, 0, t, now.plusSeconds(900))));
    assertThat(d.write()).isInstanceOf(RefreshWrite.Rotate.class);
    assertThat(store.findSession("h").orElseThrow().currentRefreshHash()).isEqualTo(HASH_B);
  }

  @Test
  public void deleteExpiredSessions_findsASessionRefreshedIntoALaterHour_onlyOnceItExpires() {
    Instant start = Instant.parse("2031-05-17T08:30:00Z");
    SessionStore store =
        open(TestRedis.builder(TARGET, TestRedis.newPrefix()).clock(new MutableClock(start)));
    store.insertSession(session("h", "alice", start, start.plusSeconds(10)));
    Instant later = start.plus(Duration.ofHours(3));
    store.lockAndDecide(
        "h", (rec, t) -> new Decision(new RefreshWrite.Rotate(HASH_B, HASH_A, 0, t, later)));

    // Three hours on, only the hours around the new expiry are read: the refresh re-filed it.
    assertThat(store.deleteExpiredSessions(later.minusMillis(1), 10)).isZero();
    assertThat(store.findSession("h")).isPresent();
    assertThat(store.deleteExpiredSessions(later, 10)).isEqualTo(1);
    assertThat(store.findSession("h")).isEmpty();
    assertThat(store.findLiveHandlesOfUser("alice", start)).isEmpty();
  }

  @Test
  public void refreshBeyondTheUserIndexBound_extendsIt_soTheSessionStaysListedAndRevocable() {
    Instant start = Instant.parse("2031-05-17T08:30:00Z");
    SessionStore store =
        open(TestRedis.builder(TARGET, TestRedis.newPrefix()).clock(new MutableClock(start)));
    store.insertSession(session("h", "alice", start, start.plusSeconds(10)));
    Instant later = start.plus(Duration.ofDays(30));
    store.lockAndDecide(
        "h", (rec, t) -> new Decision(new RefreshWrite.Rotate(HASH_B, HASH_A, 0, t, later)));

    // Past the first bound (expiry + retention + headroom: about an hour), entries are pruned.
    Instant inTwoHours = start.plus(Duration.ofHours(2));
    assertThat(store.findLiveHandlesOfUser("alice", inTwoHours)).containsExactly("h");
    assertThat(store.deleteSessionsOfUser("alice")).containsExactly("h");
  }

  @Test
  public void insertion_prunesTheUsersIndexOfEntriesWhoseSessionsAreGone() {
    Instant start = Instant.parse("2031-05-17T08:30:00Z");
    MutableClock clock = new MutableClock(start);
    String prefix = TestRedis.newPrefix();
    SessionStore store = open(TestRedis.builder(TARGET, prefix).clock(clock));
    for (int i = 0; i < 5; i++) {
      store.insertSession(session("old" + i, "alice", start, start.plusSeconds(10)));
    }
    clock.advance(Duration.ofDays(1)); // far past expiry + retention + headroom

    store.insertSession(session("new", "alice", clock.instant(), clock.instant().plusSeconds(60)));

    String index = new Keys(prefix).user("alice");
    List<String> entries = TestRedis.withCommands(TARGET, c -> c.zrange(index, 0, -1));
    assertThat(entries).containsExactly("new");
  }

  @Test
  public void keyPrefixes_isolateStoresOnOneRedis_andEveryKeyStartsWithThePrefix() {
    String p1 = TestRedis.newPrefix();
    String p2 = TestRedis.newPrefix();
    SessionStore one = open(TestRedis.builder(TARGET, p1));
    SessionStore two = open(TestRedis.builder(TARGET, p2));
    Instant now = redisTime();
    one.insertSession(session("same", "alice", now, now.plusSeconds(600)));
    two.insertSession(
        SessionRecord.created(
            "same", "public", "bob", "{\"two\":1}", "{}", now, now.plusSeconds(60), "rk", HASH_B));
    one.insertSigningKey(
        new SigningKeyRecord("d-one", 0, "priv", "pub", now, now, now.plusSeconds(60)));

    assertThat(one.findSession("same").orElseThrow().userId()).isEqualTo("alice");
    assertThat(two.findSession("same").orElseThrow().userId()).isEqualTo("bob");
    assertThat(two.loadSigningKeys()).isEmpty();
    assertThat(two.findLiveHandlesOfUser("alice", now)).isEmpty();
    assertThat(two.deleteSessionsOfUser("alice")).isEmpty();
    assertThat(one.findLiveHandlesOfUser("alice", now)).containsExactly("same");

    List<String> written = TestRedis.keys(TARGET, TestRedis.RUN_PREFIX);
    assertThat(written).allMatch(k -> k.startsWith(p1) || k.startsWith(TestRedis.RUN_PREFIX));
    assertThat(TestRedis.keys(TARGET, p1)).hasSize(4); // session, user index, bucket, keys
    assertThat(TestRedis.keys(TARGET, p2)).hasSize(3);
  }

  @Test
  public void duplicateHandleForAnotherUser_leavesThatUserWithNothingListedOrDeleted() {
    SessionStore store = open(TestRedis.builder(TARGET, TestRedis.newPrefix()));
    Instant now = redisTime();
    SessionRecord alices = session("h", "alice", now, now.plusSeconds(600));
    store.insertSession(alices);

    assertThatThrownBy(() -> store.insertSession(session("h", "mallory", now, now.plusSeconds(9))))
        .isInstanceOf(HallpassException.class);

    assertThat(store.findLiveHandlesOfUser("mallory", now)).isEmpty();
    assertThat(store.deleteSessionsOfUser("mallory")).isEmpty();
    assertThat(store.findSession("h")).contains(alices);
    assertThat(store.findLiveHandlesOfUser("alice", now)).containsExactly("h");
  }

  @Test
  public void builder_rejectsBadOptions_namingThem_andNeverEchoesTheUri() {
    assertThatThrownBy(() -> RedisSessionStores.builder().keyPrefix("a{b}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keyPrefix");
    assertThatThrownBy(() -> RedisSessionStores.builder().keyPrefix(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keyPrefix");
    assertThatThrownBy(
            () -> RedisSessionStores.builder().expiredSessionRetention(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expiredSessionRetention");
    assertThatThrownBy(() -> RedisSessionStores.builder().commandTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("commandTimeout");
    assertThatThrownBy(() -> RedisSessionStores.builder().clusterUris(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("clusterUris");
    assertThatThrownBy(() -> RedisSessionStores.builder().uri("http://user:s3cret@host"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("uri")
        .hasMessageNotContaining("s3cret");
    assertThatThrownBy(() -> RedisSessionStores.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("uri")
        .hasMessageContaining("clusterUris");
    assertThatThrownBy(
            () ->
                RedisSessionStores.builder()
                    .uri("redis://127.0.0.1:6379")
                    .clusterUris("redis://127.0.0.1:7000")
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("uri and clusterUris");
    assertThat(RedisSessionStores.builder().uri("redis://:s3cret@127.0.0.1:6379").toString())
        .doesNotContain("s3cret");
  }

  @Test
  public void unreachableRedis_isGeneralError_withoutThePassword() {
    Throwable t =
        org.assertj.core.api.Assertions.catchThrowable(
            () ->
                RedisSessionStores.builder()
                    .uri("redis://:s3cret-pw@127.0.0.1:1")
                    .commandTimeout(Duration.ofSeconds(2))
                    .build());

    assertThat(t).isInstanceOf(HallpassException.class);
    assertThat(((HallpassException) t).getType()).isEqualTo(HallpassException.Type.GENERAL_ERROR);
    for (Throwable x = t; x != null; x = x.getCause()) {
      assertThat(String.valueOf(x.getMessage())).doesNotContain("s3cret-pw");
    }
  }
}
