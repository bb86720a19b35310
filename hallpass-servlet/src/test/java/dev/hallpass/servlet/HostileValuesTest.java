package dev.hallpass.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallpass.SessionStores;
import dev.hallpass.jdbc.JdbcSessionStores;
import dev.hallpass.spi.SessionStore;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * SQL metacharacters, odd Unicode and very long values in the user id, the JWT payload and the
 * session data, sent over HTTP to an application on a real SQL store: they round-trip exactly, or
 * are refused with a 400 and nothing stored.
 */
class HostileValuesTest {

  enum Store {
    IN_MEMORY,
    POSTGRES,
    MARIADB
  }

  private static final List<String> HOSTILE_USER_IDS =
      List.of(
          "' OR '1'='1",
          "'; DROP TABLE hallpass_sessions; --",
          "robert'); DELETE FROM hallpass_sessions WHERE ('1'='1",
          "\" OR \"\"=\"",
          "\\'; SELECT pg_sleep(10); --",
          "a%_b*",
          "$1 ? :name @p0",
          "/* */ UNION SELECT * FROM hallpass_signing_keys --",
          "\u00e9\u6f22\u5b57\ud83d\ude42 \u202e",
          "tab\tnew\nline\r",
          "NULL",
          "<script>alert(1)</script>",
          "u".repeat(511) + "'");

  /** An app on the store, which starts empty; null database URL for the in-memory store. */
  private static TestApp start(Store kind, String[] url) throws Exception {
    Function<Clock, SessionStore> factory;
    switch (kind) {
      case POSTGRES, MARIADB -> {
        TestDatabases.Server server =
            kind == Store.POSTGRES ? TestDatabases.Server.POSTGRES : TestDatabases.Server.MARIADB;
        url[0] = TestDatabases.require(server);
        TestDatabases.dropHallpassTables(url[0]);
        factory = clock -> JdbcSessionStores.builder().jdbcUrl(url[0]).clock(clock).build();
      }
      default -> factory = SessionStores::inMemory;
    }
    return TestApp.start(factory, w -> w.allowInsecureCookies(), 8 * 1024);
  }

  private static HttpRequest.BodyPublisher json(Object value) throws Exception {
    return HttpRequest.BodyPublishers.ofString(TestApp.JSON.writeValueAsString(value));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> body(TestApp.Reply r) throws Exception {
    return TestApp.JSON.readValue(r.body(), Map.class);
  }

  @ParameterizedTest
  @EnumSource(Store.class)
  void userIds_withSqlMetacharactersAndOddUnicode_roundTripExactly(Store kind) throws Exception {
    String[] url = new String[1];
    try (TestApp app = start(kind, url)) {
      for (String userId : HOSTILE_USER_IDS) {
        TestApp.Client c = app.client();
        TestApp.Reply signIn = c.send("POST", "/signin-with", json(Map.of("user", userId)));
        assertThat(signIn.status()).as(userId).isEqualTo(200);

        assertThat(body(c.send("GET", "/api/data"))).as(userId).containsEntry("userId", userId);
        assertThat(signIn.frontToken()).as(userId).containsEntry("uid", userId);
        assertThat(app.engine.getAllSessionHandlesForUser(userId)).as(userId).hasSize(1);
        TestApp.Reply refreshed = c.send("POST", "/auth/session/refresh");
        assertThat(refreshed.status()).as(userId).isEqualTo(200);
        assertThat(refreshed.frontToken()).as(userId).containsEntry("uid", userId);
      }
      // No user id reached another user's sessions, and the tables are all still there.
      assertThat(app.engine.getAllSessionHandlesForUser("u".repeat(511))).isEmpty();
      if (url[0] != null) {
        assertThat(TestDatabases.sessionRows(url[0])).isEqualTo(HOSTILE_USER_IDS.size());
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Store.class)
  void payloadAndSessionData_withMetacharactersNulAndLongValues_roundTripExactly(Store kind)
      throws Exception {
    String[] url = new String[1];
    try (TestApp app = start(kind, url)) {
      Map<String, Object> payload = new LinkedHashMap<>();
      payload.put("q", "' OR 1=1; --");
      payload.put("nul", "a\u0000b");
      payload.put("u", "\u00e9\ud83d\ude42");
      payload.put("'); DROP TABLE hallpass_sessions; --", "key too");
      payload.put("long", "p".repeat(1_500));
      Map<String, Object> data = new LinkedHashMap<>();
      data.put("q", "\\\"'; DELETE FROM hallpass_sessions; --");
      data.put("nul", "\u0000");
      data.put("big", "d".repeat(256 * 1024));
      data.put("nested", Map.of("list", List.of("'", "\"", "%", "_")));
      TestApp.Client c = app.client();

      TestApp.Reply signIn =
          c.send("POST", "/signin-with", json(Map.of("user", "alice", "payload", payload)));
      assertThat(signIn.status()).isEqualTo(200);
      TestApp.Reply put = c.send("PUT", "/api/data", json(data));

      assertThat(put.status()).isEqualTo(200);
      Map<String, Object> read = body(c.send("GET", "/api/data"));
      assertThat(read.get("payload")).isEqualTo(payload);
      assertThat(read.get("data")).isEqualTo(data);
      assertThat(TestApp.jwtPayload(c.cookie("sAccessToken"))).containsAllEntriesOf(payload);
      assertThat(c.send("POST", "/auth/session/refresh").status()).isEqualTo(200);
      assertThat(body(c.send("GET", "/api/data")).get("data")).isEqualTo(data);
    }
  }

  @ParameterizedTest
  @EnumSource(Store.class)
  void oversizedOrInvalidUserIdsAndPayloads_areRefusedWith400_andNothingIsStored(Store kind)
      throws Exception {
    String[] url = new String[1];
    try (TestApp app = start(kind, url)) {
      List<Map<String, Object>> refused =
          List.of(
              Map.of("user", "u".repeat(513)),
              Map.of("user", ""),
              Map.of("user", "nul\u0000byte"),
              Map.of("user", "alice", "payload", Map.of("big", "p".repeat(2_100))),
              Map.of("user", "alice", "payload", Map.of("sub", "admin")));
      for (Map<String, Object> in : refused) {
        TestApp.Reply r = app.client().send("POST", "/signin-with", json(in));
        String what = in.keySet() + " " + in.toString().length() + " chars";
        assertThat(r.status()).as(what).isEqualTo(400);
        assertThat(r.raw.headers().allValues("Set-Cookie")).as(what).isEmpty();
        assertThat(body(r).get("message").toString())
            .as(what)
            .containsAnyOf("userId", "jwtPayload");
      }
      // A lone surrogate can only travel JSON-escaped (UTF-8 cannot carry it).
      TestApp.Reply lone =
          app.client()
              .send(
                  "POST",
                  "/signin-with",
                  HttpRequest.BodyPublishers.ofString("{\"user\":\"lone \\ud800 surrogate\"}"));
      assertThat(lone.status()).isEqualTo(400);
      assertThat(body(lone).get("message").toString()).contains("userId");
      assertThat(app.engine.getAllSessionHandlesForUser("alice")).isEmpty();
      if (url[0] != null) {
        assertThat(TestDatabases.sessionRows(url[0])).isZero();
      }
    }
  }
}
