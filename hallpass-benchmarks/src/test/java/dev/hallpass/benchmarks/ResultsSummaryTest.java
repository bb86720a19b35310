package dev.hallpass.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultsSummaryTest {

  private static String result(
      String method, String params, int threads, double score, double bytesPerOp) {
    return String.format(
        Locale.ROOT,
        "{\"benchmark\":\"dev.hallpass.benchmarks.X.%s\","
            + "\"threads\":%d,%s\"primaryMetric\":{\"score\":%s,\"scoreError\":1.5,"
            + "\"scoreUnit\":\"ops/s\"},\"secondaryMetrics\":{\"gc.alloc.rate.norm\":"
            + "{\"score\":%s,\"scoreUnit\":\"B/op\"}}}",
        method,
        threads,
        params == null ? "" : "\"params\":" + params + ",",
        score,
        bytesPerOp);
  }

  private static ResultsSummary summary(String... results) throws Exception {
    JsonNode json = Fixtures.JSON.readTree("[" + String.join(",", results) + "]");
    return new ResultsSummary(json);
  }

  @Test
  void targets_areRatiosOfThisRunsFigures_withVerdictAndShortfall() throws Exception {
    ResultsSummary s =
        summary(
            result("bareJcaVerify", null, 1, 30_000, 11_000),
            result("hallpassGetSessionCold", null, 1, 27_000, 11_500),
            result("hallpassGetSessionWarm", null, 1, 9_000_000, 160),
            result("rs256Sign", null, 1, 1_000, 50_000),
            result("refreshSession", "{\"db\":\"postgresql\"}", 1, 600, 60_000),
            result("springSessionRedis", null, 1, 5_000, 36_000));

    String targets =
        s.targets(
            Map.of(
                "public",
                80_000.0,
                "public-with-token",
                44_000.0,
                "protected",
                40_000.0,
                "server-hello",
                90_000.0,
                "server-noop",
                60_000.0,
                "server-verify",
                54_000.0));

    assertThat(targets)
        .contains("| cold getSession / bare JCA verify | 0.90 | 0.90 | met |")
        .contains("| warm getSession / bare JCA verify | 300 | 20 | met |")
        .contains(
            "| refreshSession PostgreSQL (1 thread) / RS256 sign | 0.60 | 0.80 | MISSED by 25% |")
        .contains("| cold getSession / springSessionRedis | 5.40 | 10 | MISSED by 46% |")
        .contains(
            "| cold getSession / springSessionJdbcPostgres | not measured"
                + " (springSessionJdbcPostgres missing)")
        .contains("| allocation per warm getSession | 160 B | <= 1024 B | met |")
        .contains(
            "| HTTP servlet stack: protected / unauthenticated endpoint (wrk) | 0.50 | 0.80"
                + " | MISSED by 38% |")
        .contains("sent the same token | 0.91 | - | - |")
        .contains(
            "| HTTP standalone server: POST /recipe/session/verify / GET /hello (wrk) | 0.60"
                + " | 0.80 | MISSED by 25% |")
        .contains("body that is not verified | 0.90 | - | - |")
        .contains(
            "| (control) standalone server: verify / GET /hello sent the same body"
                + " | not measured | - | - |");
  }

  @Test
  void rates_areReadByRunName_andAnUnknownNameIsRejected() {
    Map<String, Double> rates =
        ResultsSummary.readRates(List.of("public 79187.5", "", "server-verify  61000"));

    assertThat(rates)
        .containsExactly(Map.entry("public", 79187.5), Map.entry("server-verify", 61000.0));
    assertThat(ResultsSummary.httpRates(rates))
        .contains("- servlet stack: GET /public (unauthenticated): 79,188 req/s")
        .contains("- standalone server: POST /recipe/session/verify: 61,000 req/s");
    assertThatThrownBy(() -> ResultsSummary.readRates(List.of("protectd 1.0")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("protectd");
  }

  @Test
  void figures_listEveryBenchmarkWithParamsThreadsAndPerThreadLatency() throws Exception {
    ResultsSummary s =
        summary(result("refreshSessionThreads2", "{\"db\":\"h2\"}", 2, 1_000, 70_000));

    assertThat(s.figures())
        .contains("| refreshSessionThreads2[db=h2] | 2 | 1,000 ± 1.50 | 2,000 | 70,000 |");
  }
}
