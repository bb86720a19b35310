package dev.hallpass.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The driver's HTTP client: one JDK {@link HttpClient} (HTTP/1.1, keep-alive) shared by every
 * browser, each call timed into the {@link Tally} under its operation's name.
 */
final class Http {
  static final ObjectMapper JSON = new ObjectMapper();

  /** A call slower than this is a transport failure (TRANSPORT): bounded in time. */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private final HttpClient client;
  private final URI base;
  private final Tally tally;

  Http(HttpClient client, URI base, Tally tally) {
    this.client = client;
    this.base = base;
    this.tally = tally;
  }

  static HttpClient newClient() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  HttpRequest.Builder request(String pathAndQuery) {
    return HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(REQUEST_TIMEOUT);
  }

  HttpResponse<String> send(String operation, HttpRequest request)
      throws IOException, InterruptedException {
    long start = System.nanoTime();
    HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
    tally.latency(operation, System.nanoTime() - start);
    return r;
  }

  /** The JSON body, or null when it is not JSON. */
  static JsonNode json(HttpResponse<String> r) {
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      return null;
    }
  }

  static String quote(String s) {
    try {
      return JSON.writeValueAsString(s);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
