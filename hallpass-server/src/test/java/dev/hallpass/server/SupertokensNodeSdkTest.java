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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real client: supertokens-node 24.0 (pinned in src/test/node) runs sdk-scenario.js against a
 * server on the embedded H2 store. Without node/npm the test is skipped, except under CI=true.
 */
class SupertokensNodeSdkTest {
  private static final String API_KEY = "node-sdk-test-key-0123456789";
  private static final Path MODULE = Path.of(System.getProperty("basedir", "."));
  private static final Path SOURCES = MODULE.resolve("src/test/node");

  /** npm installs here, outside the sources; a marker records which lock file it installed. */
  private static final Path WORK = MODULE.resolve("target/sdk-node");

  @Test
  void supertokensNode_createsVerifiesRefreshesAndRevokesSessions(@TempDir Path data)
      throws Exception {
    requireTool("node", "--version");
    requireTool("npm", "--version");
    installSdk();

    ServerConfig config =
        ((Cli.Run) Cli.parse("--port", "0", "--data-dir", data.toString(), "--api-keys", API_KEY))
            .config();
    try (HallpassServer server = HallpassServer.start(config, Clock.systemUTC())) {
      ProcessBuilder pb =
          new ProcessBuilder("node", "sdk-scenario.js")
              .directory(WORK.toFile())
              .redirectErrorStream(true);
      pb.environment().put("HALLPASS_URL", server.uri().toString());
      pb.environment().put("HALLPASS_API_KEY", API_KEY);
      Run run = run(pb, 180);
      System.out.println(
          "--- sdk-scenario.js output ---\n"
              + run.output
              + "--- end of sdk-scenario.js output ---");
      assertThat(run.exitCode).as("sdk-scenario.js exit code; output:%n%s", run.output).isZero();
      assertThat(run.output).contains("all 16 steps passed");
    }
  }

  /** Runs {@code npm ci} unless node_modules already holds exactly the pinned lock file. */
  private static void installSdk() throws Exception {
    Files.createDirectories(WORK);
    Files.copy(
        SOURCES.resolve("sdk-scenario.js"),
        WORK.resolve("sdk-scenario.js"),
        StandardCopyOption.REPLACE_EXISTING);
    byte[] pkg = Files.readAllBytes(SOURCES.resolve("package.json"));
    byte[] lock = Files.readAllBytes(SOURCES.resolve("package-lock.json"));
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    sha.update(pkg);
    String digest = HexFormat.of().formatHex(sha.digest(lock));
    Path marker = WORK.resolve("node_modules/.hallpass-installed");
    if (Files.exists(WORK.resolve("node_modules/supertokens-node/package.json"))
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
