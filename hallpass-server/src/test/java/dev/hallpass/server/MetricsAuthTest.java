package dev.hallpass.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code /metrics} takes the API key when keys are configured, as the API does. */
class MetricsAuthTest {

  private static HttpResponse<String> metrics(TestServer t, String header, String value)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(t.uri("/metrics")).timeout(Duration.ofSeconds(10)).GET();
    if (header != null) {
      b.header(header, value);
    }
    return t.send(b.build());
  }

  @Test
  void metrics_withApiKeysConfigured_withoutAKey_is401_andShowsNoMetric() throws Exception {
    try (TestServer t = new TestServer()) {
      for (String[] h :
          new String[][] {
            null,
            {"api-key", TestServer.API_KEY + "x"},
            {"api-key", ""},
            {"authorization", "Bearer " + TestServer.API_KEY + "x"},
            {"authorization", "Basic " + TestServer.API_KEY},
          }) {
        HttpResponse<String> r = h == null ? metrics(t, null, null) : metrics(t, h[0], h[1]);
        assertThat(r.statusCode()).as("%s", (Object) h).isEqualTo(401);
        assertThat(r.body()).isEqualTo("Invalid API key").doesNotContain("hallpass_");
      }
    }
  }

  @Test
  void metrics_withTheApiKey_asHeaderOrBearerToken_areServed() throws Exception {
    try (TestServer t = new TestServer()) {
      for (String[] h :
          new String[][] {
            {"api-key", TestServer.API_KEY}, {"authorization", "Bearer " + TestServer.API_KEY}
          }) {
        HttpResponse<String> r = metrics(t, h[0], h[1]);
        assertThat(r.statusCode()).as(h[0]).isEqualTo(200);
        assertThat(r.body()).contains("hallpass_session_creations_total");
      }
    }
  }

  @Test
  void metrics_withoutApiKeysConfigured_areServedToAnyone() throws Exception {
    try (HallpassServer s =
        HallpassServer.start(
            ((Cli.Run) Cli.parse("--port", "0", "--in-memory-store")).config(),
            java.time.Clock.systemUTC())) {
      ApiClient c = new ApiClient(s.uri(), "unused");
      HttpResponse<String> r =
          c.send(
              HttpRequest.newBuilder(c.uri("/metrics"))
                  .timeout(Duration.ofSeconds(10))
                  .GET()
                  .build());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("hallpass_session_creations_total");
    }
  }
}
