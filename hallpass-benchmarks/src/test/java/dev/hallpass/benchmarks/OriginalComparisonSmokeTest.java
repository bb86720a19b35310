package dev.hallpass.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The comparison with the original library ({@link OriginalComparison}): a smoke run of every part
 * (npm ci of the pinned packages, both in-process workers, both HTTP apps under wrk, the summary)
 * with one round of sub-second runs, against the real MariaDB. Asserts nothing about speed. Without
 * node, npm, wrk or MariaDB it is skipped with the reason printed, except under {@code CI=true},
 * where it fails.
 */
class OriginalComparisonSmokeTest {
  private static final Path ORIGINAL = Path.of("..", "benchmarks", "original");
  private static final Path NODE_WORK = Path.of("target", "original-node");

  @ParameterizedTest
  @EnumSource(HallpassSigning.class)
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void smokeRun_measuresEveryOperationOnBothStacks_andWritesTheResults(
      HallpassSigning signing, @TempDir Path out) throws Exception {
    requireTool("node", "--version");
    requireTool("npm", "--version");
    requireTool("wrk", "-v");
    requireMariaDb();

    OriginalComparison.Options options =
        OriginalComparison.Options.parse(
            List.of(
                "--out", out.toString(),
                "--original", ORIGINAL.toString(),
                "--node-work", NODE_WORK.toString(),
                "--rounds", "1",
                "--seconds", "0.3",
                "--wrk-seconds", "1",
                "--warmup", "0",
                "--connections", "4",
                "--hallpass-signing", signing.name()),
            Services.MARIADB.address());
    String summary = new OriginalComparison(options).run();

    assertThat(summary)
        .contains("| in-process | 1 | create |")
        .contains("| in-process | 1 | verify (Hallpass cache off) |")
        .contains("| in-process | 1 | verify (Hallpass cache on; original: no cache) |")
        .contains("| in-process | 1 | refresh |")
        .contains("| http | 1 | create |")
        .contains("| http | 1 | refresh |")
        .contains("| hallpass-" + signing.name() + " ops/s |")
        .contains("| in-process | 1 | ")
        .containsPattern("\\| in-process \\| 1 \\| [0-9,.]+ \\| refresh \\|")
        .doesNotContain("| - |");
    assertThat(Files.readString(out.resolve("machine.txt")))
        .contains("Hallpass signing " + signing.name());
    List<String> raw = Files.readAllLines(out.resolve("raw.csv"));
    // header + (create, verify, verify-cached, refresh: 2 + 2 + 1 + 2 runs) x (in-process, http)
    // + the bare RSA signing run (in process)
    assertThat(raw).hasSize(1 + 14 + 1);
    assertThat(raw).anyMatch(l -> l.contains(",rsa-sign," + OriginalComparison.RSA_SIGN + ","));
    for (String line : raw.subList(1, raw.size())) {
      double rate = Double.parseDouble(line.substring(line.lastIndexOf(',') + 1));
      assertThat(rate).as(line).isPositive();
    }
    assertThat(Files.readString(out.resolve("machine.txt"))).contains("load average at end:");
    assertThat(out.resolve("summary.md")).exists();
    // The refresh runs' session files held live refresh tokens: gone once the runs are over.
    try (var files = Files.list(out.resolve("wrk"))) {
      assertThat(files.map(Path::toString)).noneMatch(f -> f.endsWith(".sessions"));
    }
  }

  @Test
  void summary_ofInterleavedRounds_takesMediansPerStack_andRatiosAgainstTheOriginal() {
    List<OriginalComparison.Sample> samples =
        List.of(
            sample("verify", "original", 1, 100),
            sample("verify", "hallpass-RS256", 1, 40),
            sample("verify-cached", "hallpass-RS256", 1, 5_000),
            sample("verify", "original", 2, 300),
            sample("verify", "hallpass-RS256", 2, 20),
            sample("verify-cached", "hallpass-RS256", 2, 1_000),
            sample("verify", "original", 3, 200),
            sample("verify", "hallpass-RS256", 3, 30),
            sample("verify-cached", "hallpass-RS256", 3, 9_000));

    String table = OriginalComparison.summary(samples, "hallpass-RS256");

    // medians: original 200, Hallpass 30 (cache off), 5,000 (cache on; against the original's 200)
    assertThat(table)
        .contains("| in-process | 1 | verify (Hallpass cache off) | 200 | 30.0 | 0.15 | 3 / 3 |")
        .contains(
            "| in-process | 1 | verify (Hallpass cache on; original: no cache) | 200 | 5,000 |"
                + " 25.00 | - / 3 |");
  }

  @Test
  void median_ofAnEvenCount_isTheMeanOfTheMiddleTwo() {
    assertThat(OriginalComparison.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
    assertThat(OriginalComparison.median(List.of(5.0, 1.0, 3.0))).isEqualTo(3.0);
  }

  @Test
  void options_rejectBadValues_namingTheOption() {
    List<String> base = List.of("--out", "o", "--original", "x", "--node-work", "w");
    assertThatThrownBy(() -> parse(base, "--rounds", "0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rounds");
    assertThatThrownBy(() -> parse(base, "--hallpass-signing", "ES256"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("hallpass-signing")
        .hasMessageContaining("RS256");
    assertThatThrownBy(() -> parse(base, "--no-http", "--no-in-process"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no-in-process")
        .hasMessageContaining("no-http");
    assertThat(parse(base, "--processes", "1,2").processes()).containsExactly(1, 2);
  }

  @Test
  void mysqlEnvironment_ofAJdbcUrl_givesTheNodeLibraryItsSettings() {
    Map<String, String> env =
        OriginalComparison.mysqlEnvironment(
            "jdbc:mariadb://db.local:3307/hp_orig?user=bench&password=p%26w");
    assertThat(env)
        .containsEntry("HP_ORIG_MYSQL_HOST", "db.local")
        .containsEntry("HP_ORIG_MYSQL_PORT", "3307")
        .containsEntry("HP_ORIG_MYSQL_USER", "bench")
        .containsEntry("HP_ORIG_MYSQL_PASSWORD", "p&w")
        .containsEntry("HP_ORIG_MYSQL_DATABASE", "hp_orig");
  }

  private static OriginalComparison.Options parse(List<String> base, String... more) {
    List<String> args = new java.util.ArrayList<>(base);
    args.addAll(List.of(more));
    return OriginalComparison.Options.parse(args, OriginalComparison.DEFAULT_JDBC_URL);
  }

  private static OriginalComparison.Sample sample(String op, String stack, int round, long rate) {
    return OriginalComparison.Sample.counted("in-process", 1, round, op, stack, rate, 1.0);
  }

  private static void requireMariaDb() {
    String problem = Services.MARIADB.problem();
    if (problem != null) {
      skipOrFail(problem);
    }
  }

  private static void requireTool(String... command) throws InterruptedException {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        skipOrFail(command[0] + " did not answer " + String.join(" ", command));
      }
    } catch (IOException e) {
      skipOrFail(
          command[0]
              + " is not installed ("
              + e.getMessage()
              + "); scripts/services.sh node wrk installs Node.js, npm and wrk");
    }
  }

  private static void skipOrFail(String reason) {
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail("CI=true, so not skipping: " + reason);
    }
    System.err.println("SKIPPED comparison with the original library: " + reason);
    Assumptions.abort(reason);
  }
}
