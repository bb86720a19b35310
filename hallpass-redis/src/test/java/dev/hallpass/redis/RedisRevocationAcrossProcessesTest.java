package dev.hallpass.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallpass.Hallpass;
import dev.hallpass.Session;
import io.lettuce.core.KillArgs;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A revocation made here reaches an engine in another JVM ({@link RevocationProbeMain}) through
 * Redis pub/sub; after {@code CLIENT KILL} of that engine's subscriber it asks Redis on every
 * request until it has resubscribed and caught up, so the session revoked meanwhile is never
 * accepted.
 */
class RedisRevocationAcrossProcessesTest {
  private static final TestRedis.Target TARGET = TestRedis.Target.SERVER;
  private Process child;
  private PrintWriter toChild;
  private BufferedReader fromChild;
  private Hallpass h;

  @BeforeAll
  static void requireRedis() {
    TestRedis.require(TARGET);
  }

  @AfterAll
  static void deleteKeys() {
    TestRedis.deleteRunKeys(TARGET);
  }

  @AfterEach
  void stop() throws Exception {
    if (child != null) {
      toChild.println("quit");
      if (!child.waitFor(10, TimeUnit.SECONDS)) {
        child.destroyForcibly();
      }
    }
    if (h != null) {
      h.close();
    }
  }

  @Test
  void revocationReachesAnotherProcess_andAKilledSubscriberFallsBack() throws Exception {
    String prefix = TestRedis.newPrefix();
    String uri = TARGET.urls().get(0);
    h =
        Hallpass.builder()
            .store(TestRedis.store(TARGET, prefix, null))
            .accessTokenBlacklisting(true)
            .disableBackgroundCleanup()
            .build();
    Session first = h.createNewSession("alice", Map.of(), Map.of());
    Session second = h.createNewSession("bob", Map.of(), Map.of());
    Session kept = h.createNewSession("carol", Map.of(), Map.of());

    String path =
        System.getProperty("jdk.module.path", "")
            + File.pathSeparator
            + System.getProperty("java.class.path", "");
    child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                path,
                RevocationProbeMain.class.getName(),
                uri,
                prefix)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    toChild =
        new PrintWriter(
            new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8), true);
    fromChild =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    assertThat(fromChild.readLine()).isEqualTo("ready");

    awaitNoStoreCalls(kept);
    h.revokeSession(first.getHandle());
    long calls = calls(ask("check " + kept.getAccessToken()));
    await(
        "the pushed revocation",
        () -> ask("check " + first.getAccessToken()).startsWith("revoked"));
    assertThat(calls(ask("check " + kept.getAccessToken()))).isEqualTo(calls);

    String name = ask("conn");
    assertThat(name).startsWith("hallpass-revocations-");
    long killed =
        TestRedis.withCommands(
            TARGET,
            c -> {
              for (String line : c.clientList().split("\n")) {
                if (line.contains(" name=" + name + " ")) {
                  long id = Long.parseLong(line.substring(3, line.indexOf(' ')));
                  return c.clientKill(KillArgs.Builder.id(id));
                }
              }
              return 0L;
            });
    assertThat(killed).isEqualTo(1);
    await(
        "the fallback to per-request queries",
        () -> {
          long before = calls(ask("check " + kept.getAccessToken()));
          return calls(ask("check " + kept.getAccessToken())) > before;
        });
    // Lettuce reconnects and resubscribes within milliseconds, so the child may be listening again
    // by now: then the push, else its catch-up read, else the store refuses the session; the
    // check may only race the push's own latency.
    h.revokeSession(second.getHandle());
    await(
        "the revocation during the reconnection",
        () -> ask("check " + second.getAccessToken()).startsWith("revoked "));

    awaitNoStoreCalls(kept);
    long after = calls(ask("check " + kept.getAccessToken()));
    assertThat(ask("check " + second.getAccessToken())).isEqualTo("revoked " + after);
    assertThat(ask("check " + first.getAccessToken())).isEqualTo("revoked " + after);
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
