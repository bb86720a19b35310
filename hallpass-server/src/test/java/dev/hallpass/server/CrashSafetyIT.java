package dev.hallpass.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A server process on PostgreSQL is killed with SIGKILL while 50 clients refresh their sessions as
 * fast as they can, then started again. Each client follows the protocol: it sends its newest
 * refresh token, keeps it when the answer does not arrive, and sends it again to the restarted
 * server; now and then it uses its new access token (which confirms its refresh token).
 *
 * <p>Expected, by the rotation rules: no committed session is lost; none is left half-rotated (each
 * row's current token is the one its client holds); every retry of a lost answer succeeds (the same
 * child within the grace period, a new child after it); no TOKEN_THEFT_DETECTED.
 *
 * <p>Bounded: 50 sessions, the kill after 150 refreshes, then 3 rounds per session; each request
 * times out after 10 s, the test after 180 s.
 */
@Timeout(180)
class CrashSafetyIT {
  private static final int SESSIONS = 50;
  private static final int REFRESHES_BEFORE_KILL = 150;
  private static final int ROUNDS_AFTER_RESTART = 3;

  private final List<ServerProcess> servers = new ArrayList<>();
  private ExecutorService pool;

  @AfterEach
  void cleanUp() throws Exception {
    if (pool != null) {
      pool.shutdownNow();
    }
    for (ServerProcess s : servers) {
      s.close();
    }
  }

  /** One client: the tokens it holds. */
  private static final class Client {
    final String handle;
    String refreshToken;
    String antiCsrf;
    String accessToken;
    int refreshes;
    int lostAnswers;

    Client(JsonNode created) {
      handle = created.get("session").get("handle").asText();
      take(created);
    }

    void take(JsonNode answer) {
      refreshToken = answer.get("refreshToken").get("token").asText();
      antiCsrf = answer.get("antiCsrfToken").asText();
      accessToken = answer.get("accessToken").get("token").asText();
    }
  }

  private ServerProcess start(String url) throws Exception {
    ServerProcess s =
        ServerProcess.start(
            "--database-url",
            url,
            "--database-pool-size",
            "8",
            // Short, so that retries after the restart also meet rule 3 (a new child).
            "--refresh-grace-period",
            "2s",
            "--max-threads",
            "64");
    servers.add(s);
    s.uri();
    return s;
  }

  @Test
  void sigkillDuringConcurrentRefreshes_losesNoSession_andEveryClientContinues_withoutTheft()
      throws Exception {
    String url = ServerProcess.postgresWithEmptySchema();
    ServerProcess first = start(url);
    ApiClient a = first.client();
    List<Client> clients = new ArrayList<>();
    for (int i = 0; i < SESSIONS; i++) {
      clients.add(new Client(a.createSession("crash-" + i, "{\"n\":" + i + "}", "{}")));
    }

    AtomicInteger refreshed = new AtomicInteger();
    CompletableFuture<ApiClient> restarted = new CompletableFuture<>();
    ConcurrentLinkedQueue<String> verdicts = new ConcurrentLinkedQueue<>();
    Map<String, String> heldAtKill = new ConcurrentHashMap<>();
    pool = Executors.newFixedThreadPool(SESSIONS);
    List<Future<?>> runs = new ArrayList<>();
    for (Client c : clients) {
      runs.add(pool.submit(() -> run(c, a, restarted, refreshed, verdicts, heldAtKill)));
    }

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (refreshed.get() < REFRESHES_BEFORE_KILL) {
      assertThat(System.nanoTime()).as("refreshes before the kill").isLessThan(deadline);
      Thread.onSpinWait();
    }
    first.kill();
    int beforeKill = refreshed.get();

    // With the server dead, every client ends up holding a token it could not use; each row must
    // be exactly before or exactly after a rotation by that token, never in between.
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (heldAtKill.size() < SESSIONS) {
      assertThat(System.nanoTime()).as("clients noticing the kill").isLessThan(deadline);
      Thread.onSpinWait();
    }
    int rotatedAnswerLost = 0;
    int notRotated = 0;
    try (Connection db = DriverManager.getConnection(url);
        PreparedStatement ps =
            db.prepareStatement(
                "SELECT current_refresh_hash, parent_refresh_hash FROM hallpass_sessions"
                    + " WHERE handle = ?")) {
      for (Map.Entry<String, String> held : heldAtKill.entrySet()) {
        ps.setString(1, held.getKey());
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.next()).as("session kept through the kill").isTrue();
          String hash = sha256Hex(held.getValue());
          if (hash.equals(rs.getString(1))) {
            notRotated++;
          } else {
            assertThat(rs.getString(2))
                .as("the row is the rotation of the client's token, nothing else")
                .isEqualTo(hash);
            rotatedAnswerLost++;
          }
        }
      }
    }

    long restart = System.nanoTime();
    ServerProcess second = start(url);
    long restartMillis = (System.nanoTime() - restart) / 1_000_000;
    restarted.complete(second.client());
    for (Future<?> f : runs) {
      f.get(120, TimeUnit.SECONDS);
    }

    assertThat(verdicts).as("answers other than OK").isEmpty();
    int lost = clients.stream().mapToInt(c -> c.lostAnswers).sum();
    assertThat(lost).as("requests cut by the kill").isPositive();
    ApiClient b = second.client();
    try (Connection db = DriverManager.getConnection(url);
        PreparedStatement ps =
            db.prepareStatement(
                "SELECT current_refresh_hash, confirmed FROM hallpass_sessions WHERE handle = ?")) {
      for (Client c : clients) {
        assertThat(b.get("/recipe/session?sessionHandle=" + c.handle).body())
            .contains("\"status\":\"OK\"");
        ps.setString(1, c.handle);
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.next()).as("session " + c.handle + " kept").isTrue();
          assertThat(rs.getString(1))
              .as("the stored current token is the one the client holds")
              .isEqualTo(sha256Hex(c.refreshToken));
          assertThat(rs.getBoolean(2)).as("confirmed by the client's last request").isTrue();
        }
      }
    }
    assertThat(second.output.toString()).doesNotContain("reuse").doesNotContain("revoked");
    System.out.printf(
        "CrashSafetyIT: %d sessions, %d refreshes before SIGKILL, %d requests failed by it"
            + " (rows then: %d rotated with the answer lost, %d not rotated), restart in %d ms,"
            + " %d refreshes in all%n",
        SESSIONS, beforeKill, lost, rotatedAnswerLost, notRotated, restartMillis, refreshed.get());
  }

  /**
   * One client's loop: refresh, sometimes use the access token; after the kill, retry what was lost
   * on the restarted server, then {@value #ROUNDS_AFTER_RESTART} rounds of refresh + use.
   */
  private static Void run(
      Client c,
      ApiClient first,
      CompletableFuture<ApiClient> restarted,
      AtomicInteger refreshed,
      ConcurrentLinkedQueue<String> verdicts,
      Map<String, String> heldAtKill)
      throws Exception {
    ApiClient api = first;
    int roundsAfter = 0;
    boolean useNext = false;
    while (roundsAfter < ROUNDS_AFTER_RESTART) {
      try {
        JsonNode r = refresh(api, c);
        if (!"OK".equals(r.path("status").asText())) {
          verdicts.add(c.handle + " refresh: " + r.path("status").asText());
          return null;
        }
        c.take(r);
        c.refreshes++;
        refreshed.incrementAndGet();
        if (useNext || api != first) {
          JsonNode v = api.verify(c.accessToken, c.antiCsrf, false);
          if (!"OK".equals(v.path("status").asText())) {
            verdicts.add(c.handle + " verify: " + v.path("status").asText());
            return null;
          }
        }
        useNext = !useNext;
        if (api != first) {
          roundsAfter++;
        }
      } catch (IOException e) {
        // The server died under the request (or refused it): the answer is lost. Keep the token
        // and send it again once the server is back.
        if (api != first) {
          throw e; // the restarted server must not fail
        }
        c.lostAnswers++;
        heldAtKill.put(c.handle, c.refreshToken);
        api = restarted.get(90, TimeUnit.SECONDS);
      }
    }
    return null;
  }

  private static JsonNode refresh(ApiClient api, Client c) throws Exception {
    HttpResponse<String> r =
        api.post(
            "/recipe/session/refresh",
            "{\"refreshToken\":"
                + ApiClient.quote(c.refreshToken)
                + ",\"antiCsrfToken\":"
                + ApiClient.quote(c.antiCsrf)
                + ",\"enableAntiCsrf\":true}");
    if (r.statusCode() != 200) {
      return Json.MAPPER
          .createObjectNode()
          .put("status", "HTTP " + r.statusCode() + " " + r.body());
    }
    return Json.MAPPER.readTree(r.body());
  }

  private static String sha256Hex(String s) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
  }
}
