package dev.hallpass.loadtest;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * The load test's command line: {@code java -jar hallpass-loadtest.jar [options]} (see {@link
 * LoadOptions#USAGE}; {@code benchmarks/load.sh} builds and runs it). For each target it empties
 * the load schema, starts the target's jar on PostgreSQL, runs the browsers, stops the target and
 * prints the report. Exit status 0 when every target passed, 1 when one failed (or could not run),
 * 2 for a bad command line.
 */
public final class LoadMain {
  private static final Pattern SERVER_LISTENING =
      Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
  private static final Pattern DEMO_LISTENING = Pattern.compile("open http://localhost:(\\d+)/");

  private LoadMain() {}

  /** Runs the load test; exits with its status. */
  public static void main(String[] args) throws Exception {
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      System.out.println(LoadOptions.USAGE);
      return;
    }
    LoadOptions options;
    try {
      options = LoadOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(LoadOptions.USAGE);
      System.exit(2);
      return;
    }
    Optional<String> down = Database.unreachable(options.postgresUrl());
    if (down.isPresent()) {
      System.err.println("hallpass-loadtest: " + down.get());
      System.exit(1);
      return;
    }
    List<Report> reports = run(options, System.out);
    boolean passed = reports.stream().allMatch(r -> r.verdict().passed());
    System.out.println(passed ? "LOAD TEST PASSED" : "LOAD TEST FAILED");
    System.exit(passed ? 0 : 1);
  }

  /** Runs every target in turn (PostgreSQL must be reachable); prints and writes each report. */
  static List<Report> run(LoadOptions o, PrintStream out)
      throws IOException, InterruptedException, SQLException {
    Path dir = o.out() != null ? o.out() : Files.createTempDirectory("hallpass-load");
    Files.createDirectories(dir);
    List<Report> reports = new ArrayList<>();
    for (String target : o.targets()) {
      out.println(
          "== "
              + target
              + ": "
              + o.browsers()
              + " browsers, "
              + o.warmup().toSeconds()
              + " s warm-up, "
              + o.duration().toSeconds()
              + " s measured");
      Report r = runTarget(target, o, dir);
      String md = r.markdown();
      out.println(md);
      Files.writeString(dir.resolve("report-" + target + ".md"), md, StandardCharsets.UTF_8);
      reports.add(r);
    }
    out.println("== reports and target logs in " + dir.toAbsolutePath());
    return reports;
  }

  static Report runTarget(String target, LoadOptions o, Path dir)
      throws IOException, InterruptedException, SQLException {
    return runTarget(target, o, dir, UnaryOperator.identity());
  }

  /**
   * Runs one target; {@code through} may wrap the target's API (a test makes the client misbehave
   * on purpose, to see the run fail).
   */
  static Report runTarget(String target, LoadOptions o, Path dir, UnaryOperator<SessionApi> through)
      throws IOException, InterruptedException, SQLException {
    boolean server = target.equals("server");
    Path jar = server ? o.serverJar() : o.demoJar();
    if (!Files.isRegularFile(jar)) {
      throw new IOException(
          jar
              + " is missing: build it first (./mvnw -q -pl hallpass-"
              + target
              + " -am package -DskipTests)");
    }
    String url = Database.freshSchema(o.postgresUrl(), o.schema());
    String validity = o.accessTokenValidity().toSeconds() + "s";
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // As hallpass-server/bin/hallpass-server runs the server; the demo alike.
    cmd.addAll(List.of("-XX:+UseSerialGC", "-Xms64m", "-Xmx256m", "-XX:+ExitOnOutOfMemoryError"));
    cmd.addAll(List.of("-jar", jar.toString(), "--port", "0", "--access-token-validity", validity));
    if (server) {
      cmd.addAll(
          List.of(
              "--database-url",
              url,
              "--refresh-grace-period",
              o.grace().toSeconds() + "s",
              "--log-level",
              "info"));
    } else {
      cmd.addAll(List.of("--jdbc-url", url));
    }
    Tally tally = new Tally();
    try (TargetProcess p =
        TargetProcess.start(
            cmd, server ? SERVER_LISTENING : DEMO_LISTENING, dir.resolve(target + ".log"))) {
      Http http = new Http(Http.newClient(), p.uri(), tally);
      SessionApi client = server ? new CoreDriverClient(http) : new BrowserProtocolClient(http);
      SessionApi api = through.apply(client);
      LoadRun.Outcome outcome =
          LoadRun.run(
              new LoadRun.Settings(
                  o.browsers(), o.threads(), o.warmup(), o.duration(), o.maxSteps(), o.seed()),
              Mix.standard(o.thinkTime(), o.grace()),
              tally,
              api);
      long serverThefts = -1;
      if (server) {
        serverThefts = ((CoreDriverClient) client).theftsCountedByServer();
        if (serverThefts > 0 && tally.failures(Tally.Failure.FALSE_THEFT) == 0) {
          tally.fail(
              Tally.Failure.FALSE_THEFT,
              serverThefts,
              "the server counted " + serverThefts + " theft verdicts");
        }
      }
      return new Report(target, o, outcome, tally, serverThefts, Verdict.of(tally));
    }
  }
}
