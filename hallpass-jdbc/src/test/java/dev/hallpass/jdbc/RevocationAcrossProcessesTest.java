package dev.hallpass.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallpass.Hallpass;
import dev.hallpass.Session;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A revocation made here reaches an engine in another JVM ({@link RevocationProbeMain}), on
 * PostgreSQL and on MariaDB; and when that engine's feed connection is killed on the server, it
 * asks the database on every request until it has caught up, so the session revoked meanwhile (its
 * notification lost with the connection) is never accepted.
 */
class RevocationAcrossProcessesTest {
  private Process child;
  private PrintWriter toChild;
  private BufferedReader fromChild;

  @AfterEach
  void stop() throws Exception {
    if (child != null) {
      toChild.println("quit");
      if (!child.waitFor(10, TimeUnit.SECONDS)) {
        child.destroyForcibly();
      }
    }
    TestDatabases.closeTracked();
  }

  @Test
  void postgres_revocationReachesAnotherProcess_andAKilledListenerFallsBack() throws Exception {
    run(TestDatabases.Server.POSTGRES, "SELECT pg_terminate_backend(%d)");
  }

  @Test
  void mariaDb_revocationReachesAnotherProcess_andAKilledPollerFallsBack() throws Exception {
    run(TestDatabases.Server.MARIADB, "KILL CONNECTION %d");
  }

  private void run(TestDatabases.Server server, String killSql) throws Exception {
    String url = TestDatabases.require(server);
    Hallpass h =
        Hallpass.builder()
            .store(TestDatabases.track(JdbcSessionStores.builder().jdbcUrl(url).build()))
            .accessTokenBlacklisting(true)
            .disableBackgroundCleanup()
            .build();
    Session first = h.createNewSession("alice", Map.of(), Map.of());
    Session second = h.createNewSession("bob", Map.of(), Map.of());
    Session kept = h.createNewSession("carol", Map.of(), Map.of());

    child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                RevocationProbeMain.class.getName(),
                url)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    toChild =
        new PrintWriter(
            new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8), true);
    fromChild =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    assertThat(fromChild.readLine()).isEqualTo("ready");

    awaitNoStoreCalls(kept); // caught up
    h.revokeSession(first.getHandle());
    long calls = calls(ask("check " + kept.getAccessToken()));
    await(
        "the pushed revocation",
        () -> ask("check " + first.getAccessToken()).startsWith("revoked"));
    assertThat(calls(ask("check " + kept.getAccessToken()))).isEqualTo(calls);

    // Cut the feed's connection on the server: the child must fall back before trusting its set.
    long conn = Long.parseLong(ask("conn"));
    assertThat(conn).isPositive();
    TestDatabases.execute(url, String.format(killSql, conn));
    await(
        "the fallback to per-request queries",
        () -> {
          long before = calls(ask("check " + kept.getAccessToken()));
          return calls(ask("check " + kept.getAccessToken())) > before;
        });
    h.revokeSession(second.getHandle()); // its push is lost with the connection (or comes later)
    assertThat(ask("check " + second.getAccessToken())).startsWith("revoked ");

    // Reconnected and caught up: answers from the set again, the missed revocation included.
    awaitNoStoreCalls(kept);
    long after = calls(ask("check " + kept.getAccessToken()));
    assertThat(ask("check " + second.getAccessToken())).isEqualTo("revoked " + after);
    assertThat(ask("check " + first.getAccessToken())).isEqualTo("revoked " + after);
    assertThat(Long.parseLong(ask("conn"))).isNotEqualTo(conn);
  }

  private String ask(String line) {
    toChild.println(line);
    try {
      String answer = fromChild.readLine();
      assertThat(answer).as("the probe's answer").isNotNull();
      return answer;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static long calls(String answer) {
    return Long.parseLong(answer.substring(answer.indexOf(' ') + 1));
  }

  private void awaitNoStoreCalls(Session live) throws InterruptedException {
    await(
        "the probe's catch-up",
        () -> {
          long before = calls(ask("check " + live.getAccessToken()));
          String again = ask("check " + live.getAccessToken());
          assertThat(again).startsWith("ok ");
          return calls(again) == before;
        });
  }

  private static void await(String what, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(end);
      Thread.sleep(10);
    }
  }
}
