package dev.hallpass.benchmarks;

import dev.hallpass.Hallpass;
import dev.hallpass.Session;
import dev.hallpass.jdbc.JdbcSessionStores;
import dev.hallpass.servlet.HallpassWeb;
import dev.hallpass.spi.SessionStore;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The Hallpass side of the HTTP comparison with the original library: the same tiny app as {@code
 * benchmarks/original/http-app.js} (express + the original's express integration), here on an
 * embedded Jetty 12 (header cache off, as hallpass-servlet's README advises) with hallpass-servlet
 * in cookie mode, on the JDBC store in the same MariaDB database:
 *
 * <ul>
 *   <li>{@code POST /login}: {@link HallpassWeb#createNewSession}; answers {@code ok}
 *   <li>{@code GET /protected}: {@link HallpassWeb#getSession} on an engine with the verified-token
 *       cache off (like the original, which has none); {@code GET /protected-cached}: the same on
 *       an engine with the default cache (same store, so the same keys)
 *   <li>{@code POST /refresh}: {@link HallpassWeb#refreshSession}; the body repeats the new {@code
 *       sRefreshToken} cookie value and {@code anti-csrf} header (wrk's Lua sees one of several
 *       {@code Set-Cookie} headers only, and must present each session's newest token next time)
 * </ul>
 *
 * <p>Errors are answered by the {@code HallpassFilter} (401 with a JSON message). Engines as {@link
 * Fixtures#engine} (anti-CSRF tokens on, as the original's default), signing as given.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.hallpass.benchmarks.HallpassHttpApp PORT SIGNING}
 * with {@code HP_ORIG_JDBC_URL} set; prints {@code listening on PORT} and serves until killed.
 */
public final class HallpassHttpApp implements AutoCloseable {
  private final SessionStore store;
  private final Hallpass cold;
  private final Hallpass warm;
  private final Server server;

  private HallpassHttpApp(String jdbcUrl, HallpassSigning signing, int port) {
    store = JdbcSessionStores.builder().jdbcUrl(jdbcUrl).build();
    cold = signing.apply(Fixtures.engine(store)).verifiedTokenCacheSize(0).build();
    warm = signing.apply(Fixtures.engine(store)).build();
    // Default web settings (Secure cookies too: wrk and the set-up send cookies themselves).
    HallpassWeb web = HallpassWeb.builder(cold).build();
    HallpassWeb webCached = HallpassWeb.builder(warm).build();
    server = new Server();
    HttpConfiguration http = new HttpConfiguration();
    http.setHeaderCacheSize(-1); // as hallpass-servlet's README advises for Jetty 12
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addFilter(new FilterHolder(web.filter()), "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(new Login(web)), "/login");
    context.addServlet(new ServletHolder(new Protected(web)), "/protected");
    context.addServlet(new ServletHolder(new Protected(webCached)), "/protected-cached");
    context.addServlet(new ServletHolder(new Refresh(web)), "/refresh");
    server.setHandler(context);
  }

  /** Starts the app on 127.0.0.1; port 0 picks a free one. */
  static HallpassHttpApp start(String jdbcUrl, HallpassSigning signing, int port) throws Exception {
    HallpassHttpApp app = new HallpassHttpApp(jdbcUrl, signing, port);
    try {
      app.server.start();
    } catch (Exception e) {
      app.close();
      throw e;
    }
    return app;
  }

  int port() {
    return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("stopping Jetty failed", e);
    } finally {
      Fixtures.closeAll(cold, warm, store);
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: HallpassHttpApp PORT SIGNING   (with HP_ORIG_JDBC_URL set)");
      System.exit(2);
    }
    String url = System.getenv("HP_ORIG_JDBC_URL");
    if (url == null || url.isBlank()) {
      System.err.println("HP_ORIG_JDBC_URL is not set");
      System.exit(2);
    }
    HallpassHttpApp app = start(url, HallpassSigning.of(args[1]), Integer.parseInt(args[0]));
    Runtime.getRuntime().addShutdownHook(new Thread(app::close));
    System.out.println("listening on " + app.port());
    System.out.flush();
    app.server.join();
  }

  private static void text(HttpServletResponse res, String body) throws IOException {
    res.setContentType("text/plain");
    res.getWriter().write(body);
  }

  static final class Login extends HttpServlet {
    private final transient HallpassWeb web;

    Login(HallpassWeb web) {
      this.web = web;
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse res) throws IOException {
      web.createNewSession(req, res, Fixtures.USER_ID, Fixtures.JWT_PAYLOAD, Fixtures.SESSION_DATA);
      text(res, "ok");
    }
  }

  static final class Protected extends HttpServlet {
    private final transient HallpassWeb web;

    Protected(HallpassWeb web) {
      this.web = web;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
      Session session = web.getSession(req, res, true);
      text(res, "hello, " + session.getUserId());
    }
  }

  static final class Refresh extends HttpServlet {
    private final transient HallpassWeb web;

    Refresh(HallpassWeb web) {
      this.web = web;
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse res) throws IOException {
      web.refreshSession(req, res);
      String refresh = "";
      for (String c : res.getHeaders("Set-Cookie")) {
        if (c.startsWith("sRefreshToken=")) {
          int end = c.indexOf(';');
          refresh = c.substring("sRefreshToken=".length(), end < 0 ? c.length() : end);
        }
      }
      text(res, refresh + " " + res.getHeader("anti-csrf"));
    }
  }
}
