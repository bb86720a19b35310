package dev.hallpass.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The short version of the load test, in the {@code -P benchmarks} build: 10 s per target with 40
 * browsers, against the server jar and the demo jar on PostgreSQL ({@code
 * HALLPASS_TEST_POSTGRES_URL}, schema {@code hallpass_load}); and, to show that the run can fail on
 * the real wire, a short run whose client replays old refresh tokens on purpose. Skipped with a
 * reason when PostgreSQL is unreachable; under {@code CI=true} that fails instead. The long run is
 * {@code benchmarks/load.sh}.
 */
class ShortLoadIT {
  private static final Path OUT =
      Path.of(System.getProperty("hallpass.load.out", "target/load-it"));

  private static LoadOptions options(String... more) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "--server-jar", System.getProperty("hallpass.server.jar"),
                "--demo-jar", System.getProperty("hallpass.demo.jar")));
    args.addAll(List.of(more));
    LoadOptions o = LoadOptions.parse(args.toArray(String[]::new));
    Optional<String> down = Database.unreachable(o.postgresUrl());
    if (down.isPresent()) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new AssertionError(down.get() + " (CI=true: the load test may not be skipped)");
      }
      System.out.println("SKIPPED ShortLoadIT: " + down.get());
      Assumptions.abort(down.get());
    }
    return o;
  }

  @Test
  void serverAndDemo_underAShortMixedLoad_passEveryCheck() throws Exception {
    LoadOptions o =
        options(
            "--target", "both",
            "--duration", "10s",
            "--browsers", "40",
            "--threads", "8",
            "--access-token-validity", "3s",
            "--out", OUT.resolve("short").toString());

    List<Report> reports = LoadMain.run(o, System.out);

    assertThat(reports).extracting(Report::target).containsExactly("server", "demo");
    for (Report r : reports) {
      assertThat(r.verdict().problems()).as(r.target() + "\n" + r.markdown()).isEmpty();
    }
    assertThat(reports.get(0).serverTheftCount()).isZero();
  }

  /** The target's real theft answers reach the verdict: the run fails, naming false thefts. */
  @ParameterizedTest
  @ValueSource(strings = {"server", "demo"})
  void aClientReplayingOldRefreshTokens_failsTheRun(String target) throws Exception {
    LoadOptions o =
        options(
            "--target", target,
            "--duration", "6s",
            "--browsers", "10",
            "--threads", "4",
            "--access-token-validity", "1s",
            "--think-time", "200ms",
            "--out", OUT.resolve("replaying").toString());

    Report r = LoadMain.runTarget(target, o, OUT.resolve("replaying"), ReplayingClient::new);
    System.out.println(r.markdown());

    assertThat(r.verdict().passed()).as(r.markdown()).isFalse();
    assertThat(r.tally().failures(Tally.Failure.FALSE_THEFT)).isPositive();
    assertThat(r.verdict().problems()).anyMatch(p -> p.contains("FALSE_THEFT"));
    if (target.equals("server")) {
      assertThat(r.serverTheftCount()).as("the server's own counter").isPositive();
    }
  }
}
