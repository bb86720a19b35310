package dev.hallpass.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hallpass.testkit.FaultProxy;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * A server process (the shaded jar) whose PostgreSQL database becomes unreachable: a {@link
 * FaultProxy} between them cuts and then stalls the connections. During the outage, calls that need
 * the database answer 500 with a fixed text and no stack trace within the store's timeout (1 s,
 * {@code --database-timeout}) plus a margin for 2 noisy cores; verification without the database
 * still answers 200; afterwards the same process answers 200 again, no restart.
 */
@Timeout(180)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DatabaseOutageIT {
  private static final Pattern HOST_PORT = Pattern.compile("//([^/:?]+):(\\d+)/");

  /** The store's timeout (each of connection and query) given to the server. */
  private static final Duration TIMEOUT = Duration.ofSeconds(1);

  /** The most a failing request may take: connection timeout, query timeout, margin. */
  private static final Duration BOUND = Duration.ofSeconds(5);

  private static final Map<String, Duration> slowest = new TreeMap<>();
  private static final List<String> secrets = new ArrayList<>();
  private static FaultProxy proxy;
  private static ServerProcess server;
  private static ApiClient api;

  @BeforeAll
  static void startServerBehindProxy() throws Exception {
    String url = ServerProcess.postgresWithEmptySchema();
    Matcher m = HOST_PORT.matcher(url);
    assertThat(m.find()).as("host and port in " + url.replaceAll("\\?.*", "")).isTrue();
    proxy = FaultProxy.start(m.group(1), Integer.parseInt(m.group(2)));
    String proxied =
        HOST_PORT.matcher(url).replaceFirst("//" + proxy.host() + ":" + proxy.port() + "/");
    server =
        ServerProcess.start(
            "--database-url",
            proxied,
            "--database-pool-size",
            "4",
            "--database-timeout",
            TIMEOUT.toSeconds() + "s");
    api = server.client();
  }

  /** Whatever a failed test left, the next one starts with the database reachable. */
  @AfterEach
  void reachableAgain() throws Exception {
    if (proxy.mode() != FaultProxy.Mode.PASS) {
      proxy.pass();
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    System.out.println("DatabaseOutageIT slowest answers: " + slowest);
  }

  @Test
  @Order(1)
  void cut_failsWith500FixedText_verifyStillAnswers_thenAllResumes() throws Exception {
    outageThenBack("CUT", proxy::cut);
  }

  @Test
  @Order(2)
  void stall_failsWith500FixedText_verifyStillAnswers_thenAllResumes() throws Exception {
    outageThenBack("STALL", proxy::stall);
  }

  @Test
  @Order(3)
  void serverOutput_namesNoToken() throws Exception {
    String out = server.output.toString();
    assertThat(out).contains("listening on");
    for (String s : secrets) {
      assertThat(out).doesNotContain(s);
    }
  }

  private void outageThenBack(String name, Runnable outage) throws Exception {
    JsonNode plain = api.createSession("outage-" + name, "{}", "{\"d\":1}");
    remember(plain);
    JsonNode p = api.createSession("outage-parent-" + name, "{}", "{}");
    remember(p);
    JsonNode refreshed =
        api.refresh(p.get("refreshToken").get("token").asText(), p.get("antiCsrfToken").asText());
    remember(refreshed);
    String handle = plain.get("session").get("handle").asText();

    outage.run();

    // No database needed: 200.
    JsonNode v = api.verify(token(plain), plain.get("antiCsrfToken").asText(), false);
    assertThat(v.get("status").asText()).isEqualTo("OK");
    long start = System.nanoTime();
    JsonNode unconfirmed =
        api.verify(token(refreshed), refreshed.get("antiCsrfToken").asText(), false);
    record(name + " verify with parent claim", start);
    assertThat(unconfirmed.get("status").asText()).isEqualTo("OK");
    assertThat(unconfirmed.has("accessToken")).as("not re-issued during the outage").isFalse();

    // The database is needed: 500, fixed text, fast.
    fails500(
        name + " create",
        () ->
            api.post(
                "/public/recipe/session",
                "{\"userId\":\"x\",\"userDataInJWT\":{},\"userDataInDatabase\":{},"
                    + "\"enableAntiCsrf\":true}"));
    fails500(
        name + " refresh",
        () ->
            api.post(
                "/recipe/session/refresh",
                "{\"refreshToken\":"
                    + ApiClient.quote(plain.get("refreshToken").get("token").asText())
                    + ",\"antiCsrfToken\":"
                    + ApiClient.quote(plain.get("antiCsrfToken").asText())
                    + ",\"enableAntiCsrf\":true}"));
    fails500(
        name + " session information", () -> api.get("/recipe/session?sessionHandle=" + handle));
    fails500(
        name + " session data",
        () ->
            api.put(
                "/recipe/session/data",
                "{\"sessionHandle\":" + ApiClient.quote(handle) + ",\"userDataInDatabase\":{}}"));
    fails500(
        name + " verify checking the database",
        () ->
            api.post(
                "/recipe/session/verify",
                "{\"accessToken\":"
                    + ApiClient.quote(token(plain))
                    + ",\"doAntiCsrfCheck\":false,\"enableAntiCsrf\":true,\"checkDatabase\":true}"));

    proxy.pass();
    start = System.nanoTime();
    // HikariCP retries new connections with a back-off of up to 5 s: bounded wait for the first
    // 200.
    for (int i = 0; ; i++) {
      HttpResponse<String> r = api.get("/recipe/session?sessionHandle=" + handle);
      if (r.statusCode() == 200) {
        break;
      }
      assertThat(r.statusCode()).isEqualTo(500);
      assertThat(i).as("requests failing after the database is back").isLessThan(15);
    }
    record(name + " recovery", start);

    JsonNode again =
        api.refresh(
            plain.get("refreshToken").get("token").asText(), plain.get("antiCsrfToken").asText());
    remember(again);
    assertThat(again.get("status").asText()).isEqualTo("OK");
    assertThat(api.createSession("after-" + name, "{}", "{}").get("status").asText())
        .isEqualTo("OK");
    // The engine pauses confirmations for 5 s after a failed one; then the token is re-issued.
    JsonNode confirmed = null;
    for (int i = 0; i < 30; i++) {
      confirmed = api.verify(token(refreshed), refreshed.get("antiCsrfToken").asText(), false);
      if (confirmed.has("accessToken")) {
        break;
      }
      Thread.sleep(250); // real time: the server process runs on the system clock
    }
    assertThat(confirmed.get("status").asText()).isEqualTo("OK");
    assertThat(confirmed.has("accessToken")).as("re-issued once the database is back").isTrue();
  }

  private static String token(JsonNode answer) {
    return answer.get("accessToken").get("token").asText();
  }

  private static void remember(JsonNode answer) {
    secrets.add(token(answer));
    secrets.add(answer.get("refreshToken").get("token").asText());
  }

  private static void fails500(String what, Callable<HttpResponse<String>> call) throws Exception {
    long start = System.nanoTime();
    HttpResponse<String> r = call.call();
    Duration took = record(what, start);
    assertThat(r.statusCode()).as(what + ": " + r.body()).isEqualTo(500);
    assertThat(r.body()).as(what).isEqualTo("Internal error");
    assertThat(took).as(what + " took").isLessThan(BOUND);
  }

  private static Duration record(String what, long startNanos) {
    Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
    slowest.merge(what, took, (a, b) -> a.compareTo(b) >= 0 ? a : b);
    return took;
  }
}
