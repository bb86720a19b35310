package dev.hallpass.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on the loopback interface that a test puts between a client (a connection pool, an
 * HTTP client) and a server, and then breaks on purpose.
 *
 * <p>Guarantees, per mode (switching is immediate and affects open and new connections alike):
 *
 * <ul>
 *   <li>{@link #pass()}: bytes flow both ways unchanged; held bytes are delivered in order.
 *   <li>{@link #cut()}: every open connection is closed at once and new connections are refused
 *       (the listening socket is closed; {@link #pass()} opens it again on the same port).
 *   <li>{@link #stall()}: connections are accepted and kept open, but no byte is forwarded in
 *       either direction until the mode changes: a server that hangs, or a network that drops
 *       packets silently. Clients see neither an error nor an answer.
 *   <li>{@link #loseReplies()}: what the client sends still reaches the server, but the server's
 *       answers are thrown away: the server acts (commits), the client never learns it did.
 * </ul>
 *
 * <p>One thread per direction per connection: meant for a bounded number of connections in tests.
 * Thread-safe. {@link #close()} closes everything.
 */
public final class FaultProxy implements AutoCloseable {

  /** What the proxy does with the bytes it carries. */
  public enum Mode {
    /** Forward both ways. */
    PASS,
    /** Close every connection and refuse new ones. */
    CUT,
    /** Accept, hold, forward nothing. */
    STALL,
    /** Forward the client's bytes; drop the server's. */
    LOSE_REPLIES
  }

  private static final int BUFFER = 16 * 1024;

  private final InetSocketAddress target;
  private final int port;
  private final Object lock = new Object();
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong repliesDropped = new AtomicLong();

  // Guarded by lock.
  private Mode mode = Mode.PASS;
  private ServerSocket listener;
  private Thread acceptor;
  private boolean closed;

  private FaultProxy(InetSocketAddress target, ServerSocket listener) {
    this.target = target;
    this.listener = listener;
    this.port = listener.getLocalPort();
    startAccepting(listener);
  }

  /**
   * Starts a proxy on a free loopback port that forwards to {@code targetHost:targetPort}.
   *
   * @param targetHost the server's host
   * @param targetPort the server's port
   * @return the running proxy, in {@link Mode#PASS}
   * @throws IOException if no port can be bound
   */
  public static FaultProxy start(String targetHost, int targetPort) throws IOException {
    Objects.requireNonNull(targetHost, "targetHost");
    if (targetPort < 1 || targetPort > 65535) {
      throw new IllegalArgumentException("targetPort must be between 1 and 65535");
    }
    return new FaultProxy(new InetSocketAddress(targetHost, targetPort), bind(0));
  }

  /** Binds {@link #port} again; the old listener may take a moment to be released. Bounded. */
  private ServerSocket bindAgain() throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        return bind(port);
      } catch (java.net.BindException e) {
        if (attempt == 50) {
          throw e;
        }
        try {
          Thread.sleep(20);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  private static ServerSocket bind(int port) throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true); // rebinding the same port after cut() must not wait for TIME_WAIT
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
    return s;
  }

  /** The loopback port clients connect to; it stays the same across {@link #cut()}. */
  public int port() {
    return port;
  }

  /** The proxy's host, for URLs: {@code 127.0.0.1}. */
  public String host() {
    return InetAddress.getLoopbackAddress().getHostAddress();
  }

  /** The current mode. */
  public Mode mode() {
    synchronized (lock) {
      return mode;
    }
  }

  /** Connections accepted since start. */
  public long connectionsAccepted() {
    return accepted.get();
  }

  /** Connections open now (accepted and not yet closed). */
  public int openConnections() {
    return links.size();
  }

  /** Chunks of server answers thrown away in {@link Mode#LOSE_REPLIES}. */
  public long repliesDropped() {
    return repliesDropped.get();
  }

  /**
   * Forwards again: held bytes flow, and after {@link #cut()} the same port accepts again.
   *
   * @throws IOException if the port cannot be bound again
   */
  public void pass() throws IOException {
    synchronized (lock) {
      ensureOpen();
      if (listener == null) {
        listener = bindAgain();
        startAccepting(listener);
      }
      mode = Mode.PASS;
      lock.notifyAll();
    }
  }

  /** Closes every open connection and refuses new ones until {@link #pass()}. */
  public void cut() {
    List<Link> open;
    synchronized (lock) {
      ensureOpen();
      mode = Mode.CUT;
      closeQuietly(listener);
      listener = null;
      open = new ArrayList<>(links);
      lock.notifyAll();
      joinAcceptor();
    }
    for (Link l : open) {
      l.close();
    }
  }

  /** Waits (bounded) until the accept thread has seen its listener closed: the port is free. */
  private void joinAcceptor() {
    Thread t = acceptor;
    if (t == null) {
      return;
    }
    try {
      t.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    acceptor = null;
  }

  /** Holds every byte, both ways, on open and new connections until the mode changes. */
  public void stall() {
    setMode(Mode.STALL);
  }

  /** Forwards what clients send, drops what the server answers, until the mode changes. */
  public void loseReplies() {
    setMode(Mode.LOSE_REPLIES);
  }

  private void setMode(Mode next) {
    synchronized (lock) {
      ensureOpen();
      if (listener == null) {
        throw new IllegalStateException("the proxy is cut: call pass() first");
      }
      mode = next;
      lock.notifyAll();
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("the proxy is closed");
    }
  }

  /** Stops listening and closes every connection. Idempotent. */
  @Override
  public void close() {
    List<Link> open;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      closeQuietly(listener);
      listener = null;
      open = new ArrayList<>(links);
      lock.notifyAll();
      joinAcceptor();
    }
    for (Link l : open) {
      l.close();
    }
  }

  @Override
  public String toString() {
    return "FaultProxy{127.0.0.1:" + port + " -> " + target + ", " + mode() + "}";
  }

  private void startAccepting(ServerSocket server) {
    Thread t = new Thread(() -> acceptLoop(server), "fault-proxy-accept-" + port);
    t.setDaemon(true);
    acceptor = t;
    t.start();
  }

  private void acceptLoop(ServerSocket server) {
    while (true) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // the listener was closed by cut() or close()
      }
      accepted.incrementAndGet();
      Link link = new Link(client);
      links.add(link);
      Thread t = new Thread(link::connectAndPump, "fault-proxy-link-" + port);
      t.setDaemon(true);
      t.start();
    }
  }

  /**
   * Waits while the mode is STALL. Returns the mode to act on, or null when the connection must end
   * (cut or closed).
   */
  private Mode awaitForwarding() throws InterruptedException {
    synchronized (lock) {
      while (mode == Mode.STALL && !closed) {
        lock.wait();
      }
      return closed || mode == Mode.CUT ? null : mode;
    }
  }

  /** One client connection and its upstream connection. */
  private final class Link {
    private final Socket client;
    private volatile Socket upstream;
    private volatile boolean done;

    Link(Socket client) {
      this.client = client;
    }

    void connectAndPump() {
      try {
        if (awaitForwarding() == null) {
          close();
          return;
        }
        Socket up = new Socket();
        up.connect(target, 5_000);
        upstream = up;
        if (done) { // closed while connecting
          closeQuietly(up);
          return;
        }
        Thread replies =
            new Thread(
                () -> pump(up, client, true), "fault-proxy-replies-" + client.getLocalPort());
        replies.setDaemon(true);
        replies.start();
        pump(client, up, false);
      } catch (IOException e) {
        close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
      }
    }

    private void pump(Socket from, Socket to, boolean isReply) {
      byte[] buf = new byte[BUFFER];
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        for (int n; (n = in.read(buf)) >= 0; ) {
          Mode m = awaitForwarding();
          if (m == null) {
            break;
          }
          if (isReply && m == Mode.LOSE_REPLIES) {
            repliesDropped.incrementAndGet();
            continue;
          }
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (SocketException e) {
        // closed by the other direction, by cut() or by a peer
      } catch (IOException e) {
        // the peer failed: end the link
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      close();
    }

    void close() {
      done = true;
      closeQuietly(client);
      closeQuietly(upstream);
      links.remove(this);
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      // closing is best effort
    }
  }
}
