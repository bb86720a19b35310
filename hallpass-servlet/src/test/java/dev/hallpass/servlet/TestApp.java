package dev.hallpass.servlet;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallpass.Hallpass;
import dev.hallpass.HallpassException;
import dev.hallpass.Session;
import dev.hallpass.SessionStores;
import dev.hallpass.spi.SessionStore;
import dev.hallpass.testkit.CountingStore;
import dev.hallpass.testkit.MutableClock;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A real Jetty 12 on a random port with Hallpass wired in the way an application would, plus an
 * HTTP client that keeps cookies like a browser (path-scoped, dropped at Max-Age=0).
 */
final class TestApp implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration ACCESS_VALIDITY = Duration.ofMinutes(15);

  final MutableClock clock = new MutableClock(Instant.parse("2031-03-04T05:06:07Z"));

  /** Counts the engine's store calls: an attack that Hallpass refuses up front makes none. */
  final CountingStore store;

  final Hallpass engine;
  final HallpassWeb web;
  private final Server server;
  final URI base;
  private final HttpClient http = HttpClient.newHttpClient();

  /** An extra application route: what a servlet would do with the web layer. */
  interface Route {
    Map<String, Object> serve(HallpassWeb web, HttpServletRequest req, HttpServletResponse res)
        throws Exception;
  }

  private TestApp(
      Function<Clock, SessionStore> storeFactory,
      UnaryOperator<Hallpass.Builder> engineSettings,
      UnaryOperator<HallpassWeb.Builder> webSettings,
      UnaryOperator<HallpassWeb> decorator,
      int requestHeaderSize,
      String contextPath,
      Map<String, Route> routes)
      throws Exception {
    // The store shares the engine's clock: refresh decisions and expiry use the store's time.
    store = new CountingStore(storeFactory.apply(clock));
    engine =
        engineSettings
            .apply(
                Hallpass.builder()
                    .store(store)
                    .clock(clock)
                    .accessTokenValidity(ACCESS_VALIDITY)
                    .disableBackgroundCleanup())
            .build();
    web = decorator.apply(webSettings.apply(HallpassWeb.builder(engine).clock(clock)).build());
    server = new Server();
    HttpConfiguration config = new HttpConfiguration();
    config.setRequestHeaderSize(requestHeaderSize);
    // No header cache: Jetty's default one matches Cookie and Authorization values ignoring case on
    // a kept-alive connection, so a token differing only in case would be read as the earlier one.
    config.setHeaderCacheSize(-1);
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(config));
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler(contextPath);
    context.addFilter(new FilterHolder(web.filter()), "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(new AppServlet(web, routes)), "/*");
    server.setHandler(context);
    server.start();
    base =
        URI.create(
            "http://127.0.0.1:"
                + connector.getLocalPort()
                + ("/".equals(contextPath) ? "" : contextPath));
  }

  static TestApp start() throws Exception {
    return start(b -> b, b -> b.allowInsecureCookies());
  }

  static TestApp start(
      UnaryOperator<Hallpass.Builder> engine, UnaryOperator<HallpassWeb.Builder> web)
      throws Exception {
    return new TestApp(SessionStores::inMemory, engine, web, w -> w, 8 * 1024, "/", Map.of());
  }

  /** An app whose servlets and filter use a decorator of the built HallpassWeb. */
  static TestApp startDecorated(
      UnaryOperator<HallpassWeb.Builder> web, UnaryOperator<HallpassWeb> decorator)
      throws Exception {
    return new TestApp(SessionStores::inMemory, b -> b, web, decorator, 8 * 1024, "/", Map.of());
  }

  /** An app on the given store (the factory gets the test clock). */
  static TestApp start(
      Function<Clock, SessionStore> store,
      UnaryOperator<HallpassWeb.Builder> web,
      int requestHeaderSize)
      throws Exception {
    return new TestApp(store, b -> b, web, w -> w, requestHeaderSize, "/", Map.of());
  }

  /** An app with extra routes (paths such as "/api/x"), insecure cookies added to the settings. */
  static TestApp start(UnaryOperator<HallpassWeb.Builder> web, Map<String, Route> routes)
      throws Exception {
    return new TestApp(
        SessionStores::inMemory,
        b -> b,
        b -> web.apply(b.allowInsecureCookies()),
        w -> w,
        8 * 1024,
        "/",
        routes);
  }

  static TestApp start(
      UnaryOperator<HallpassWeb.Builder> web, int requestHeaderSize, String contextPath)
      throws Exception {
    return new TestApp(
        SessionStores::inMemory, b -> b, web, w -> w, requestHeaderSize, contextPath, Map.of());
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("Jetty did not stop", e);
    } finally {
      engine.close();
    }
  }

  /** The claims of a JWT, decoded without verification (the test reads what was sent). */
  @SuppressWarnings("unchecked")
  static Map<String, Object> jwtPayload(String jwt) throws IOException {
    String[] parts = jwt.split("\\.");
    if (parts.length != 3) {
      throw new AssertionError("not a JWT (" + jwt.length() + " characters)");
    }
    return JSON.readValue(Base64.getUrlDecoder().decode(parts[1]), Map.class);
  }

  /** A fresh browser-like client. */
  Client client() {
    return new Client();
  }

  /** The application under test: what a user of hallpass-servlet writes. */
  private static final class AppServlet extends HttpServlet {
    private final transient HallpassWeb web;
    private final transient Map<String, Route> routes;

    AppServlet(HallpassWeb web, Map<String, Route> routes) {
      this.web = web;
      this.routes = routes;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse res)
        throws ServletException, IOException {
      String path = req.getPathInfo() == null ? "" : req.getPathInfo();
      Map<String, Object> out = new LinkedHashMap<>();
      switch (path) {
        case "/signin":
          {
            Session s =
                web.createNewSession(
                    req,
                    res,
                    req.getParameter("user"),
                    Map.of("role", "reader"),
                    Map.of("visits", 0));
            out.put("userId", s.getUserId());
            out.put("handle", s.getHandle());
            break;
          }
        case "/signin-with":
          {
            // What an application does with user-supplied values: a refused one is a 400.
            Map<String, Object> in = readJson(req);
            Session s;
            try {
              s =
                  web.createNewSession(
                      req, res, (String) in.get("user"), map(in, "payload"), map(in, "data"));
            } catch (IllegalArgumentException e) {
              res.setStatus(400);
              out.put("message", e.getMessage());
              break;
            }
            out.put("userId", s.getUserId());
            out.put("handle", s.getHandle());
            break;
          }
        case "/api/data":
          {
            Session s = web.getSession(req, res, true);
            if ("PUT".equals(req.getMethod())) {
              s.updateSessionData(readJson(req));
            }
            out.put("userId", s.getUserId());
            out.put("payload", s.getJWTPayload());
            out.put("data", s.getSessionData());
            break;
          }
        case "/api/session":
          {
            Session s = web.getSession(req, res, true);
            out.put("userId", s.getUserId());
            out.put("handle", s.getHandle());
            out.put("role", s.getJWTPayload().get("role"));
            break;
          }
        case "/api/unchecked":
          {
            out.put("userId", web.getSession(req, res, false).getUserId());
            break;
          }
        case "/api/optional":
          {
            Session s = web.getSession(req, res, true, false);
            out.put("userId", s == null ? null : s.getUserId());
            break;
          }
        case "/api/payload":
          {
            Session s = web.getSession(req, res, true);
            s.updateJWTPayload(Map.of("role", req.getParameter("role")));
            out.put("role", s.getJWTPayload().get("role"));
            break;
          }
        case "/api/refresh-directly":
          out.put("userId", web.refreshSession(req, res).getUserId());
          break;
        case "/api/revoke":
          web.getSession(req, res, true).revokeSession();
          break;
        case "/api/store-down":
          throw HallpassException.generalError(
              "the session store failed",
              new IllegalStateException("jdbc:postgresql://secret-host/db refused the connection"));
        case "/api/wrapped":
          throw new ServletException(
              "app code wrapped it", HallpassException.unauthorised("the app decided so"));
        case "/api/plain-failure":
          throw new IllegalStateException("not a Hallpass error");
        default:
          Route route = routes.get(path);
          if (route == null) {
            res.sendError(404);
            return;
          }
          try {
            out.putAll(route.serve(web, req, res));
          } catch (IOException | ServletException | RuntimeException e) {
            throw e;
          } catch (Exception e) {
            throw new ServletException(e);
          }
      }
      res.setContentType("application/json");
      res.getWriter().write(JSON.writeValueAsString(out));
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> readJson(HttpServletRequest req) throws IOException {
    return JSON.readValue(req.getInputStream(), Map.class);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Map<String, Object> in, String key) {
    Object v = in.get(key);
    return v == null ? Map.of() : (Map<String, Object>) v;
  }

  /** One response, with helpers to read what Hallpass sent. */
  static final class Reply {
    final HttpResponse<String> raw;

    Reply(HttpResponse<String> raw) {
      this.raw = raw;
    }

    int status() {
      return raw.statusCode();
    }

    String body() {
      return raw.body();
    }

    String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }

    /** The raw {@code Set-Cookie} headers for one cookie name. */
    List<String> setCookies(String name) {
      List<String> out = new ArrayList<>();
      for (String c : raw.headers().allValues("Set-Cookie")) {
        if (c.startsWith(name + "=")) {
          out.add(c);
        }
      }
      return out;
    }

    String setCookie(String name) {
      List<String> c = setCookies(name);
      if (c.size() != 1) {
        throw new AssertionError("expected one Set-Cookie for " + name + ", got " + c);
      }
      return c.get(0);
    }

    String cookieValue(String name) {
      String c = setCookie(name);
      return c.substring(name.length() + 1, c.indexOf(';'));
    }

    /** The decoded {@code front-token} header. */
    @SuppressWarnings("unchecked")
    Map<String, Object> frontToken() throws IOException {
      String ft = header("front-token");
      return JSON.readValue(Base64.getDecoder().decode(ft), Map.class);
    }

    List<String> exposed() {
      List<String> out = new ArrayList<>();
      for (String v : raw.headers().allValues("Access-Control-Expose-Headers")) {
        for (String n : v.split(",")) {
          out.add(n.trim());
        }
      }
      return out;
    }
  }

  /**
   * A client that keeps cookies the way a browser on {@code app.example.com} does: by name, Domain
   * and Path (every Domain is taken to match, as {@code .example.com} and host-only cookies both
   * would), sent when the path matches, dropped at Max-Age=0.
   */
  final class Client {
    /** "name;domain;path" (domain "" for host-only) -> value */
    final Map<String, String> jar = new LinkedHashMap<>();

    Reply send(String method, String path, String... headers) throws Exception {
      return send(method, path, HttpRequest.BodyPublishers.noBody(), headers);
    }

    Reply send(String method, String path, HttpRequest.BodyPublisher body, String... headers)
        throws Exception {
      URI uri = base.resolve(base.getPath() + path);
      HttpRequest.Builder b = HttpRequest.newBuilder(uri).method(method, body);
      StringBuilder cookie = new StringBuilder();
      for (Map.Entry<String, String> e : jar.entrySet()) {
        String[] key = e.getKey().split(";", 3);
        if (uri.getPath().startsWith(key[2])) {
          cookie
              .append(cookie.length() == 0 ? "" : "; ")
              .append(key[0])
              .append('=')
              .append(e.getValue());
        }
      }
      if (cookie.length() > 0) {
        b.header("Cookie", cookie.toString());
      }
      for (int i = 0; i < headers.length; i += 2) {
        b.header(headers[i], headers[i + 1]);
      }
      HttpResponse<String> r =
          http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      for (String c : r.headers().allValues("Set-Cookie")) {
        String name = c.substring(0, c.indexOf('='));
        String value = c.substring(name.length() + 1, c.indexOf(';'));
        String p = c.replaceAll("^.*; Path=([^;]*).*$", "$1");
        String d = c.contains("; Domain=") ? c.replaceAll("^.*; Domain=([^;]*).*$", "$1") : "";
        String key = name + ";" + d + ";" + p;
        if (c.contains("Max-Age=0")) {
          jar.remove(key);
        } else {
          jar.put(key, value);
        }
      }
      return new Reply(r);
    }

    /** Stores a cookie as if another application had set it. */
    void plant(String name, String value, String domain, String path) {
      jar.put(name + ";" + domain + ";" + path, value);
    }

    /** The value of the host-only cookie with this name, or of any with it; null without one. */
    String cookie(String name) {
      String any = null;
      for (Map.Entry<String, String> e : jar.entrySet()) {
        String[] key = e.getKey().split(";", 3);
        if (key[0].equals(name)) {
          if (key[1].isEmpty()) {
            return e.getValue();
          }
          any = e.getValue();
        }
      }
      return any;
    }
  }
}
