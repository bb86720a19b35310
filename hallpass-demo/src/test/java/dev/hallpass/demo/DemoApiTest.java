package dev.hallpass.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallpass.Hallpass;
import dev.hallpass.servlet.AntiCsrfMode;
import dev.hallpass.spi.SessionStore;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The demo's page and JSON API over real HTTP, without a browser. */
class DemoApiTest {
  private static Hallpass engine;
  private static DemoServer server;
  private static URI base;

  @BeforeAll
  static void start() throws Exception {
    engine = Hallpass.builder().store(SessionStore.inMemory()).disableBackgroundCleanup().build();
    server = new DemoServer(engine, 0, AntiCsrfMode.NONE);
    base = URI.create("http://127.0.0.1:" + server.uri().getPort() + "/");
  }

  @AfterAll
  static void stop() {
    server.close();
    engine.close();
  }

  /** A client with its own cookie jar, like one browser. */
  private static HttpClient browser() {
    return HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
  }

  private static HttpResponse<String> send(HttpClient client, String method, String path,
      String json) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).method(method,
        json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      b.header("Content-Type", "application/json");
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void page_andTheBundledSdk_areServedFromTheJar() throws Exception {
    HttpClient c = browser();
    HttpResponse<String> page = send(c, "GET", "", null);
    HttpResponse<String> sdk = send(c, "GET", "js/supertokens-website.js", null);

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<script src=\"js/supertokens-website.js\">");
    assertThat(sdk.statusCode()).isEqualTo(200);
    assertThat(sdk.body()).contains("var supertokens=").contains("front-token");
    assertThat(send(c, "GET", "js/", null).statusCode()).as("no directory listings")
        .isNotEqualTo(200);
  }

  @Test
  void signIn_needsAUserNameOfOneTo64Characters() throws Exception {
    HttpClient c = browser();
    for (String body : new String[] {"{}", "{\"userName\":\"  \"}", "{\"userName\":7}", "nonsense",
        "{\"userName\":\"" + "x".repeat(65) + "\"}"}) {
      HttpResponse<String> r = send(c, "POST", "api/signin", body);
      assertThat(r.statusCode()).as(body).isEqualTo(400);
      assertThat(r.body()).as(body).contains("userName");
    }
  }

  @Test
  void protectedApis_refuseWithoutASession() throws Exception {
    for (String path : new String[] {"api/me", "api/session-data", "api/sessions"}) {
      HttpResponse<String> r = send(browser(), "GET", path, null);
      assertThat(r.statusCode()).as(path).isEqualTo(401);
      assertThat(r.body()).isEqualTo("{\"message\":\"unauthorised\"}");
    }
  }

  @Test
  void signedIn_seesItselfItsDataAndItsSessions() throws Exception {
    HttpClient c = browser();
    assertThat(send(c, "POST", "api/signin", "{\"userName\":\"carol\"}").statusCode())
        .isEqualTo(200);

    assertThat(send(c, "GET", "api/me", null).body()).contains("\"userId\":\"carol\"")
        .contains("\"role\":\"visitor\"");
    assertThat(send(c, "PUT", "api/session-data", "{\"theme\":\"dark\"}").body())
        .isEqualTo("{\"theme\":\"dark\"}");
    assertThat(send(c, "PUT", "api/session-data", "[1,2]").statusCode()).isEqualTo(400);
    assertThat(send(c, "GET", "api/session-data", null).body()).isEqualTo("{\"theme\":\"dark\"}");
    assertThat(send(c, "GET", "api/sessions", null).body())
        .matches("\\[\\{\"handle\":\"[0-9a-f-]{36}\",\"createdAt\":\"[^\"]+\","
            + "\"expiresAt\":\"[^\"]+\",\"current\":true}]");
    assertThat(send(c, "GET", "api/nothing-here", null).statusCode()).isEqualTo(404);
  }

  @Test
  void signOutEverywhere_revokesEveryOneOfTheUsersSessions() throws Exception {
    HttpClient laptop = browser();
    HttpClient phone = browser();
    send(laptop, "POST", "api/signin", "{\"userName\":\"dave\"}");
    send(phone, "POST", "api/signin", "{\"userName\":\"dave\"}");

    HttpResponse<String> r = send(laptop, "POST", "api/signout-everywhere", null);

    assertThat(r.body()).isEqualTo("{\"revoked\":2}");
    assertThat(r.headers().firstValue("front-token")).contains("remove");
    assertThat(engine.getAllSessionHandlesForUser("dave")).isEmpty();
    assertThat(send(laptop, "GET", "api/me", null).statusCode()).isEqualTo(401);
  }
}
