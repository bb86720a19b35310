package dev.hallpass.demo;

import dev.hallpass.Hallpass;
import dev.hallpass.servlet.AntiCsrfMode;
import dev.hallpass.servlet.HallpassWeb;
import jakarta.servlet.DispatcherType;
import java.net.URI;
import java.time.Clock;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.DefaultServlet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.resource.Resource;
import org.eclipse.jetty.util.resource.ResourceFactory;

/**
 * The demo web app on embedded Jetty: the page and its script under {@code /}, the demo API under
 * {@code /api/*}, and Hallpass's refresh and sign-out endpoints under {@code /auth}.
 */
final class DemoServer implements AutoCloseable {
  private final Server server;
  private final ServerConnector connector;

  /** Starts the app on 127.0.0.1 for an engine on the system clock. */
  DemoServer(Hallpass engine, int port, AntiCsrfMode antiCsrf) throws Exception {
    this(engine, port, antiCsrf, Clock.systemUTC());
  }

  /**
   * Starts the app on 127.0.0.1.
   *
   * @param port the port, 0 for any free one
   * @param antiCsrf the anti-CSRF mode; {@link AntiCsrfMode#VIA_TOKEN} exactly when the engine was
   *     built with {@code antiCsrf(true)} (the web layer refuses a mismatch)
   * @param clock the engine's clock (tests move it), to tell an expired session from a revoked one
   */
  DemoServer(Hallpass engine, int port, AntiCsrfMode antiCsrf, Clock clock) throws Exception {
    // The demo runs on http://localhost, so its cookies cannot be Secure. Never do this in
    // production: there the defaults (Secure, SameSite lax) apply.
    HallpassWeb plain =
        HallpassWeb.builder(engine).allowInsecureCookies().antiCsrf(antiCsrf).clock(clock).build();
    // Remembers why sessions end (expiry, theft verdict, signed out elsewhere) for the page.
    SessionEndings endings = new SessionEndings(clock);
    HallpassWeb web = endings.watch(plain);

    ServletContextHandler context = new ServletContextHandler("/");
    // Serves POST /auth/session/refresh and /auth/signout, and answers Hallpass errors as JSON.
    context.addFilter(new FilterHolder(web.filter()), "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(new DemoApi(web, endings)), "/api/*");

    Resource page = ResourceFactory.of(context).newClassLoaderResource("static");
    if (page == null) {
      throw new IllegalStateException("the page (classpath: static/) is missing from the build");
    }
    context.setBaseResource(page);
    context.setWelcomeFiles(new String[] {"index.html"});
    ServletHolder files = new ServletHolder("static", DefaultServlet.class);
    files.setInitParameter("dirAllowed", "false");
    context.addServlet(files, "/");

    server = new Server();
    HttpConfiguration http = new HttpConfiguration();
    // No header cache: Jetty's default one matches Cookie values ignoring case on a kept-alive
    // connection, so a token differing only in case could reach Hallpass as the earlier one; and
    // token-sized values only churn it (see hallpass-servlet's README).
    http.setHeaderCacheSize(-1);
    connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);
    server.setHandler(context);
    server.start();
  }

  /** Where the app answers, e.g. {@code http://localhost:8080/}. */
  URI uri() {
    return URI.create("http://localhost:" + connector.getLocalPort() + "/");
  }

  /** Blocks until the server stops. */
  void join() throws InterruptedException {
    server.join();
  }

  /** Stops the server (the engine is the caller's to close). */
  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("Jetty did not stop cleanly", e);
    }
  }
}
