package dev.hallpass.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link FaultProxy} in front of an echo server on loopback: each mode does what its javadoc says.
 * Waits are socket read timeouts of 300 ms, bounded by the class timeout.
 */
@Timeout(30)
class FaultProxyTest {
  private static final int QUIET_MILLIS = 300;
  // Generous: answers are expected, and the machine may be busy.
  private static final int ANSWER_MILLIS = 10_000;

  private ServerSocket echo;
  private final ByteArrayOutputStream received = new ByteArrayOutputStream();
  private FaultProxy proxy;

  @BeforeEach
  void startEchoAndProxy() throws IOException {
    echo = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::serveEcho, "echo");
    t.setDaemon(true);
    t.start();
    proxy = FaultProxy.start("127.0.0.1", echo.getLocalPort());
  }

  private void serveEcho() {
    while (!echo.isClosed()) {
      try {
        Socket s = echo.accept();
        Thread t =
            new Thread(
                () -> {
                  try (s) {
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    byte[] buf = new byte[1024];
                    for (int n; (n = in.read(buf)) >= 0; ) {
                      synchronized (received) {
                        received.write(buf, 0, n);
                      }
                      out.write(buf, 0, n);
                      out.flush();
                    }
                  } catch (IOException e) {
                    // the client or the proxy closed the connection
                  }
                },
                "echo-connection");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  @AfterEach
  void stop() throws IOException {
    proxy.close();
    echo.close();
  }

  private Socket connect() throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress(proxy.host(), proxy.port()), 2_000);
    s.setSoTimeout(ANSWER_MILLIS);
    return s;
  }

  /** Asserts that nothing arrives on {@code s} for a while (a short wait: silence is expected). */
  private static void assertSilent(Socket s) throws IOException {
    s.setSoTimeout(QUIET_MILLIS);
    try {
      assertThatThrownBy(() -> s.getInputStream().read())
          .isInstanceOf(SocketTimeoutException.class);
    } finally {
      s.setSoTimeout(ANSWER_MILLIS);
    }
  }

  private static void send(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    s.getOutputStream().flush();
  }

  private static String read(Socket s, int length) throws IOException {
    byte[] b = s.getInputStream().readNBytes(length);
    return new String(b, StandardCharsets.UTF_8);
  }

  private String receivedByServer() {
    synchronized (received) {
      return received.toString(StandardCharsets.UTF_8);
    }
  }

  @Test
  void pass_forwardsBothWays() throws IOException {
    try (Socket s = connect()) {
      send(s, "hello");
      assertThat(read(s, 5)).isEqualTo("hello");
    }
    assertThat(proxy.connectionsAccepted()).isEqualTo(1);
  }

  @Test
  void cut_closesOpenConnections_refusesNewOnes_andPassAcceptsAgainOnTheSamePort()
      throws IOException {
    int port = proxy.port();
    try (Socket open = connect()) {
      send(open, "a");
      assertThat(read(open, 1)).isEqualTo("a");

      proxy.cut();

      assertThat(open.getInputStream().read()).as("closed by the proxy").isEqualTo(-1);
      assertThatThrownBy(this::connect).isInstanceOf(ConnectException.class);
    }
    proxy.pass();
    assertThat(proxy.port()).isEqualTo(port);
    try (Socket s = connect()) {
      send(s, "back");
      assertThat(read(s, 4)).isEqualTo("back");
    }
  }

  @Test
  void stall_forwardsNothingOnOpenOrNewConnections_untilPass() throws IOException {
    try (Socket open = connect()) {
      proxy.stall();
      send(open, "held");
      try (Socket fresh = connect()) { // accepted, but silent
        send(fresh, "new");
        assertSilent(open);
        assertSilent(fresh);
        assertThat(receivedByServer()).isEmpty();

        proxy.pass();

        assertThat(read(open, 4)).isEqualTo("held");
        assertThat(read(fresh, 3)).isEqualTo("new");
      }
    }
  }

  @Test
  void loseReplies_deliversWhatTheClientSends_butDropsTheAnswers() throws IOException {
    try (Socket s = connect()) {
      proxy.loseReplies();
      send(s, "commit");
      assertSilent(s);
      assertThat(receivedByServer()).isEqualTo("commit");
      assertThat(proxy.repliesDropped()).isPositive();

      proxy.pass();
      send(s, "more");
      assertThat(read(s, 4)).isEqualTo("more");
    }
  }

  @Test
  void close_isIdempotent_andRefusesModeChanges() {
    proxy.close();
    proxy.close();
    assertThatThrownBy(proxy::stall).isInstanceOf(IllegalStateException.class);
  }
}
