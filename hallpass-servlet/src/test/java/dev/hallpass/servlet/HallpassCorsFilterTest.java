package dev.hallpass.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallpass.Hallpass;
import dev.hallpass.SessionStores;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HallpassCorsFilterTest {
  private static final String SITE = "https://app.example.com";
  private static Hallpass engine;
  private static Server server;
  private static URI base;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    engine = Hallpass.builder().store(SessionStores.inMemory()).disableBackgroundCleanup().build();
    HallpassWeb web = HallpassWeb.builder(engine).cookieSameSite(SameSite.NONE).build();
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    context.addFilter(
        new FilterHolder(new HallpassCorsFilter(List.of(SITE), List.of("X-Trace"))),
        "/*",
        EnumSet.of(DispatcherType.REQUEST));
    context.addFilter(new FilterHolder(web.filter()), "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(
        new ServletHolder(
            new HttpServlet() {
              private static final long serialVersionUID = 1L;

              @Override
              protected void doPost(HttpServletRequest req, HttpServletResponse res)
                  throws IOException {
                web.createNewSession(req, res, "alice", Map.of(), Map.of());
              }
            }),
        "/signin");
    server.setHandler(context);
    server.start();
    base = URI.create("http://127.0.0.1:" + connector.getLocalPort());
  }

  @AfterAll
  static void stop() throws Exception {
    server.stop();
    engine.close();
  }

  private static HttpResponse<String> send(String method, String path, String... headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path))
            .method(method, HttpRequest.BodyPublishers.noBody());
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void preflightFromAllowedOrigin_allowsCredentialsAndTheSdkHeaders() throws Exception {
    HttpResponse<String> r =
        send(
            "OPTIONS",
            "/auth/session/refresh",
            "Origin",
            SITE,
            "Access-Control-Request-Method",
            "POST",
            "Access-Control-Request-Headers",
            "rid,fdi-version,st-auth-mode,anti-csrf");

    assertThat(r.statusCode()).isEqualTo(204);
    assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).contains(SITE);
    assertThat(r.headers().firstValue("Access-Control-Allow-Credentials")).contains("true");
    assertThat(r.headers().firstValue("Access-Control-Allow-Headers").orElseThrow())
        .contains(
            "anti-csrf",
            "rid",
            "fdi-version",
            "st-auth-mode",
            "authorization",
            "content-type",
            "x-trace");
    assertThat(r.headers().firstValue("Access-Control-Allow-Methods").orElseThrow())
        .contains("POST");
    assertThat(r.headers().allValues("Vary")).contains("Origin");
  }

  @Test
  void actualRequestFromAllowedOrigin_getsOriginAndExposedSessionHeaders() throws Exception {
    HttpResponse<String> r = send("POST", "/signin", "Origin", SITE, "rid", "anti-csrf");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).contains(SITE);
    assertThat(r.headers().firstValue("Access-Control-Expose-Headers").orElseThrow())
        .contains("front-token");
    assertThat(r.headers().allValues("Set-Cookie")).allMatch(c -> c.endsWith("SameSite=None"));
  }

  @Test
  void otherOrigins_getNoCorsHeaders_andTheirPreflightsAreRefused() throws Exception {
    HttpResponse<String> pre =
        send(
            "OPTIONS",
            "/signin",
            "Origin",
            "https://evil.example",
            "Access-Control-Request-Method",
            "POST");
    HttpResponse<String> actual = send("POST", "/signin", "Origin", "https://evil.example");

    assertThat(pre.statusCode()).isEqualTo(403);
    assertThat(pre.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    assertThat(actual.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }

  @Test
  void wildcardOrMalformedOrigins_areRefused() {
    for (String bad :
        new String[] {
          "*",
          "app.example.com",
          "https://a.example/path",
          "ftp://a.example",
          "https://a.example?x=1"
        }) {
      assertThatThrownBy(() -> new HallpassCorsFilter(List.of(bad)))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
