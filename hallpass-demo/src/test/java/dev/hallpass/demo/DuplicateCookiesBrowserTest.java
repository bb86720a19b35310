package dev.hallpass.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallpass.Hallpass;
import dev.hallpass.SessionStores;
import dev.hallpass.servlet.HallpassWeb;
import dev.hallpass.testkit.MutableClock;
import jakarta.servlet.DispatcherType;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.eclipse.jetty.ee10.servlet.DefaultServlet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real supertokens-website SDK in headless Chromium, on a page whose browser also holds stray
 * {@code sAccessToken}/{@code sRefreshToken} cookies of the parent domain {@code .example.test}:
 * with {@code olderCookieDomain} the SDK's refresh clears them and the user stays signed in (the
 * one call that triggered it fails; the next one refreshes normally); without it the refresh is
 * refused and the SDK signs the user out (Hallpass never guesses which cookie is current). Needs
 * /usr/bin/chromium, like DemoBrowserTest.
 */
class DuplicateCookiesBrowserTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration VALIDITY = Duration.ofMinutes(5);
  private static final Path CHROMIUM =
      Path.of(System.getenv().getOrDefault("CHROMIUM_PATH", "/usr/bin/chromium"));

  @BeforeAll
  static void needsChromium() {
    if (!Files.isExecutable(CHROMIUM)) {
      String reason = CHROMIUM + " is missing: install Debian's chromium package";
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError(reason);
      }
      System.out.println("SKIPPED DuplicateCookiesBrowserTest: " + reason);
      Assumptions.abort(reason);
    }
  }

  @Test
  void withOlderCookieDomain_theStrayCookiesAreCleared_theUserStaysSignedIn_andRefreshWorks()
      throws Exception {
    JsonNode r = run(w -> w.olderCookieDomain(".example.test"));

    assertThat(strings(r.get("cookiesBefore")))
        .contains("sRefreshToken@.example.test", "sRefreshToken@app.example.test");
    // The refresh answer clears the stray cookies with a 200 and no front-token. The SDK keeps the
    // session (a 401 would sign the user out, see below) but fails the one call that triggered
    // the refresh: supertokens-website 20.1.6 expects a front-token with every 200 refresh.
    // (The page's own calls may interleave: what matters is the order of these and that every
    // refresh answered 200.)
    assertThat(strings(r.get("calls")))
        .containsSubsequence("GET /api/me 401", "POST /auth/session/refresh 200")
        .allMatch(c -> !c.startsWith("POST /auth/session/refresh") || c.endsWith(" 200"));
    assertThat(strings(r.get("log"))).anyMatch(l -> l.contains("'front-token' header is missing"));
    assertThat(r.get("stillSignedIn").asBoolean()).isTrue();
    assertThat(strings(r.get("cookiesAfter")))
        .contains("sAccessToken@app.example.test", "sRefreshToken@app.example.test")
        .noneMatch(c -> c.endsWith("@.example.test"));
    // The user's next call refreshes normally and succeeds.
    assertThat(strings(r.get("nextCalls")))
        .containsSubsequence("GET /api/me 401", "POST /auth/session/refresh 200", "GET /api/me 200")
        .allMatch(c -> !c.startsWith("POST /auth/session/refresh") || c.endsWith(" 200"));
    assertThat(r.get("nextResult").asBoolean()).isTrue();
  }

  @Test
  void withoutOlderCookieDomain_theRefreshIsRefused_andTheSdkSignsOut() throws Exception {
    JsonNode r = run(w -> w);

    // (The page's own calls may interleave, before the user's call too: what matters is that the
    // user's call was refused, a refresh was tried, and every refresh answered 401.)
    assertThat(strings(r.get("calls")))
        .contains("GET /api/me 401", "POST /auth/session/refresh 401")
        .allMatch(c -> !c.startsWith("POST /auth/session/refresh") || c.endsWith(" 401"));
    assertThat(r.get("stillSignedIn").asBoolean()).isFalse();
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  /** Serves the demo page and API like DemoServer, with these web settings, and runs the script. */
  private static JsonNode run(UnaryOperator<HallpassWeb.Builder> settings) throws Exception {
    MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    Server server = new Server();
    try (Hallpass engine =
        Hallpass.builder()
            .store(SessionStores.inMemory(clock))
            .clock(clock)
            .accessTokenValidity(VALIDITY)
            .disableBackgroundCleanup()
            .build()) {
      HallpassWeb plain =
          settings.apply(HallpassWeb.builder(engine).allowInsecureCookies().clock(clock)).build();
      SessionEndings endings = new SessionEndings(clock);
      HallpassWeb web = endings.watch(plain);
      ServletContextHandler context = new ServletContextHandler("/");
      context.addFilter(new FilterHolder(web.filter()), "/*", EnumSet.of(DispatcherType.REQUEST));
      context.addServlet(new ServletHolder(new DemoApi(web, endings)), "/api/*");
      context.setBaseResource(
          org.eclipse.jetty.util.resource.ResourceFactory.of(context)
              .newClassLoaderResource("static"));
      context.setWelcomeFiles(new String[] {"index.html"});
      context.addServlet(new ServletHolder("static", DefaultServlet.class), "/");
      HttpConfiguration config = new HttpConfiguration();
      config.setHeaderCacheSize(-1); // as DemoServer
      ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(config));
      connector.setHost("127.0.0.1");
      server.addConnector(connector);
      server.setHandler(context);
      server.start();

      Process node =
          new ProcessBuilder(
                  "node",
                  "src/test/js/duplicate-cookies-e2e.mjs",
                  Integer.toString(connector.getLocalPort()),
                  Long.toString(VALIDITY.getSeconds()))
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      // A hung browser must not hang the build.
      CompletableFuture<Void> watchdog =
          CompletableFuture.runAsync(
              node::destroyForcibly, CompletableFuture.delayedExecutor(90, TimeUnit.SECONDS));
      try (BufferedReader out =
              new BufferedReader(
                  new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
          Writer in = new OutputStreamWriter(node.getOutputStream(), StandardCharsets.UTF_8)) {
        String result = null;
        for (String line; (line = out.readLine()) != null; ) {
          if (line.startsWith("ADVANCE ")) {
            clock.advance(Duration.ofSeconds(Long.parseLong(line.substring(8).trim())));
            in.write("OK\n");
            in.flush();
          } else if (line.startsWith("RESULT ")) {
            result = line.substring(7);
          } else {
            System.out.println("[browser] " + line);
          }
        }
        assertThat(node.waitFor(30, TimeUnit.SECONDS)).as("browser script ended").isTrue();
        assertThat(node.exitValue()).as("browser script exit code").isZero();
        assertThat(result).as("browser script result").isNotNull();
        return JSON.readTree(result);
      } finally {
        watchdog.cancel(false);
        node.destroyForcibly();
      }
    } finally {
      server.stop();
    }
  }
}
