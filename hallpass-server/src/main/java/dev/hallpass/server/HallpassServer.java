package dev.hallpass.server;

import dev.hallpass.Hallpass;
import dev.hallpass.SessionStores;
import dev.hallpass.jdbc.JdbcSessionStores;
import dev.hallpass.spi.SessionStore;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running server: the engine over its store, and Jetty in front of it.
 *
 * <p>{@link #close()} stops gracefully: the connector stops accepting, in-flight requests finish
 * (up to the configured shutdown timeout; new ones get 503), then the engine and its database pool
 * close. Several processes over one PostgreSQL or MariaDB database act as one service, since the
 * engine keeps sessions and signing keys only in the database.
 */
final class HallpassServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HallpassServer.class);

  /**
   * Jetty's {@code MemoryUtils} computes this value, which nothing in Jetty's server reads, by
   * asking the platform MBean server for a VM option: that starts JMX, about 230 classes and 0.1 to
   * 0.2 s of CPU at start-up (BENCHMARKS.md). Set to what that lookup finds with compressed
   * references (16), it is only read, never looked up.
   */
  private static final String JETTY_REFERENCES_PER_CACHE_LINE =
      "org.eclipse.jetty.util.referencesPerCacheLine";

  /**
   * The request line and headers together, in bytes: more is refused with 431 (414 when the request
   * line alone is longer). The SDKs send a few hundred bytes.
   */
  static final int MAX_REQUEST_HEADER_BYTES = 8 * 1024;

  private final Server jetty;
  private final InetSocketAddress bound;
  private final GracefulHandler graceful;
  private final Hallpass engine;
  private final Metrics metrics;
  private final int port;
  private boolean closed;

  private HallpassServer(
      Server jetty,
      InetSocketAddress bound,
      GracefulHandler graceful,
      Hallpass engine,
      Metrics metrics) {
    this.jetty = jetty;
    this.bound = bound;
    this.graceful = graceful;
    this.engine = engine;
    this.metrics = metrics;
    this.port = bound.getPort();
  }

  /**
   * Opens the store, builds the engine and starts listening. The engine (database, migrations,
   * signing keys) is built on a second thread while Jetty starts: requests that arrive in between
   * wait for it, so the first answer, {@code /hello} included, comes from a ready server.
   *
   * @throws Cli.InvalidConfig when the engine's or the store's builder rejects a setting (its
   *     message, with the options it concerns), or when the address bound is not a loopback address
   *     and neither API keys nor {@code --allow-unauthenticated} are set
   * @throws dev.hallpass.HallpassException GENERAL_ERROR when the database cannot be opened
   * @throws Exception when Jetty cannot start (the port is taken, say)
   */
  static HallpassServer start(ServerConfig config, Clock clock) throws Exception {
    return start(config, clock, UnaryOperator.identity());
  }

  /** {@link #start(ServerConfig, Clock)} with the opened store wrapped (tests). */
  static HallpassServer start(
      ServerConfig config, Clock clock, UnaryOperator<SessionStore> storeWrapper) throws Exception {
    if (System.getProperty(JETTY_REFERENCES_PER_CACHE_LINE) == null) {
      System.setProperty(JETTY_REFERENCES_PER_CACHE_LINE, "16");
    }
    // Before the engine touches the database: the address the host names now (no look-up for
    // an address literal). The address bound is judged again below.
    InetSocketAddress named = new InetSocketAddress(config.host(), config.port());
    if (!named.isUnresolved()) {
      checkExposure(config, named, false);
    }
    // The registry first: the engine counts its events and times its store calls into it.
    Metrics metrics = new Metrics();
    // Then, so that the engine (the longer part) starts as early as possible.
    CompletableFuture<Hallpass> engineBuilt = new CompletableFuture<>();
    Thread builder =
        new Thread(
            () -> {
              try {
                engineBuilt.complete(buildEngine(config, clock, storeWrapper, metrics));
              } catch (Throwable e) {
                engineBuilt.completeExceptionally(e);
              }
            },
            "hallpass-engine-start");
    builder.start();

    QueuedThreadPool threads = new QueuedThreadPool(config.maxThreads(), 4);
    threads.setName("hallpass-http");
    Server jetty = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    http.setRequestHeaderSize(MAX_REQUEST_HEADER_BYTES);
    // Jetty's header cache otherwise matches values ignoring case on a kept-alive connection, so
    // an api-key differing only in case could reach the handler as the earlier, correct one.
    http.setHeaderCacheCaseSensitive(true);
    ServerConnector connector = new ServerConnector(jetty, 1, 1, new HttpConnectionFactory(http));
    connector.setHost(config.host());
    connector.setPort(config.port());
    connector.setIdleTimeout(30_000);
    jetty.addConnector(connector);
    StartupGate gate = new StartupGate();
    GracefulHandler graceful = new GracefulHandler(gate);
    jetty.setHandler(graceful);
    jetty.setErrorHandler(HallpassServer::plainError);
    jetty.setStopTimeout(config.shutdownTimeout().toMillis());
    InetSocketAddress bound;
    try {
      connector.open(); // binds now, so that the address judged is the one bound
      bound = boundAddress(connector, named);
      checkExposure(config, bound, true);
      jetty.start();
    } catch (Exception e) {
      gate.fail();
      stopQuietly(jetty);
      connector.close();
      try {
        engineBuilt.join().close();
      } catch (CompletionException ignored) {
        // the bind failure is the one to report
      }
      metrics.close();
      throw e;
    }
    if (!engineBuilt.isDone()) {
      warmUp(); // while this thread would only wait
    }
    Hallpass engine;
    try {
      engine = engineBuilt.join();
    } catch (CompletionException e) {
      gate.fail();
      stopQuietly(jetty);
      metrics.close();
      throw unwrap(e);
    }
    gate.open(
        new ApiHandler(
            new CoreDriverApi(engine, metrics, clock, config.tenants()),
            new ApiKeys(config.apiKeys()),
            metrics,
            config.tenants()));
    return new HallpassServer(jetty, bound, graceful, engine, metrics);
  }

  /**
   * A server that other machines can reach takes API keys, unless {@code --allow-unauthenticated}
   * says otherwise (and a warning says so). Judged on the address bound, so that a host name is
   * judged by what it resolved to.
   */
  private static void checkExposure(ServerConfig config, InetSocketAddress bound, boolean warn) {
    if (!config.apiKeys().isEmpty()) {
      return;
    }
    boolean loopback = bound.getAddress().isLoopbackAddress();
    if (config.allowUnauthenticated()) {
      if (!warn) {
        return;
      }
      LOG.warn(
          "--allow-unauthenticated: the API takes no API key on {}{}; anyone who can connect "
              + "can create, read and revoke sessions",
          hostAndPort(bound),
          loopback ? " (loopback: this machine only)" : ", which other machines can reach");
      return;
    }
    if (!loopback) {
      throw new Cli.InvalidConfig(
          "--host "
              + config.host()
              + " (address "
              + bound.getAddress().getHostAddress()
              + ") lets other machines connect, and no --api-keys are set: set --api-keys "
              + "(or env HALLPASS_API_KEYS), bind a loopback address (--host 127.0.0.1), or "
              + "pass --allow-unauthenticated to serve without keys");
    }
  }

  /**
   * The address and port the connector bound. A dual-stack socket bound to {@code 0.0.0.0} reports
   * {@code ::}; it is named as configured.
   */
  private static InetSocketAddress boundAddress(ServerConnector connector, InetSocketAddress named)
      throws IOException {
    InetSocketAddress local =
        (InetSocketAddress) ((ServerSocketChannel) connector.getTransport()).getLocalAddress();
    if (local.getAddress().isAnyLocalAddress()
        && !named.isUnresolved()
        && named.getAddress().isAnyLocalAddress()) {
      return new InetSocketAddress(named.getAddress(), local.getPort());
    }
    return local;
  }

  /** {@code 0.0.0.0:3567}, {@code [::1]:3567}. */
  private static String hostAndPort(InetSocketAddress a) {
    String host = a.getAddress().getHostAddress();
    if (a.getAddress() instanceof Inet6Address) {
      host = "[" + host.replace("%", "%25") + "]";
    }
    return host + ":" + a.getPort();
  }

  private static Hallpass buildEngine(
      ServerConfig config, Clock clock, UnaryOperator<SessionStore> storeWrapper, Metrics metrics) {
    Hallpass.Builder settings = Cli.checked(() -> config.engineSettings().clock(clock));
    SessionStore store = storeWrapper.apply(Cli.checked(() -> openStore(config, clock)));
    try {
      return Cli.checked(
          () ->
              settings
                  .store(metrics.hallpass.timed(store))
                  .listener(metrics.hallpass.listener())
                  .build());
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /**
   * Loads and initialises what the engine needs once its store is open, in parallel with the
   * store's start, so that the engine thread finds it ready: Jackson's object mapper and map
   * serialization (about 430 classes; the engine writes each signing key's JWT header with it) and
   * the JDK's RSA key factory. Nothing made here is kept; a failure is left to the real use to
   * report.
   */
  private static void warmUp() {
    try {
      Json.MAPPER.writeValueAsString(new LinkedHashMap<>(Map.of("kid", "k", "version", "5")));
      KeyFactory.getInstance("RSA");
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      // not this method's to report
    }
  }

  private static RuntimeException unwrap(CompletionException e) {
    Throwable cause = e.getCause();
    if (cause instanceof RuntimeException) {
      return (RuntimeException) cause;
    }
    if (cause instanceof Error) {
      throw (Error) cause;
    }
    return e;
  }

  private static void stopQuietly(Server jetty) {
    try {
      jetty.stop();
    } catch (Exception e) {
      LOG.warn("the HTTP server did not stop cleanly", e);
    }
  }

  /** Holds requests that arrive while the engine is starting; they go on once it is ready. */
  private static final class StartupGate extends Handler.Wrapper {
    private final CountDownLatch decided = new CountDownLatch(1);

    StartupGate() {
      super(true); // the API handler is set after start
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      decided.await();
      if (getHandler() == null) { // start-up failed; the server is stopping
        Response.writeError(request, response, callback, HttpStatus.SERVICE_UNAVAILABLE_503);
        return true;
      }
      return super.handle(request, response, callback);
    }

    void open(Handler api) {
      setHandler(api);
      decided.countDown();
    }

    void fail() {
      decided.countDown();
    }
  }

  private static SessionStore openStore(ServerConfig config, Clock clock) {
    if (config.inMemoryStore()) {
      // The store's clock times refresh grace periods: the same clock as the engine's.
      return SessionStores.inMemory(clock);
    }
    if (config.databaseUrl() == null) {
      return JdbcSessionStores.embedded(config.dataDir());
    }
    JdbcSessionStores.Builder b =
        JdbcSessionStores.builder().jdbcUrl(withoutServerErrorDetail(config.databaseUrl()));
    if (config.databaseUser() != null) {
      b.username(config.databaseUser());
    }
    if (config.databasePassword() != null) {
      b.password(config.databasePassword());
    }
    if (config.databasePoolSize() != null) {
      b.maximumPoolSize(config.databasePoolSize());
    }
    if (config.databaseTimeout() != null) {
      b.connectionTimeout(config.databaseTimeout()).queryTimeout(config.databaseTimeout());
    }
    return b.build();
  }

  /**
   * A PostgreSQL URL gets {@code logServerErrorDetail=false} unless it sets that option: the driver
   * then leaves the server's DETAIL out of its exceptions, which would quote the values of a failed
   * row (session data, refresh keys) into the error log. Other URLs are returned as given.
   */
  static String withoutServerErrorDetail(String url) {
    if (!url.startsWith("jdbc:postgresql:")
        || url.toLowerCase(Locale.ROOT).contains("logservererrordetail=")) {
      return url;
    }
    String separator =
        url.indexOf('?') < 0 ? "?" : url.endsWith("?") || url.endsWith("&") ? "" : "&";
    return url + separator + "logServerErrorDetail=false";
  }

  /** Jetty's own errors (malformed HTTP, oversized headers): status and reason as plain text. */
  private static boolean plainError(Request request, Response response, Callback callback) {
    Object s = request.getAttribute(ErrorHandler.ERROR_STATUS);
    int status = s instanceof Integer ? (Integer) s : 500;
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, Reply.TEXT);
    response.write(
        true,
        ByteBuffer.wrap(
            (status + " " + HttpStatus.getMessage(status)).getBytes(StandardCharsets.UTF_8)),
        callback);
    return true;
  }

  /** The port it listens on (the chosen one when configured with 0). */
  int port() {
    return port;
  }

  /**
   * The address and port bound, as a URI: what the SDKs' {@code connectionURI} names, unless it is
   * the wildcard address ({@code 0.0.0.0}, {@code ::}), which stands for every address of this
   * machine.
   */
  URI uri() {
    return URI.create("http://" + hostAndPort(bound));
  }

  /** Whether it listens on the wildcard address: every address of this machine. */
  boolean listensOnEveryAddress() {
    return bound.getAddress().isAnyLocalAddress();
  }

  /** Requests being handled now. */
  long inFlightRequests() {
    return graceful.getCurrentRequestCount();
  }

  /** Blocks until the server has stopped. */
  void join() throws InterruptedException {
    jetty.join();
  }

  /** Stops gracefully, then closes the engine and its store. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stopQuietly(jetty);
    try {
      engine.close();
    } finally {
      metrics.close();
    }
  }
}
