package dev.hallpass.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallpass.HallpassException;
import dev.hallpass.spi.SessionStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Failures are answered with a fixed text and no stack trace (500 for an engine GENERAL_ERROR);
 * oversized headers, request lines and bodies are refused with 4xx at the documented limits.
 */
class HttpErrorAnswersTest {
  private static final String SECRET = "Pw9hunter2Xq";
  private static final String CREATE =
      "{\"userId\":\"u\",\"userDataInJWT\":{},\"userDataInDatabase\":{},\"enableAntiCsrf\":false}";

  /** {@code store}, except that {@code insertSession} throws what {@code failure} holds. */
  private static SessionStore failingInserts(
      SessionStore store, AtomicReference<RuntimeException> failure) {
    return (SessionStore)
        Proxy.newProxyInstance(
            SessionStore.class.getClassLoader(),
            new Class<?>[] {SessionStore.class},
            (proxy, method, args) -> {
              RuntimeException f = failure.get();
              if (f != null && method.getName().equals("insertSession")) {
                throw f;
              }
              try {
                return method.invoke(store, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  @Test
  void storeFailures_are500_withAFixedText_andNoDetail() throws Exception {
    AtomicReference<RuntimeException> failure = new AtomicReference<>();
    try (TestServer t = new TestServer(store -> failingInserts(store, failure))) {
      for (RuntimeException f :
          new RuntimeException[] {
            HallpassException.generalError(
                "cannot reach jdbc:postgresql://db/x?password=" + SECRET,
                new SQLException("connection to " + SECRET + " refused")),
            new IllegalStateException("unexpected " + SECRET)
          }) {
        failure.set(f);
        HttpResponse<String> r = t.post("/recipe/session", CREATE);
        assertThat(r.statusCode()).as("%s", f).isEqualTo(500);
        assertThat(r.headers().firstValue("content-type")).hasValue(Reply.TEXT);
        assertThat(r.body()).isEqualTo("Internal error");
      }
      failure.set(null);
      assertThat(t.post("/recipe/session", CREATE).statusCode()).isEqualTo(200);
    }
  }

  /** One raw HTTP/1.1 exchange; returns what the server sent before closing or going quiet. */
  private static String raw(int port, byte[] request) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      try {
        out.write(request);
        out.flush();
      } catch (SocketException e) {
        // the server may answer and close before reading everything
      }
      InputStream in = s.getInputStream();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      try {
        for (int n; (n = in.read(buf)) >= 0 && got.size() < 1 << 20; ) {
          got.write(buf, 0, n);
        }
      } catch (SocketException e) {
        // a reset after the answer
      }
      return got.toString(StandardCharsets.ISO_8859_1);
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void headersOverTheLimit_are431_requestLineOverIt_is414_withAFixedText() throws Exception {
    try (TestServer t = new TestServer()) {
      int limit = HallpassServer.MAX_REQUEST_HEADER_BYTES;
      String big = "a".repeat(limit + 1);
      String answer =
          raw(
              t.server.port(),
              bytes(
                  "GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: "
                      + big
                      + "\r\nConnection: close\r\n\r\n"));
      assertThat(answer)
          .startsWith("HTTP/1.1 431 ")
          .endsWith("\r\n\r\n431 Request Header Fields Too Large")
          .doesNotContain("aaaaaaaa", "Exception");

      answer =
          raw(
              t.server.port(),
              bytes("GET /hello?q=" + big + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
      assertThat(answer).startsWith("HTTP/1.1 414 ").doesNotContain("aaaaaaaa", "Exception");

      // Just under the limit is served.
      String fits = "a".repeat(limit - 200);
      answer =
          raw(
              t.server.port(),
              bytes(
                  "GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: "
                      + fits
                      + "\r\nConnection: close\r\n\r\n"));
      assertThat(answer).startsWith("HTTP/1.1 200 ").endsWith("Hello");
    }
  }

  @Test
  void bodyDeclaredOverTheLimit_is400_beforeItIsRead() throws Exception {
    try (TestServer t = new TestServer()) {
      String answer =
          raw(
              t.server.port(),
              bytes(
                  "POST /recipe/session HTTP/1.1\r\nHost: x\r\napi-key: "
                      + TestServer.API_KEY
                      + "\r\nContent-Length: 99999999\r\nConnection: close\r\n\r\n{"));
      assertThat(answer)
          .startsWith("HTTP/1.1 400 ")
          .endsWith("Request body is larger than " + Call.MAX_BODY_BYTES + " bytes");
    }
  }

  @Test
  void malformedHttp_is400_withAFixedText() throws Exception {
    try (TestServer t = new TestServer()) {
      assertThat(
              raw(
                  t.server.port(),
                  bytes("GET /hello HTTP/1.1\r\nHost: x\r\nNo-Colon " + SECRET + "\r\n\r\n")))
          .startsWith("HTTP/1.1 400 ")
          .endsWith("400 Bad Request")
          .doesNotContain(SECRET);
    }
  }
}
