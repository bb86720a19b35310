package dev.hallpass.benchmarks;

import dev.hallpass.Hallpass;
import dev.hallpass.Session;
import dev.hallpass.SessionStores;
import dev.hallpass.servlet.HallpassWeb;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The HTTP comparison's server: one embedded Jetty 12 (ee10 servlets) on loopback, with
 * hallpass-servlet's {@code HallpassFilter} on every path as an application registers it, an
 * unauthenticated endpoint ({@code GET /public}) and a protected one ({@code GET /protected}) that
 * asks {@link HallpassWeb#getSession} for the request's session (access token from {@code
 * Authorization: Bearer} or the {@code sAccessToken} cookie). Both answer a few bytes of text, so
 * the difference between them is the session check. Errors are answered by the filter (401 with a
 * JSON message).
 *
 * <p>Run by {@code benchmarks/run.sh} under {@code wrk}: {@code java -cp benchmarks.jar
 * dev.hallpass.benchmarks.HttpBenchServer TOKEN_FILE [PORT]} starts the server, writes an access
 * token of a fresh session to TOKEN_FILE (a benchmark credential, never a real one), prints {@code
 * listening on PORT} and serves until killed.
 */
public final class HttpBenchServer implements AutoCloseable {
  private final Hallpass hallpass;
  private final Server server;
  private final String accessToken;

  private HttpBenchServer(int port) {
    hallpass = Fixtures.engine(SessionStores.inMemory()).build();
    accessToken =
        hallpass
            .createNewSession(Fixtures.USER_ID, Fixtures.JWT_PAYLOAD, Fixtures.SESSION_DATA)
            .getAccessToken();
    HallpassWeb web = HallpassWeb.builder(hallpass).build();
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addFilter(new FilterHolder(web.filter()), "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(new PublicServlet()), "/public");
    context.addServlet(new ServletHolder(new ProtectedServlet(web)), "/protected");
    server.setHandler(context);
  }

  /** Starts a server on 127.0.0.1; port 0 picks a free one. */
  public static HttpBenchServer start(int port) throws Exception {
    HttpBenchServer s = new HttpBenchServer(port);
    try {
      s.server.start();
    } catch (Exception e) {
      s.close();
      throw e;
    }
    return s;
  }

  /** The port it listens on. */
  public int port() {
    return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }

  /** A valid access token (of a session created at start) for the protected endpoint. */
  public String accessToken() {
    return accessToken;
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("stopping Jetty failed", e);
    } finally {
      hallpass.close();
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: HttpBenchServer TOKEN_FILE [PORT]");
      System.exit(2);
    }
    HttpBenchServer s = start(args.length == 2 ? Integer.parseInt(args[1]) : 0);
    Files.writeString(Path.of(args[0]), s.accessToken(), StandardCharsets.US_ASCII);
    Runtime.getRuntime().addShutdownHook(new Thread(s::close));
    System.out.println("listening on " + s.port());
    System.out.flush();
    s.server.join();
  }

  static final class PublicServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
      res.setContentType("text/plain");
      res.getWriter().write("hello, anyone");
    }
  }

  /** A protected endpoint as an application writes one; a missing session is the filter's job. */
  static final class ProtectedServlet extends HttpServlet {
    private final transient HallpassWeb web;

    ProtectedServlet(HallpassWeb web) {
      this.web = web;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
      Session session = web.getSession(req, res, true);
      res.setContentType("text/plain");
      res.getWriter().write("hello, " + session.getUserId());
    }
  }
}
