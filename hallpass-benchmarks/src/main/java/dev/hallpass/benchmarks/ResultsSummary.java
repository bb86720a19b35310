package dev.hallpass.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns one JMH JSON result file (and, optionally, the wrk rates) into the Markdown tables of
 * benchmarks/RESULTS.md: every figure, then each target as a ratio of figures from that one run.
 *
 * <p>{@code java -cp benchmarks.jar dev.hallpass.benchmarks.ResultsSummary jmh.json
 * [HTTP_RATES_FILE]}; the rates file has one {@code NAME REQUESTS_PER_SECOND} line per wrk run
 * (names in {@link #HTTP_RUNS}), as run.sh writes it.
 */
public final class ResultsSummary {

  /**
   * The names of the wrk runs (run.sh's names, in its rates file) and what each sends: the servlet
   * stack's {@link HttpBenchServer}, then the standalone hallpass-server.
   */
  static final Map<String, String> HTTP_RUNS =
      orderedRuns(
          "public", "servlet stack: GET /public (unauthenticated)",
          "public-with-token", "servlet stack: GET /public sent the access token it ignores",
          "protected", "servlet stack: GET /protected (HallpassWeb.getSession)",
          "server-hello", "standalone server: GET /hello (unauthenticated)",
          "server-hello-with-body", "standalone server: GET /hello sent the verify body it ignores",
          "server-noop", "standalone server: POST /recipe/session/remove, same-size body, no-op",
          "server-verify", "standalone server: POST /recipe/session/verify");

  /** One benchmark's figures; {@code key} is the method name plus its parameters. */
  record Result(String key, int threads, double opsPerSecond, double error, double bytesPerOp) {}

  private final Map<String, Result> results = new TreeMap<>();

  ResultsSummary(JsonNode jmhJson) {
    for (JsonNode r : jmhJson) {
      String name = r.get("benchmark").asText();
      String key = name.substring(name.lastIndexOf('.') + 1);
      JsonNode params = r.get("params");
      if (params != null) {
        List<String> p = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : params.properties()) {
          p.add(e.getKey() + "=" + e.getValue().asText());
        }
        key += "[" + String.join(",", p) + "]";
      }
      JsonNode primary = r.get("primaryMetric");
      if (!"ops/s".equals(primary.get("scoreUnit").asText())) {
        throw new IllegalArgumentException(key + " is not in ops/s; run in throughput mode");
      }
      double bytes = Double.NaN;
      JsonNode secondary = r.get("secondaryMetrics");
      if (secondary != null) {
        for (Map.Entry<String, JsonNode> e : secondary.properties()) {
          // JMH 1.37 names it "gc.alloc.rate.norm"; older versions prefix a middle dot.
          if (e.getKey().replace("\u00b7", "").equals("gc.alloc.rate.norm")) {
            bytes = e.getValue().get("score").asDouble();
          }
        }
      }
      double error = primary.get("scoreError").asDouble();
      results.put(
          key,
          new Result(
              key,
              r.get("threads").asInt(),
              primary.get("score").asDouble(),
              Double.isNaN(error) ? 0 : error,
              bytes));
    }
  }

  /** The table of every figure. */
  String figures() {
    StringBuilder sb = new StringBuilder();
    sb.append("| benchmark | threads | ops/s (± 99.9% CI) | µs/op per thread | B/op |\n");
    sb.append("|---|---:|---:|---:|---:|\n");
    for (Result r : results.values()) {
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %s%s | %s | %s |%n",
              r.key(),
              r.threads(),
              num(r.opsPerSecond()),
              r.error() > 0 ? " ± " + num(r.error()) : "",
              num(1e6 * r.threads() / r.opsPerSecond()),
              Double.isNaN(r.bytesPerOp()) ? "-" : num(r.bytesPerOp())));
    }
    return sb.toString();
  }

  /**
   * Each target as a ratio of two figures of this run; missing figures say so. {@code http}: the
   * mean wrk rate (requests/s) by run name (see {@link #HTTP_RUNS}); absent runs are not measured.
   */
  String targets(Map<String, Double> http) {
    StringBuilder sb = new StringBuilder();
    sb.append("| target | ratio | needed | verdict |\n|---|---:|---:|---|\n");
    ratio(sb, "cold getSession / bare JCA verify", "hallpassGetSessionCold", "bareJcaVerify", 0.90);
    ratio(sb, "warm getSession / bare JCA verify", "hallpassGetSessionWarm", "bareJcaVerify", 20);
    ratio(
        sb,
        "warm getSession (fresh String per call) / bare JCA verify",
        "hallpassGetSessionWarmFreshString",
        "bareJcaVerify",
        20);
    ratio(
        sb,
        "refreshSession PostgreSQL (1 thread) / RS256 sign",
        "refreshSession[db=postgresql]",
        "rs256Sign",
        0.80);
    ratio(
        sb,
        "refreshSession PostgreSQL (2 threads) / RS256 sign (2 threads)",
        "refreshSessionThreads2[db=postgresql]",
        "rs256SignThreads2",
        0.80);
    for (String peer : List.of("springSessionRedis", "springSessionJdbcPostgres")) {
      ratio(sb, "cold getSession / " + peer, "hallpassGetSessionCold", peer, 10);
      ratio(sb, "warm getSession / " + peer, "hallpassGetSessionWarm", peer, 200);
      ratio(
          sb,
          "warm getSession (fresh String) / " + peer,
          "hallpassGetSessionWarmFreshString",
          peer,
          200);
    }
    Result warm = results.get("hallpassGetSessionWarm");
    if (warm == null || Double.isNaN(warm.bytesPerOp())) {
      sb.append(
          "| allocation per warm getSession | not measured ("
              + (warm == null ? "hallpassGetSessionWarm missing" : "run with -prof gc")
              + ") | <= 1024 B | - |\n");
    } else {
      sb.append(
          String.format(
              Locale.ROOT,
              "| allocation per warm getSession | %s B | <= 1024 B" + " | %s |%n",
              num(warm.bytesPerOp()),
              warm.bytesPerOp() <= 1024 ? "met" : "MISSED"));
    }
    httpRatio(
        sb,
        http,
        "HTTP servlet stack: protected / unauthenticated endpoint (wrk)",
        "protected",
        "public",
        0.80);
    httpRatio(
        sb,
        http,
        "(control) servlet stack: protected / unauthenticated endpoint sent the" + " same token",
        "protected",
        "public-with-token",
        0);
    httpRatio(
        sb,
        http,
        "HTTP standalone server: POST /recipe/session/verify / GET /hello (wrk)",
        "server-verify",
        "server-hello",
        0.80);
    httpRatio(
        sb,
        http,
        "(control) standalone server: verify / POST of a same-size body that is" + " not verified",
        "server-verify",
        "server-noop",
        0);
    httpRatio(
        sb,
        http,
        "(control) standalone server: verify / GET /hello sent the same body",
        "server-verify",
        "server-hello-with-body",
        0);
    return sb.toString();
  }

  private void ratio(StringBuilder sb, String label, String num, String den, double needed) {
    Result a = results.get(num);
    Result b = results.get(den);
    if (a == null || b == null) {
      sb.append("| ")
          .append(label)
          .append(" | not measured (")
          .append(a == null ? num : den)
          .append(" missing) | ")
          .append(fmtNeeded(needed))
          .append(" | - |\n");
      return;
    }
    double q = a.opsPerSecond() / b.opsPerSecond();
    sb.append(
        String.format(
            Locale.ROOT,
            "| %s | %s | %s | %s |%n",
            label,
            q >= 100
                ? String.format(Locale.ROOT, "%.0f", q)
                : String.format(Locale.ROOT, "%.2f", q),
            fmtNeeded(needed),
            q >= needed ? "met" : "MISSED by " + pct(needed, q)));
  }

  private static void httpRatio(
      StringBuilder sb,
      Map<String, Double> http,
      String label,
      String num,
      String den,
      double needed) {
    Double a = http.get(num);
    Double b = http.get(den);
    String need = needed > 0 ? fmtNeeded(needed) : "-";
    if (a == null || b == null) {
      sb.append("| ").append(label).append(" | not measured | ").append(need).append(" | - |\n");
      return;
    }
    double q = a / b;
    sb.append(
        String.format(
            Locale.ROOT,
            "| %s | %.2f | %s | %s |%n",
            label,
            q,
            need,
            needed <= 0 ? "-" : q >= needed ? "met" : "MISSED by " + pct(needed, q)));
  }

  /** The HTTP rates: one {@code NAME REQUESTS_PER_SECOND} per line, as run.sh writes them. */
  static Map<String, Double> readRates(List<String> lines) {
    Map<String, Double> rates = new LinkedHashMap<>();
    for (String line : lines) {
      String[] f = line.trim().split("\\s+");
      if (f.length == 1 && f[0].isEmpty()) {
        continue;
      }
      if (f.length != 2 || !HTTP_RUNS.containsKey(f[0])) {
        throw new IllegalArgumentException("not a known HTTP run and its rate: " + line);
      }
      rates.put(f[0], Double.parseDouble(f[1]));
    }
    return rates;
  }

  /** One line per measured HTTP run, in {@link #HTTP_RUNS} order. */
  static String httpRates(Map<String, Double> http) {
    StringBuilder sb = new StringBuilder();
    HTTP_RUNS.forEach(
        (name, what) -> {
          if (http.containsKey(name)) {
            sb.append(String.format(Locale.ROOT, "- %s: %s req/s%n", what, num(http.get(name))));
          }
        });
    return sb.toString();
  }

  private static Map<String, String> orderedRuns(String... nameThenWhat) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < nameThenWhat.length; i += 2) {
      m.put(nameThenWhat[i], nameThenWhat[i + 1]);
    }
    return Collections.unmodifiableMap(m);
  }

  private static String fmtNeeded(double needed) {
    return needed < 1
        ? String.format(Locale.ROOT, "%.2f", needed)
        : String.format(Locale.ROOT, "%.0f", needed);
  }

  private static String pct(double needed, double got) {
    return String.format(Locale.ROOT, "%.0f%%", 100 * (needed - got) / needed);
  }

  private static String num(double v) {
    if (v >= 100) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    return String.format(Locale.ROOT, v >= 1 ? "%.2f" : "%.3f", v);
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 1 && args.length != 2) {
      System.err.println("usage: ResultsSummary JMH_JSON [HTTP_RATES_FILE]");
      System.exit(2);
    }
    ResultsSummary s = new ResultsSummary(Fixtures.JSON.readTree(Path.of(args[0]).toFile()));
    Map<String, Double> http =
        args.length == 1 ? Map.of() : readRates(Files.readAllLines(Path.of(args[1])));
    System.out.println("### Targets (ratios within this run)\n");
    System.out.println(s.targets(http));
    if (!http.isEmpty()) {
      System.out.println("HTTP (wrk, mean of 2 runs):\n");
      System.out.println(httpRates(http));
    }
    System.out.println("### Every figure\n");
    System.out.println(s.figures());
  }
}
