package dev.hallpass.server;

import static dev.hallpass.server.ApiClient.ok200;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** HTTP plumbing: API keys, cdi-version, prefixes, body limits, routing. */
class ApiHandlerTest {
  private static final String CREATE =
      "{\"userId\":\"u\",\"userDataInJWT\":{},"
          + "\"userDataInDatabase\":{},\"enableAntiCsrf\":false}";
  private static TestServer t;

  @BeforeAll
  static void start() throws Exception {
    t = new TestServer();
  }

  @AfterAll
  static void stop() {
    t.close();
  }

  private static HttpResponse<String> bare(HttpRequest.Builder b) throws Exception {
    return t.send(b.timeout(Duration.ofSeconds(10)).build());
  }

  private static void assertText(HttpResponse<String> r, int status, String fragment) {
    assertThat(r.statusCode()).as("body: %s", r.body()).isEqualTo(status);
    if (status >= 400) {
      assertThat(r.headers().firstValue("connection")).as("refused: closed").hasValue("close");
    }
    assertThat(r.headers().firstValue("content-type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
    assertThat(r.body()).contains(fragment);
  }

  private static int sessionsOf(String userId) throws Exception {
    return ok200(t.get("/recipe/session/user?userId=" + userId)).get("sessionHandles").size();
  }

  @Test
  void missingApiKey_is401() throws Exception {
    HttpResponse<String> r =
        bare(
            HttpRequest.newBuilder(t.uri("/recipe/session"))
                .header("cdi-version", "5.4")
                .POST(HttpRequest.BodyPublishers.ofString(CREATE)));
    assertText(r, 401, "Invalid API key");
  }

  @Test
  void wrongApiKey_is401_andCreatesNothing() throws Exception {
    HttpResponse<String> r =
        bare(
            HttpRequest.newBuilder(t.uri("/recipe/session"))
                .header("api-key", TestServer.API_KEY + "x")
                .POST(HttpRequest.BodyPublishers.ofString(CREATE.replace("\"u\"", "\"nokey\""))));
    assertText(r, 401, "Invalid API key");
    assertThat(sessionsOf("nokey")).isZero();
  }

  @Test
  void bearerKeyInAnotherCase_rightAfterTheRealOneOnOneConnection_is401() throws Exception {
    String variant = TestServer.API_KEY.toUpperCase(java.util.Locale.ROOT);
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> real =
          bare(
              HttpRequest.newBuilder(t.uri("/metrics"))
                  .header("Authorization", "Bearer " + TestServer.API_KEY)
                  .GET());
      assertThat(real.statusCode()).isEqualTo(200);
      HttpResponse<String> r =
          bare(
              HttpRequest.newBuilder(t.uri("/metrics"))
                  .header("Authorization", "Bearer " + variant)
                  .GET());
      assertThat(r.statusCode()).as("round %d", i).isEqualTo(401);
    }
  }

  @Test
  void publicEndpoints_needNoApiKey() throws Exception {
    for (String path :
        new String[] {"/hello", "/", "/apiversion", "/.well-known/jwks.json", "/recipe/jwt/jwks"}) {
      HttpResponse<String> r = bare(HttpRequest.newBuilder(t.uri(path)).GET());
      assertThat(r.statusCode()).as(path).isEqualTo(200);
    }
    assertThat(bare(HttpRequest.newBuilder(t.uri("/hello")).GET()).body()).isEqualTo("Hello");
  }

  @Test
  void apiVersion_listsTheVersionsOfSupertokensNode20To24() throws Exception {
    JsonNode n = ok200(t.get("/apiversion?apiDomain=x&websiteDomain=y"));
    assertThat(n.get("versions").toString()).isEqualTo("[\"5.1\",\"5.2\",\"5.3\",\"5.4\"]");
  }

  @Test
  void everySupportedCdiVersion_isServed() throws Exception {
    for (String version : new String[] {"5.1", "5.2", "5.3", "5.4"}) {
      HttpResponse<String> r =
          bare(
              t.sdk("/recipe/session")
                  .setHeader("cdi-version", version)
                  .POST(HttpRequest.BodyPublishers.ofString(CREATE)));
      assertThat(ok200(r).get("session").get("tenantId").asText()).as(version).isEqualTo("public");
    }
  }

  @Test
  void unsupportedCdiVersion_is400_listingTheSupportedOnes() throws Exception {
    for (String version : new String[] {"2.9", "5.0", "5.5", "4.0", "5", ""}) {
      HttpResponse<String> r =
          bare(t.sdk("/recipe/session/user?userId=u").setHeader("cdi-version", version).GET());
      assertText(
          r, 400, "cdi-version '" + version + "' not supported; supported: 5.1, 5.2, 5.3, 5.4");
    }
  }

  @Test
  void absentCdiVersion_isAccepted() throws Exception {
    HttpResponse<String> r =
        bare(
            HttpRequest.newBuilder(t.uri("/recipe/session/user?userId=u"))
                .header("api-key", TestServer.API_KEY)
                .GET());
    assertThat(r.statusCode()).isEqualTo(200);
  }

  @Test
  void invalidJson_is400() throws Exception {
    assertText(t.post("/recipe/session", "{\"userId\": nope"), 400, "Invalid JSON input");
    assertText(t.post("/recipe/session", "[1,2]"), 400, "must be a JSON object");
    assertText(t.post("/recipe/session", ""), 400, "Invalid JSON input");
    assertText(
        t.post("/recipe/session", "{\"userId\":\"a\",\"userId\":\"b\"}"),
        400,
        "Invalid JSON input");
    assertText(t.post("/recipe/session", CREATE + " trailing"), 400, "Invalid JSON input");
  }

  @Test
  void invalidJson_answer_doesNotEchoTheInput() throws Exception {
    HttpResponse<String> r = t.post("/recipe/session/refresh", "{\"refreshToken\": secretabc}");
    assertText(r, 400, "Invalid JSON input");
    assertThat(r.body()).doesNotContain("secretabc");
  }

  @Test
  void wrongTypes_andMissingFields_are400_namingTheField() throws Exception {
    assertText(t.post("/recipe/session", CREATE.replace("\"u\"", "42")), 400, "'userId'");
    assertText(
        t.post("/recipe/session", CREATE.replace("false", "\"no\"")), 400, "'enableAntiCsrf'");
    assertText(
        t.post("/recipe/session", CREATE.replace("\"userDataInJWT\":{}", "\"userDataInJWT\":[]")),
        400,
        "'userDataInJWT'");
    assertText(t.post("/recipe/session", "{\"userId\":\"u\"}"), 400, "'userDataInJWT'");
    assertText(
        t.post("/recipe/session/refresh", "{\"refreshToken\":7,\"enableAntiCsrf\":true}"),
        400,
        "'refreshToken'");
    assertText(
        t.post("/recipe/session/verify", "{\"accessToken\":\"x\"}"), 400, "'doAntiCsrfCheck'");
    assertText(
        t.post("/recipe/session/remove", "{\"sessionHandles\":[1]}"), 400, "'sessionHandles'");
    assertText(t.post("/recipe/session/remove", "{}"), 400, "'userId'");
    assertText(t.get("/recipe/session"), 400, "'sessionHandle'");
    assertText(
        t.get("/recipe/session/user?userId=u&fetchAcrossAllTenants=maybe"),
        400,
        "'fetchAcrossAllTenants'");
    assertText(
        t.post("/recipe/jwt", "{\"payload\":{},\"validity\":0,\"algorithm\":\"RS256\"}"),
        400,
        "'validity'");
  }

  @Test
  void badInput_changesNothingStored() throws Exception {
    assertText(
        t.post("/recipe/session", CREATE.replace("\"u\"", "\"badinput\"").replace("false", "1")),
        400,
        "'enableAntiCsrf'");
    assertText(
        t.post(
            "/recipe/session",
            CREATE
                .replace("\"u\"", "\"badinput\"")
                .replace("\"userDataInJWT\":{}", "\"userDataInJWT\":{\"sub\":\"x\"}")),
        400,
        "reserved claim name 'sub'");
    assertThat(sessionsOf("badinput")).isZero();
  }

  @Test
  void hugeBody_is400_whetherDeclaredOrStreamed() throws Exception {
    byte[] big = new byte[Call.MAX_BODY_BYTES + 10];
    Arrays.fill(big, (byte) ' ');
    big[0] = '{';
    big[big.length - 1] = '}';
    assertText(
        t.send(t.sdk("/recipe/session").POST(HttpRequest.BodyPublishers.ofByteArray(big)).build()),
        400,
        "larger than");
    // Without a Content-Length (chunked), the limit is enforced while reading.
    HttpRequest.BodyPublisher chunked =
        new HttpRequest.BodyPublisher() {
          private final HttpRequest.BodyPublisher inner =
              HttpRequest.BodyPublishers.ofByteArray(big);

          @Override
          public long contentLength() {
            return -1;
          }

          @Override
          public void subscribe(Flow.Subscriber<? super ByteBuffer> s) {
            inner.subscribe(s);
          }
        };
    assertText(t.send(t.sdk("/recipe/session").POST(chunked).build()), 400, "larger than");
  }

  @Test
  void bodyJustUnderTheLimit_isParsed() throws Exception {
    String pad = " ".repeat(Call.MAX_BODY_BYTES - CREATE.length() - 10);
    JsonNode n = ok200(t.post("/recipe/session", CREATE.replace("\"u\"", "\"bigok\"") + pad));
    assertThat(n.get("status").asText()).isEqualTo("OK");
  }

  @Test
  void tenantPrefixes_anyValidTenantIsServed_inThePublicApp() throws Exception {
    assertThat(
            ok200(t.post("/public/recipe/session", CREATE)).get("session").get("tenantId").asText())
        .isEqualTo("public");
    assertThat(ok200(t.post("/recipe/session", CREATE)).get("session").get("tenantId").asText())
        .isEqualTo("public");
    assertThat(
            ok200(t.post("/acme/recipe/session", CREATE)).get("session").get("tenantId").asText())
        .isEqualTo("acme");
    assertThat(
            ok200(t.post("/appid-public/t-2/recipe/session", CREATE))
                .get("session")
                .get("tenantId")
                .asText())
        .isEqualTo("t-2");
    assertThat(ok200(t.get("/appid-public/recipe/session/user?userId=u")).has("sessionHandles"))
        .isTrue();
  }

  @Test
  void invalidTenantOrOtherApp_is400_tenantOrAppNotFound_andCreatesNothing() throws Exception {
    String create = CREATE.replace("\"u\"", "\"badtenant\"");
    for (String prefix :
        new String[] {
          "/ACME", "/a_b", "/a.b", "/" + "x".repeat(129), "/appid-public/appid-x", "/caf%C3%A9"
        }) {
      assertText(t.post(prefix + "/recipe/session", create), 400, "AppId or tenantId not found");
    }
    assertText(
        t.post("/appid-public/appid-x/recipe/session", create), 400, "'appid-x' is reserved");
    assertText(t.post("/ACME/recipe/session", create), 400, "'ACME' is not a tenant id");
    assertText(t.post("/appid-other/recipe/session", create), 400, "AppId or tenantId not found");
    assertText(t.get("/appid-other/public/recipe/session/user?userId=u"), 400, "not found");
    assertThat(
            ok200(t.get("/recipe/session/user?userId=badtenant&fetchAcrossAllTenants=true"))
                .get("sessionHandles")
                .size())
        .isZero();
  }

  @Test
  void tenantsOption_acceptsPublicAndTheListedTenantsOnly() throws Exception {
    try (TestServer own = new TestServer("--tenants", "t1,t2")) {
      assertThat(ok200(own.post("/t1/recipe/session", CREATE)).get("status").asText())
          .isEqualTo("OK");
      assertThat(ok200(own.post("/recipe/session", CREATE)).get("status").asText()).isEqualTo("OK");
      assertThat(ok200(own.post("/public/recipe/session", CREATE)).get("status").asText())
          .isEqualTo("OK");
      assertText(
          own.post("/t3/recipe/session", CREATE),
          400,
          "AppId or tenantId not found => tenant 't3' is not one of this server's tenants");
      assertText(own.get("/t3/recipe/session/user?userId=u"), 400, "AppId or tenantId not found");
      // Without a valid key nothing is learnt about the tenants.
      assertText(
          own.send(
              HttpRequest.newBuilder(own.uri("/t3/recipe/session/user?userId=u"))
                  .header("api-key", TestServer.API_KEY + "x")
                  .GET()
                  .build()),
          401,
          "Invalid API key");
      JsonNode tenants = ok200(own.get("/recipe/multitenancy/tenant/list/v2")).get("tenants");
      assertThat(tenants.findValuesAsText("tenantId")).containsExactly("public", "t1", "t2");
    }
  }

  @Test
  void unknownPath_is404_andWrongMethod_is405() throws Exception {
    assertText(t.get("/recipe/nothing"), 404, "Not found");
    HttpResponse<String> r = bare(t.sdk("/recipe/session/refresh").GET());
    assertText(r, 405, "Method not supported");
    assertThat(r.headers().firstValue("allow")).hasValue("POST");
  }

  @Test
  void jwks_isCacheable_untilTheNextKeyRotation() throws Exception {
    try (TestServer own = new TestServer("--signing-key-rotation", "1d")) {
      HttpResponse<String> r =
          own.send(HttpRequest.newBuilder(own.uri("/.well-known/jwks.json")).GET().build());
      assertThat(r.headers().firstValue("cache-control")).hasValue("max-age=86400");
      assertThat(Json.MAPPER.readTree(r.body()).get("keys").size()).isEqualTo(2);
      own.clock.advance(Duration.ofHours(10));
      r = own.send(HttpRequest.newBuilder(own.uri("/recipe/jwt/jwks")).GET().build());
      assertThat(r.headers().firstValue("cache-control")).hasValue("max-age=50400");
      assertThat(r.headers().firstValue("content-type"))
          .hasValue("application/json; charset=utf-8");
    }
  }

  @Test
  void metrics_arePrometheusText_withTheSessionCounters() throws Exception {
    HttpResponse<String> r = t.get("/metrics");
    assertThat(r.headers().firstValue("content-type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain; version=0.0.4"));
    assertThat(r.body())
        .contains(
            "hallpass_session_creations_total",
            "hallpass_session_refreshes_total",
            "hallpass_session_verifications_total",
            "hallpass_token_thefts_detected_total",
            "hallpass_http_requests_seconds_count");
    t.get("/recipe/session/user?userId=metricsprobe");
    String after = t.get("/metrics").body();
    // Requests are tagged by route template: no user ids or other raw path parts.
    assertThat(after).contains("route=\"/recipe/session/user\"").doesNotContain("metricsprobe");
  }
}
