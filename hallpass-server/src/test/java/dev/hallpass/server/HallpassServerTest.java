package dev.hallpass.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HallpassServerTest {

  /** Waits (bounded) for a condition that another thread makes true. */
  private static void await(String what, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  @Test
  void close_letsAnInFlightRequestFinish_thenRefusesConnections() throws Exception {
    TestServer t = new TestServer("--shutdown-timeout", "20s");
    String body =
        "{\"userId\":\"inflight\",\"userDataInJWT\":{},\"userDataInDatabase\":{},"
            + "\"enableAntiCsrf\":false}";
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    SubmissionPublisher<ByteBuffer> publisher = new SubmissionPublisher<>();
    CompletableFuture<HttpResponse<String>> response =
        t.http.sendAsync(
            t.sdk("/recipe/session")
                .POST(HttpRequest.BodyPublishers.fromPublisher(publisher, bytes.length))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    await("the request to be in flight", () -> publisher.getNumberOfSubscribers() > 0);
    publisher.submit(ByteBuffer.wrap(bytes, 0, 10));
    await("the server to be handling it", () -> t.server.inFlightRequests() == 1);

    CompletableFuture<Void> closing = CompletableFuture.runAsync(t::close);
    await("the connector to stop accepting", () -> !isAccepting(t));
    assertThat(closing).as("close waits for the in-flight request").isNotDone();

    publisher.submit(ByteBuffer.wrap(bytes, 10, bytes.length - 10));
    publisher.close();
    HttpResponse<String> r = response.get(20, TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"status\":\"OK\"", "\"userId\":\"inflight\"");
    closing.get(20, TimeUnit.SECONDS);

    assertThatThrownBy(
            () ->
                t.send(
                    HttpRequest.newBuilder(t.uri("/hello")).timeout(Duration.ofSeconds(5)).build()))
        .isInstanceOf(ConnectException.class);
  }

  private static boolean isAccepting(TestServer t) {
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(new java.net.InetSocketAddress("127.0.0.1", t.server.port()), 500);
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  @Test
  void close_isIdempotent() throws Exception {
    TestServer t = new TestServer();
    t.close();
    t.close();
    assertThatThrownBy(() -> t.send(HttpRequest.newBuilder(t.uri("/hello")).build()))
        .isInstanceOf(ConnectException.class);
  }

  @Test
  void start_onATakenPort_fails_andReleasesTheEngine() throws Exception {
    try (TestServer first = new TestServer()) {
      Cli.Outcome o =
          Cli.parse("--port", Integer.toString(first.server.port()), "--in-memory-store");
      assertThatThrownBy(
              () -> HallpassServer.start(((Cli.Run) o).config(), java.time.Clock.systemUTC()))
          .hasMessageContaining("Failed to bind");
    }
  }

  @Test
  void start_withAnUnusableDatabase_failsWithAGeneralError() {
    Cli.Outcome o = Cli.parse("--port", "0", "--database-url", "jdbc:nosuchdriver://x/y");
    assertThatThrownBy(
            () -> HallpassServer.start(((Cli.Run) o).config(), java.time.Clock.systemUTC()))
        .isInstanceOfSatisfying(
            dev.hallpass.HallpassException.class,
            e ->
                assertThat(e.getType())
                    .isEqualTo(dev.hallpass.HallpassException.Type.GENERAL_ERROR));
  }
}
