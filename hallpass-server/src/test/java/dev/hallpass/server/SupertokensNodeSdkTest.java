package dev.hallpass.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real clients: the latest release of each supertokens-node major from 20 to 24 (pinned in
 * src/test/node as npm aliases sn20 ... sn24) runs sdk-scenario.js, one after another (run-all.js),
 * against one server on the embedded H2 store that accepts the tenants t1 and t2. Without node/npm
 * the test is skipped, except under CI=true.
 */
class SupertokensNodeSdkTest {
  private static final String API_KEY = "node-sdk-test-key-0123456789";
  private static final Path MODULE = Path.of(System.getProperty("basedir", "."));
  private static final Path SOURCES = MODULE.resolve("src/test/node");

  /** The releases of package.json, each with the core driver interface version it speaks. */
  private static final Map<String, String> RELEASES =
      Map.of("sn20", "5.1", "sn21", "5.2", "sn22", "5.3", "sn23", "5.3", "sn24", "5.4");

  /** The scenario's steps. */
  private static final int STEPS = 20;

  /** npm installs here, outside the sources; a marker records which lock file it installed. */
  private static final Path WORK = MODULE.resolve("target/sdk-node");

  @Test
  void supertokensNode20To24_createVerifyRefreshListAndRevokeSessions_inTenants(@TempDir Path data)
      throws Exception {
    requireTool("node", "--version");
    requireTool("npm", "--version");
    installSdk();

    ServerConfig config =
        ((Cli.Run)
                Cli.parse(
                    "--port",
                    "0",
                    "--data-dir",
                    data.toString(),
                    "--api-keys",
                    API_KEY,
                    "--tenants",
                    "t1,t2"))
            .config();
    try (HallpassServer server = HallpassServer.start(config, Clock.systemUTC())) {
      ProcessBuilder pb =
          new ProcessBuilder("node", "run-all.js")
              .directory(WORK.toFile())
              .redirectErrorStream(true);
      pb.environment().put("HALLPASS_URL", server.uri().toString());
      pb.environment().put("HALLPASS_API_KEY", API_KEY);
      Run run = run(pb, 600);
      System.out.println(
          "--- run-all.js output ---\n" + run.output + "--- end of run-all.js output ---");
      assertThat(run.exitCode).as("run-all.js exit code; output:%n%s", run.output).isZero();
      for (Map.Entry<String, String> r : RELEASES.entrySet()) {
        assertThat(run.output)
            .contains(r.getKey() + ": all " + STEPS + " steps passed")
            .contains(r.getKey() + ": passed in");
      }
      assertThat(run.output).contains("all " + RELEASES.size() + " releases passed");
      // Each release spoke its own version (asserted by the scenario's first step).
      assertThat(run.output)
          .contains("sn20: ok 1 - supertokens-node 20.1.7 negotiates")
          .contains("sn24: ok 1 - supertokens-node 24.0.3 negotiates");
    }
  }

  /** Runs {@code npm ci} unless node_modules already holds exactly the pinned lock file. */
  private static void installSdk() throws Exception {
    Files.createDirectories(WORK);
    for (String script : List.of("sdk-scenario.js", "run-all.js")) {
      Files.copy(
          SOURCES.resolve(script), WORK.resolve(script), StandardCopyOption.REPLACE_EXISTING);
    }
    byte[] pkg = Files.readAllBytes(SOURCES.resolve("package.json"));
    byte[] lock = Files.readAllBytes(SOURCES.resolve("package-lock.json"));
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    sha.update(pkg);
    String digest = HexFormat.of().formatHex(sha.digest(lock));
    Path marker = WORK.resolve("node_modules/.hallpass-installed");
    if (Files.exists(WORK.resolve("node_modules/sn24/package.json"))
        && Files.exists(marker)
        && Files.readString(marker).trim().equals(digest)) {
      return;
    }
    Files.write(WORK.resolve("package.json"), pkg);
    Files.write(WORK.resolve("package-lock.json"), lock);
    Run npm =
        run(
            new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
                .directory(WORK.toFile())
                .redirectErrorStream(true),
            300);
    if (npm.exitCode != 0) {
      fail("npm ci failed (exit " + npm.exitCode + "):\n" + npm.output);
    }
    Files.writeString(marker, digest + "\n");
  }

  private static void requireTool(String... command) throws InterruptedException {
    String why;
    try {
      Run r = run(new ProcessBuilder(command).redirectErrorStream(true), 30);
      if (r.exitCode == 0) {
        return;
      }
      why = String.join(" ", command) + " exited with " + r.exitCode;
    } catch (IOException e) {
      why = command[0] + " is not installed (" + e.getMessage() + ")";
    }
    String reason = why + "; install Node.js 18+ and npm (Debian: apt-get install nodejs npm)";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail("CI=true, so not skipping: " + reason);
    }
    System.err.println("SKIPPED supertokens-node test: " + reason);
    Assumptions.abort(reason);
  }

  private record Run(int exitCode, String output) {}

  private static Run run(ProcessBuilder pb, long timeoutSeconds)
      throws IOException, InterruptedException {
    Process p = pb.start();
    p.getOutputStream().close();
    // Output is read on another thread so that a full pipe cannot stall the process.
    StringBuilder out = new StringBuilder();
    Thread reader =
        new Thread(
            () -> {
              try {
                out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
              } catch (IOException e) {
                out.append("(output unreadable: ").append(e.getMessage()).append(")");
              }
            });
    reader.start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
      reader.join(5_000);
      fail(
          String.join(" ", List.copyOf(pb.command()))
              + " did not finish in "
              + timeoutSeconds
              + " s; output so far:\n"
              + out);
    }
    reader.join(5_000);
    return new Run(p.exitValue(), out.toString());
  }
}
