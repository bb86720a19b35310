package dev.hallpass.server;

import dev.hallpass.micrometer.HallpassMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;

/**
 * The server's Prometheus metrics; one registry per server instance. The session counters and store
 * timers are hallpass-micrometer's ({@link HallpassMetrics}: {@code
 * hallpass_session_creations_total}, {@code hallpass_session_refreshes_total}, {@code
 * hallpass_token_thefts_detected_total} as before, plus revocations and verification failures by
 * reason and {@code hallpass_store_calls_seconds}); the server adds successful verifications and
 * HTTP requests.
 */
final class Metrics {
  /** The Prometheus text exposition format served at {@code /metrics}. */
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  /** The engine's meters (given to it as a listener and a store decorator). */
  final HallpassMetrics hallpass = HallpassMetrics.on(registry);

  final Counter sessionsVerified =
      counter(
          "hallpass.session.verifications",
          "Successful server-side verifications (POST /recipe/session/verify); the SDKs verify most "
              + "access tokens themselves against the JWKS");

  private Counter counter(String name, String help) {
    return Counter.builder(name).description(help).register(registry);
  }

  /** Records one HTTP request; {@code route} is the endpoint's template, never the raw path. */
  void recordRequest(String route, String method, int status, long nanos) {
    Timer.builder("hallpass.http.requests")
        .description("HTTP requests by endpoint, method and status")
        .tag("route", route)
        .tag("method", method)
        .tag("status", Integer.toString(status))
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  String scrape() {
    return registry.scrape();
  }

  void close() {
    registry.close();
  }
}
