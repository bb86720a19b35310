package dev.hallpass.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns one JMH JSON result file (and, optionally, the two wrk rates) into the Markdown tables of
 * benchmarks/RESULTS.md: every figure, then each target as a ratio of figures from that one run.
 *
 * <p>{@code java -cp benchmarks.jar dev.hallpass.benchmarks.ResultsSummary jmh.json
 * [PUBLIC_RPS PUBLIC_WITH_TOKEN_RPS PROTECTED_RPS]}
 */
public final class ResultsSummary {

  /** The wrk rates (requests/s) of the three HTTP runs. */
  record Http(double publicRps, double publicWithTokenRps, double protectedRps) {}

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
      results.put(key, new Result(key, r.get("threads").asInt(),
          primary.get("score").asDouble(), Double.isNaN(error) ? 0 : error, bytes));
    }
  }

  /** The table of every figure. */
  String figures() {
    StringBuilder sb = new StringBuilder();
    sb.append("| benchmark | threads | ops/s (± 99.9% CI) | µs/op per thread | B/op |\n");
    sb.append("|---|---:|---:|---:|---:|\n");
    for (Result r : results.values()) {
      sb.append(String.format(Locale.ROOT, "| %s | %d | %s%s | %s | %s |%n", r.key(),
          r.threads(), num(r.opsPerSecond()), r.error() > 0 ? " ± " + num(r.error()) : "",
          num(1e6 * r.threads() / r.opsPerSecond()),
          Double.isNaN(r.bytesPerOp()) ? "-" : num(r.bytesPerOp())));
    }
    return sb.toString();
  }

  /** Each target as a ratio of two figures of this run; missing figures say so. */
  String targets(Http http) {
    StringBuilder sb = new StringBuilder();
    sb.append("| target | ratio | needed | verdict |\n|---|---:|---:|---|\n");
    ratio(sb, "cold getSession / bare JCA verify", "hallpassGetSessionCold", "bareJcaVerify", 0.90);
    ratio(sb, "warm getSession / bare JCA verify", "hallpassGetSessionWarm", "bareJcaVerify", 20);
    ratio(sb, "warm getSession (fresh String per call) / bare JCA verify",
        "hallpassGetSessionWarmFreshString", "bareJcaVerify", 20);
    ratio(sb, "refreshSession PostgreSQL (1 thread) / RS256 sign",
        "refreshSession[db=postgresql]", "rs256Sign", 0.80);
    ratio(sb, "refreshSession PostgreSQL (2 threads) / RS256 sign (2 threads)",
        "refreshSessionThreads2[db=postgresql]", "rs256SignThreads2", 0.80);
    for (String peer : List.of("springSessionRedis", "springSessionJdbcPostgres")) {
      ratio(sb, "cold getSession / " + peer, "hallpassGetSessionCold", peer, 10);
      ratio(sb, "warm getSession / " + peer, "hallpassGetSessionWarm", peer, 200);
      ratio(sb, "warm getSession (fresh String) / " + peer, "hallpassGetSessionWarmFreshString",
          peer, 200);
    }
    Result warm = results.get("hallpassGetSessionWarm");
    if (warm == null || Double.isNaN(warm.bytesPerOp())) {
      sb.append("| allocation per warm getSession | not measured ("
          + (warm == null ? "hallpassGetSessionWarm missing" : "run with -prof gc")
          + ") | <= 1024 B | - |\n");
    } else {
      sb.append(String.format(Locale.ROOT, "| allocation per warm getSession | %s B | <= 1024 B"
          + " | %s |%n", num(warm.bytesPerOp()), warm.bytesPerOp() <= 1024 ? "met" : "MISSED"));
    }
    if (http == null) {
      sb.append("| HTTP protected / unauthenticated (wrk) | not measured | 0.80 | - |\n");
    } else {
      double q = http.protectedRps() / http.publicRps();
      sb.append(String.format(Locale.ROOT, "| HTTP protected / unauthenticated (wrk) | %.2f | 0.80"
          + " | %s |%n", q, q >= 0.80 ? "met" : "MISSED by " + pct(0.80, q)));
      sb.append(String.format(Locale.ROOT, "| (control) HTTP protected / unauthenticated carrying"
          + " the same token | %.2f | - | - |%n", http.protectedRps() / http.publicWithTokenRps()));
    }
    return sb.toString();
  }

  private void ratio(StringBuilder sb, String label, String num, String den, double needed) {
    Result a = results.get(num);
    Result b = results.get(den);
    if (a == null || b == null) {
      sb.append("| ").append(label).append(" | not measured (")
          .append(a == null ? num : den).append(" missing) | ").append(fmtNeeded(needed))
          .append(" | - |\n");
      return;
    }
    double q = a.opsPerSecond() / b.opsPerSecond();
    sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s |%n", label,
        q >= 100 ? String.format(Locale.ROOT, "%.0f", q) : String.format(Locale.ROOT, "%.2f", q),
        fmtNeeded(needed), q >= needed ? "met" : "MISSED by " + pct(needed, q)));
  }

  private static String fmtNeeded(double needed) {
    return needed < 1 ? String.format(Locale.ROOT, "%.2f", needed)
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
    if (args.length != 1 && args.length != 4) {
      System.err.println(
          "usage: ResultsSummary JMH_JSON [PUBLIC_RPS PUBLIC_WITH_TOKEN_RPS PROTECTED_RPS]");
      System.exit(2);
    }
    ResultsSummary s = new ResultsSummary(Fixtures.JSON.readTree(Path.of(args[0]).toFile()));
    Http http = args.length == 1 ? null : new Http(Double.parseDouble(args[1]),
        Double.parseDouble(args[2]), Double.parseDouble(args[3]));
    System.out.println("### Targets (ratios within this run)\n");
    System.out.println(s.targets(http));
    if (http != null) {
      System.out.println(String.format(Locale.ROOT, "HTTP (wrk, mean of 2 runs): unauthenticated"
          + " %s req/s, unauthenticated carrying the token %s req/s, protected %s req/s%n",
          num(http.publicRps()), num(http.publicWithTokenRps()), num(http.protectedRps())));
    }
    System.out.println("### Every figure\n");
    System.out.println(s.figures());
  }
}
