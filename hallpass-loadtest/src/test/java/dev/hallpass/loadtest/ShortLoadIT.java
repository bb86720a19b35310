package dev.hallpass.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The short version of the load test, in the {@code -P benchmarks} build: 10 s per target with 40
 * browsers, against the server jar and the demo jar on PostgreSQL ({@code
 * HALLPASS_TEST_POSTGRES_URL}, schema {@code hallpass_load}). Skipped with a reason when PostgreSQL
 * is unreachable; under {@code CI=true} that fails instead. The long run is {@code
 * benchmarks/load.sh}.
 */
class ShortLoadIT {

  @Test
  void serverAndDemo_underAShortMixedLoad_passEveryCheck() throws Exception {
    LoadOptions o =
        LoadOptions.parse(
            "--target", "both",
            "--duration", "10s",
            "--browsers", "40",
            "--threads", "8",
            "--access-token-validity", "3s",
            "--server-jar", System.getProperty("hallpass.server.jar"),
            "--demo-jar", System.getProperty("hallpass.demo.jar"),
            "--out", System.getProperty("hallpass.load.out", "target/load-it"));
    Optional<String> down = Database.unreachable(o.postgresUrl());
    if (down.isPresent()) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new AssertionError(down.get() + " (CI=true: the load test may not be skipped)");
      }
      System.out.println("SKIPPED ShortLoadIT: " + down.get());
      Assumptions.abort(down.get());
    }

    List<Report> reports = LoadMain.run(o, System.out);

    assertThat(reports).extracting(Report::target).containsExactly("server", "demo");
    for (Report r : reports) {
      assertThat(r.verdict().problems()).as(r.target() + "\n" + r.markdown()).isEmpty();
    }
    assertThat(reports.get(0).serverTheftCount()).isZero();
  }
}
