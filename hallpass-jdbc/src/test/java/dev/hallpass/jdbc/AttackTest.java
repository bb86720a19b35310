package dev.hallpass.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallpass.Hallpass;
import dev.hallpass.HallpassException;
import dev.hallpass.Session;
import dev.hallpass.SessionInformation;
import dev.hallpass.spi.SessionRecord;
import dev.hallpass.spi.SessionStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The attack suite on the real SQL stores (H2, PostgreSQL, MariaDB): SQL metacharacters and very
 * long values in every field a caller or a client controls. Each value is stored and read back
 * exactly, or refused cleanly (IllegalArgumentException, or an UNAUTHORISED lookup), and never
 * changes another session. PostgreSQL and MariaDB come from {@code HALLPASS_TEST_POSTGRES_URL} and
 * {@code HALLPASS_TEST_MARIADB_URL} (skipped with a reason when unreachable; failed under CI=true).
 */
class AttackTest {

  /** The databases the suite runs on. */
  enum Db {
    H2,
    POSTGRES,
    MARIADB
  }

  @TempDir static Path dir;

  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  static String url(Db db) {
    return switch (db) {
      case H2 -> "jdbc:h2:file:" + dir.resolve("attack").toAbsolutePath() + ";LOCK_TIMEOUT=10000";
      case POSTGRES -> TestDatabases.require(TestDatabases.Server.POSTGRES);
      case MARIADB -> TestDatabases.require(TestDatabases.Server.MARIADB);
    };
  }

  private SessionStore store(Db db) {
    String url = url(db);
    SessionStore s = JdbcSessionStores.builder().jdbcUrl(url).build();
    TestDatabases.deleteAllRows(url);
    open.add(s);
    return s;
  }

  private Hallpass engine(SessionStore store) {
    Hallpass h =
        Hallpass.builder()
            .store(store)
            .antiCsrf(true)
            .accessTokenBlacklisting(true)
            .disableBackgroundCleanup()
            .build();
    open.add(0, h); // engines close before their stores
    return h;
  }

  /** Strings a SQL layer could mistake for syntax, patterns, escapes or encodings. */
  static final List<String> NASTY =
      List.of(
          "'",
          "''",
          "\"",
          "\\",
          "\\'",
          "' OR '1'='1",
          "'; DROP TABLE hallpass_sessions; --",
          "\"; DELETE FROM hallpass_sessions; --",
          "1); DELETE FROM hallpass_signing_keys; --",
          "%",
          "_",
          "a%b_c",
          "[a-z]*",
          "$1",
          "?",
          ":name",
          "/* comment */",
          "-- comment",
          "`backtick`",
          "\u00e9\u00e8 \u4e2d\u6587 \u0627\u0644\u0639\u0631\u0628\u064a\u0629",
          "\uD83D\uDE00 emoji \uD834\uDD1E",
          "trailing space ",
          " leading space",
          "Alice",
          "alice",
          "tab\tnew\nline\rreturn",
          "\u0001\u001f\u007f",
          "\u202e right-to-left",
          "\uFEFF bom",
          "0x27",
          "CHAR(39)",
          "null",
          "NULL");

  @ParameterizedTest
  @EnumSource(Db.class)
  void sqlMetacharactersAndLongValues_inUserIdPayloadAndData_roundTripExactly(Db db) {
    Hallpass h = engine(store(db));
    Session bystander =
        h.createNewSession("bystander", Map.of("role", "reader"), Map.of("cart", 3));
    List<String> values = new ArrayList<>(NASTY);
    values.add("u".repeat(512)); // the longest user id
    values.add("\uD83D\uDE00".repeat(20)); // 4-byte characters: 80 bytes in utf8mb4
    for (String v : values) {
      Map<String, Object> payload = new LinkedHashMap<>();
      payload.put(v.length() > 100 ? "long" : v, v.length() > 100 ? "x" : v);
      Map<String, Object> data = new LinkedHashMap<>();
      data.put(v, v);
      data.put("nested", Map.of(v, List.of(v, 1, 2.5, true)));
      Session s = h.createNewSession(v, payload, data);
      assertThat(s.getUserId()).isEqualTo(v);

      Session verified =
          h.getSession(s.getAccessToken(), s.getTokens().getAntiCsrfToken(), true, true);
      assertThat(verified.getUserId()).isEqualTo(v);
      SessionInformation info = h.getSessionInformation(s.getHandle());
      assertThat(info.getUserId()).isEqualTo(v);
      assertThat(info.getSessionData()).isEqualTo(data);
      assertThat(info.getJWTPayload()).isEqualTo(payload);
      assertThat(h.getAllSessionHandlesForUser(v)).containsExactly(s.getHandle());
      Session refreshed =
          h.refreshSession(s.getTokens().getRefreshToken(), s.getTokens().getAntiCsrfToken());
      assertThat(refreshed.getUserId()).isEqualTo(v);
      assertThat(refreshed.getJWTPayload()).isEqualTo(payload);
      h.updateSessionData(s.getHandle(), Map.of("again", v));
      assertThat(h.getSessionData(s.getHandle())).isEqualTo(Map.of("again", v));
      // revoking by a pattern-like or quote-like user id removes only that user's sessions
      assertThat(h.revokeAllSessionsForUser(v)).containsExactly(s.getHandle());
    }
    // 512 UTF-16 units is a valid user id, but as escaped JSON (sub and rsub) it makes a token
    // over the 4,000-character limit: refused whole, nothing stored
    String emoji = "\uD83D\uDE00".repeat(256);
    assertThatThrownBy(() -> h.createNewSession(emoji, null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("userId");
    assertThat(h.getAllSessionHandlesForUser(emoji)).isEmpty();
    assertBystanderIntact(h, bystander);
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void hugeSessionData_isStoredExactly_orRefusedCleanly_andOversizedInputsAreRefused(Db db) {
    Hallpass h = engine(store(db));
    Session bystander =
        h.createNewSession("bystander", Map.of("role", "reader"), Map.of("cart", 3));
    String big = "'\"\\%_;-- ".repeat(100_000); // 1 MB of SQL metacharacters
    Session s = h.createNewSession("alice", null, Map.of("blob", big));
    assertThat(h.getSessionData(s.getHandle())).isEqualTo(Map.of("blob", big));
    // the limits hold whatever the store could take
    assertThatThrownBy(() -> h.createNewSession("u".repeat(513), null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("userId");
    assertThatThrownBy(() -> h.createNewSession("a\u0000b", null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("userId");
    assertThatThrownBy(() -> h.createNewSession("a\uD800b", null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("userId");
    assertThatThrownBy(() -> h.createNewSession("alice", Map.of("p", "'".repeat(3000)), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jwtPayload");
    assertThatThrownBy(() -> h.getAllSessionHandlesForUser("u".repeat(100_000)))
        .isInstanceOf(IllegalArgumentException.class);
    assertBystanderIntact(h, bystander);
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void sqlMetacharactersAsHandles_findNothing_andChangeNothing(Db db) {
    Hallpass h = engine(store(db));
    Session bystander =
        h.createNewSession("bystander", Map.of("role", "reader"), Map.of("cart", 3));
    List<String> handles = new ArrayList<>(NASTY);
    handles.add("x".repeat(100_000));
    handles.add(bystander.getHandle() + "' OR '1'='1");
    handles.add(bystander.getHandle().toUpperCase(java.util.Locale.ROOT));
    handles.add(bystander.getHandle() + " ");
    handles.add("%" + bystander.getHandle().substring(1));
    for (String handle : handles) {
      assertUnauthorised(() -> h.getSessionInformation(handle));
      assertUnauthorised(() -> h.getSessionData(handle));
      assertUnauthorised(() -> h.getJWTPayload(handle));
      assertUnauthorised(() -> h.updateSessionData(handle, Map.of("owned", true)));
      assertUnauthorised(() -> h.updateJWTPayload(handle, Map.of("owned", true)));
      assertThat(h.revokeSession(handle)).isFalse();
      assertThat(h.revokeMultipleSessions(List.of(handle, handle))).isEmpty();
    }
    assertThat(h.revokeAllSessionsForUser("%")).isEmpty();
    assertThat(h.revokeAllSessionsForUser("' OR '1'='1")).isEmpty();
    assertThat(h.getAllSessionHandlesForUser("_ystander")).isEmpty();
    assertBystanderIntact(h, bystander);
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void sqlMetacharactersAndMaxLength_inTenantIds_roundTripExactly_orRefusedCleanly(Db db) {
    // Tenants reach the store through the SPI only (the engine uses "public"): store level.
    SessionStore store = store(db);
    Hallpass h = engine(store); // for a bystander made the normal way
    Session bystander =
        h.createNewSession("bystander", Map.of("role", "reader"), Map.of("cart", 3));
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    List<String> tenants = new ArrayList<>(NASTY);
    tenants.add("t".repeat(128));
    int n = 0;
    for (String tenant : tenants) {
      String handle = "tenant-attack-" + n++;
      store.insertSession(
          SessionRecord.created(
              handle,
              tenant,
              "user-" + tenant,
              "{\"d\":1}",
              "{}",
              now,
              now.plus(Duration.ofHours(1)),
              "AbC-_0zZ",
              "0".repeat(64)));
      SessionRecord back = store.findSession(handle).orElseThrow();
      assertThat(back.tenantId()).isEqualTo(tenant);
      assertThat(back.userId()).isEqualTo("user-" + tenant);
    }
    // over the documented maximum: a clean GENERAL_ERROR (or stored whole), never a truncation
    try {
      store.insertSession(
          SessionRecord.created(
              "tenant-too-long",
              "t".repeat(129),
              "u",
              "{}",
              "{}",
              now,
              now.plus(Duration.ofHours(1)),
              "AbC-_0zZ",
              "0".repeat(64)));
      assertThat(store.findSession("tenant-too-long").orElseThrow().tenantId())
          .isEqualTo("t".repeat(129));
    } catch (HallpassException e) {
      assertThat(e.getType()).isEqualTo(HallpassException.Type.GENERAL_ERROR);
      assertThat(store.findSession("tenant-too-long")).isEmpty();
    }
    assertBystanderIntact(h, bystander);
  }

  private static void assertUnauthorised(Runnable call) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            HallpassException.class,
            e -> assertThat(e.getType()).isEqualTo(HallpassException.Type.UNAUTHORISED));
  }

  private static void assertBystanderIntact(Hallpass h, Session bystander) {
    SessionInformation info = h.getSessionInformation(bystander.getHandle());
    assertThat(info.getUserId()).isEqualTo("bystander");
    assertThat(info.getSessionData()).isEqualTo(Map.of("cart", 3));
    assertThat(info.getJWTPayload()).isEqualTo(Map.of("role", "reader"));
    assertThat(
            h.getSession(
                    bystander.getAccessToken(),
                    bystander.getTokens().getAntiCsrfToken(),
                    true,
                    true)
                .getUserId())
        .isEqualTo("bystander");
  }
}
