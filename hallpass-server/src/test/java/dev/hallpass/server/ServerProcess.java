package dev.hallpass.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * A server JVM running the shaded jar (built by {@code package}), for the *IT classes that need a
 * real process: what it printed, its URI once it listens, and how to stop or kill it.
 */
final class ServerProcess implements AutoCloseable {
  static final String API_KEY = "fault-tests-api-key-0123456789";
  private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+)");

  final Process process;
  final StringBuffer output = new StringBuffer();
  private final CompletableFuture<URI> uri = new CompletableFuture<>();
  private final Thread reader;

  private ServerProcess(Process process) {
    this.process = process;
    this.reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  output.append(line).append('\n');
                  Matcher m = LISTENING.matcher(line);
                  if (m.find()) {
                    uri.complete(URI.create(m.group(1)));
                  }
                }
              } catch (IOException e) {
                output.append("(output unreadable: ").append(e.getMessage()).append(")\n");
              }
              uri.completeExceptionally(new IllegalStateException("the server exited: " + output));
            },
            "server-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code java -jar hallpass-server.jar --port 0 --api-keys KEY <args>}. */
  static ServerProcess start(String... args) throws IOException {
    Path jar = Path.of(System.getProperty("hallpass.server.jar", "target/hallpass-server.jar"));
    assertThat(jar).as("the shaded jar (built by `package`)").exists();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-XX:+UseSerialGC",
                "-Xmx128m",
                "-jar",
                jar.toString(),
                "--port",
                "0",
                "--api-keys",
                API_KEY,
                "--log-level",
                "info"));
    command.addAll(List.of(args));
    return new ServerProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
  }

  /** The base URI, once the server listens (bounded wait). */
  URI uri() throws Exception {
    return uri.get(60, TimeUnit.SECONDS);
  }

  /** A client of this server. */
  ApiClient client() throws Exception {
    return new ApiClient(uri(), API_KEY);
  }

  /** SIGKILL: no shutdown hook, no graceful stop, requests in flight are cut. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("killed").isTrue();
    reader.join(5_000);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /**
   * The PostgreSQL URL of the tests (HALLPASS_TEST_POSTGRES_URL), with the Hallpass tables dropped
   * so that the server starts on an empty schema. Skips the test when the server is unreachable, or
   * fails it under {@code CI=true}.
   */
  static String postgresWithEmptySchema() {
    String url = System.getenv("HALLPASS_TEST_POSTGRES_URL");
    if (url == null || url.isBlank()) {
      url = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
    }
    DriverManager.setLoginTimeout(5);
    try (Connection c = DriverManager.getConnection(url);
        Statement st = c.createStatement()) {
      st.execute("DROP TABLE IF EXISTS hallpass_sessions");
      st.execute("DROP TABLE IF EXISTS hallpass_signing_keys");
      st.execute("DROP TABLE IF EXISTS hallpass_revocations");
      st.execute("DROP TABLE IF EXISTS hallpass_schema_history");
    } catch (SQLException e) {
      String reason =
          "PostgreSQL is not reachable at "
              + url.replaceAll("\\?.*", "")
              + " ("
              + e.getMessage()
              + "); set HALLPASS_TEST_POSTGRES_URL or start the server";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail("CI=true, so not skipping: " + reason, e);
      }
      System.err.println("SKIPPED: " + reason);
      Assumptions.abort(reason);
    }
    return url;
  }
}
