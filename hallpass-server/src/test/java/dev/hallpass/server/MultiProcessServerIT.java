package dev.hallpass.server;

import static dev.hallpass.server.ApiClient.ok200;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two server processes (separate JVMs running the shaded jar) over one PostgreSQL database act as
 * one service. Runs after {@code package} (failsafe), on its own database ({@link
 * #serverDatabase}), created on the PostgreSQL server of {@code HALLPASS_TEST_POSTGRES_URL}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiProcessServerIT {
  private static final String API_KEY = "multi-process-it-key-0123456789";

  /** A database the test may connect to for creating its own; override for another server. */
  private static final String ADMIN_URL =
      env("HALLPASS_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");

  private static final String DATABASE =
      serverDatabase(
          System.getenv("HALLPASS_TEST_POSTGRES_URL"),
          System.getenv("HALLPASS_TEST_SERVER_DATABASE"));

  private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+)");

  private static final List<ServerProcess> servers = new ArrayList<>();
  private static ApiClient a;
  private static ApiClient b;

  /**
   * The test's database: {@code override} (HALLPASS_TEST_SERVER_DATABASE) if set; else the database
   * of {@code postgresUrl} (HALLPASS_TEST_POSTGRES_URL) with {@code _server} appended, so that
   * engineers with their own databases on one server do not share this one; else {@code
   * hallpass_server}. Only lower-case letters, digits and underscores, as it is put into CREATE
   * DATABASE.
   */
  static String serverDatabase(String postgresUrl, String override) {
    String name;
    if (override != null && !override.isBlank()) {
      name = override.trim();
    } else if (postgresUrl != null && !postgresUrl.isBlank()) {
      Matcher m = Pattern.compile("^jdbc:postgresql://[^/]*/([^/?;]+)").matcher(postgresUrl);
      name = m.find() ? m.group(1) + "_server" : "hallpass_server";
    } else {
      name = "hallpass_server";
    }
    if (!name.matches("[a-z0-9_]{1,50}")) {
      throw new IllegalArgumentException(
          "the multi-process test database name must be 1 to 50 of a-z 0-9 _, not '" + name + "'");
    }
    return name;
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  /** One launched JVM and everything it printed. */
  private static final class ServerProcess {
    final Process process;
    final StringBuffer output = new StringBuffer();
    final CompletableFuture<URI> uri = new CompletableFuture<>();
    final Thread reader;

    ServerProcess(Process process) {
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
                uri.completeExceptionally(
                    new IllegalStateException("the server exited: " + output));
              },
              "server-output");
      reader.start();
    }
  }

  @BeforeAll
  static void startTwoServers() throws Exception {
    String serverUrl = createDatabase();
    Path jar = Path.of(System.getProperty("hallpass.server.jar", "target/hallpass-server.jar"));
    assertThat(jar).as("the shaded jar (built by `package`)").exists();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    for (int i = 0; i < 2; i++) {
      ProcessBuilder pb =
          new ProcessBuilder(
                  java,
                  "-XX:+UseSerialGC",
                  "-Xmx128m",
                  "-jar",
                  jar.toString(),
                  "--port",
                  "0",
                  "--database-url",
                  serverUrl,
                  "--database-pool-size",
                  "4",
                  "--api-keys",
                  API_KEY,
                  "--log-level",
                  "info",
                  "--shutdown-timeout",
                  "10s")
              .redirectErrorStream(true);
      servers.add(new ServerProcess(pb.start()));
    }
    a = new ApiClient(servers.get(0).uri.get(60, TimeUnit.SECONDS), API_KEY);
    b = new ApiClient(servers.get(1).uri.get(60, TimeUnit.SECONDS), API_KEY);
    assertThat(a.uri("/")).isNotEqualTo(b.uri("/"));
  }

  /** Creates {@value #DATABASE} if missing; returns its URL. Skips, or fails under CI. */
  private static String createDatabase() throws SQLException {
    DriverManager.setLoginTimeout(5);
    try (Connection c = DriverManager.getConnection(ADMIN_URL)) {
      try (PreparedStatement ps =
          c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
        ps.setString(1, DATABASE);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            try (Statement st = c.createStatement()) {
              st.execute("CREATE DATABASE " + DATABASE);
            } catch (SQLException e) {
              // A concurrent run may have created it meanwhile ("42P04": duplicate database).
              if (!"42P04".equals(e.getSQLState())) {
                throw e;
              }
            }
          }
        }
      }
    } catch (SQLException e) {
      String reason =
          "PostgreSQL is not reachable at "
              + ADMIN_URL.replaceAll("\\?.*", "")
              + " ("
              + e.getMessage()
              + "); set HALLPASS_TEST_POSTGRES_URL or start the server";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail("CI=true, so not skipping: " + reason, e);
      }
      System.err.println("SKIPPED multi-process tests: " + reason);
      Assumptions.abort(reason);
    }
    return ADMIN_URL.replaceFirst("/[^/?]+(\\?|$)", "/" + DATABASE + "$1");
  }

  @AfterAll
  static void killLeftovers() throws InterruptedException {
    for (ServerProcess s : servers) {
      if (s.process.isAlive()) {
        s.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  @Order(1)
  void bothServeTheSameJwks() throws Exception {
    JsonNode ja = ok200(a.get("/.well-known/jwks.json"));
    JsonNode jb = ok200(b.get("/.well-known/jwks.json"));
    assertThat(kids(ja)).isNotEmpty().isEqualTo(kids(jb));
    assertThat(ja).isEqualTo(jb);
  }

  private static TreeSet<String> kids(JsonNode jwks) {
    TreeSet<String> ids = new TreeSet<>();
    jwks.get("keys").forEach(k -> ids.add(k.get("kid").asText()));
    return ids;
  }

  @Test
  @Order(2)
  void sessionCreatedOnOne_isRefreshedAndVerifiedOnTheOther() throws Exception {
    JsonNode created = a.createSession("multi-" + System.nanoTime(), "{\"p\":1}", "{\"d\":1}");
    String handle = created.get("session").get("handle").asText();
    JsonNode refreshed =
        b.refresh(
            created.get("refreshToken").get("token").asText(),
            created.get("antiCsrfToken").asText());
    assertThat(refreshed.get("status").asText()).isEqualTo("OK");
    assertThat(refreshed.get("session").get("handle").asText()).isEqualTo(handle);
    assertThat(refreshed.get("session").get("userDataInJWT").get("p").asInt()).isEqualTo(1);

    JsonNode verified =
        ok200(
            a.post(
                "/recipe/session/verify",
                "{\"accessToken\":"
                    + ApiClient.quote(refreshed.get("accessToken").get("token").asText())
                    + ",\"antiCsrfToken\":"
                    + ApiClient.quote(refreshed.get("antiCsrfToken").asText())
                    + ",\"doAntiCsrfCheck\":true,\"enableAntiCsrf\":true,\"checkDatabase\":true}"));
    assertThat(verified.get("status").asText()).isEqualTo("OK");
    assertThat(
            ok200(b.get("/recipe/session?sessionHandle=" + handle))
                .get("userDataInDatabase")
                .get("d")
                .asInt())
        .isEqualTo(1);
  }

  @Test
  @Order(3)
  void theftIsDetectedAcrossProcesses() throws Exception {
    JsonNode n0 = a.createSession("theft-" + System.nanoTime(), "{}", "{}");
    String handle = n0.get("session").get("handle").asText();
    String rt0 = n0.get("refreshToken").get("token").asText();
    String csrf0 = n0.get("antiCsrfToken").asText();
    JsonNode n1 = a.refresh(rt0, csrf0);
    JsonNode n2 =
        b.refresh(n1.get("refreshToken").get("token").asText(), n1.get("antiCsrfToken").asText());
    assertThat(n2.get("status").asText()).isEqualTo("OK");

    JsonNode theft = b.refresh(rt0, csrf0);
    assertThat(theft.get("status").asText()).isEqualTo("TOKEN_THEFT_DETECTED");
    assertThat(theft.get("session").get("handle").asText()).isEqualTo(handle);
    JsonNode afterwards =
        a.refresh(n2.get("refreshToken").get("token").asText(), n2.get("antiCsrfToken").asText());
    assertThat(afterwards.get("status").asText()).isEqualTo("UNAUTHORISED");
    assertThat(ok200(a.get("/recipe/session?sessionHandle=" + handle)).get("status").asText())
        .isEqualTo("UNAUTHORISED");
  }

  @Test
  @Order(4)
  void sigterm_stopsBothProcessesCleanly() throws Exception {
    for (ServerProcess s : servers) {
      // SIGTERM, like Process.destroy(), which would also close our end of the output pipe.
      assertThat(s.process.toHandle().destroy()).isTrue();
    }
    for (ServerProcess s : servers) {
      boolean exited = s.process.waitFor(30, TimeUnit.SECONDS);
      s.reader.join(5_000);
      assertThat(exited).as("exited after SIGTERM; output:%n%s", s.output).isTrue();
      assertThat(s.process.exitValue()).as("exit status; output:%n%s", s.output).isZero();
      assertThat(s.output.toString())
          .contains("stopping: finishing in-flight requests")
          .contains("stopped");
    }
  }
}
