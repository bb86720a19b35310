package dev.hallpass.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hallpass side by side with the original SuperTokens session library ({@code
 * supertokens-node-mysql-ref-jwt} 5.0.4, node, HS256, MySQL protocol) on the same MariaDB database,
 * in process and over HTTP, in interleaved rounds (original, Hallpass, original, Hallpass, ...) so
 * that both see the same noise of a shared machine; writes the raw numbers and a summary of medians
 * and ratios to a results folder.
 *
 * <p>In process: {@code benchmarks/original/worker.js} and {@link HallpassWorker}, each a
 * long-lived process answering "run OP SECONDS THREADS" over its stdin and stdout, so both stay
 * warm between rounds. With {@code --processes N}, N node processes run at once (their rates are
 * summed) against N threads of the one JVM. Over HTTP: {@code benchmarks/original/http-app.js}
 * (express; N &gt; 1: N workers behind the cluster module) and {@link HallpassHttpApp} (Jetty,
 * multi-threaded) under {@code wrk -t1 -c32}: {@code POST /login}, {@code GET /protected} (verify),
 * {@code POST /refresh} (chained through {@code benchmarks/original/refresh.lua}).
 *
 * <p>Before anything is measured the node packages are installed with {@code npm ci} from {@code
 * benchmarks/original/package-lock.json} into the node work folder (once: a marker records the lock
 * file), and both session tables are emptied.
 *
 * <p>Usage (benchmarks/run-original.sh runs it): {@code java -cp benchmarks.jar
 * dev.hallpass.benchmarks.OriginalComparison --out DIR --original benchmarks/original --node-work
 * DIR [--rounds 3] [--seconds 5] [--wrk-seconds 10] [--warmup 3] [--processes 1,2]
 * [--hallpass-signing RS256] [--connections 32] [--no-in-process] [--no-http]}, with {@code
 * HP_ORIG_JDBC_URL} naming the MariaDB database (default {@code
 * jdbc:mariadb://127.0.0.1:3306/hp_orig?user=root}).
 */
public final class OriginalComparison {
  static final String DEFAULT_JDBC_URL = "jdbc:mariadb://127.0.0.1:3306/hp_orig?user=root";
  static final String ORIGINAL = "original";

  /** The stack name of the bare RSA-2048 signing loop in the Hallpass worker's JVM. */
  static final String RSA_SIGN = "rsa-2048-sign";

  private static final String LISTENING = "listening on ";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(180);

  /** What one run of the comparison does; {@link #parse} reads it from the command line. */
  record Options(
      Path out,
      Path original,
      Path nodeWork,
      int rounds,
      double seconds,
      double wrkSeconds,
      double warmup,
      List<Integer> processes,
      HallpassSigning signing,
      int connections,
      boolean inProcess,
      boolean http,
      String jdbcUrl) {

    static Options parse(List<String> args, String jdbcUrl) {
      Map<String, String> v = new LinkedHashMap<>();
      boolean inProcess = true;
      boolean http = true;
      for (int i = 0; i < args.size(); i++) {
        String a = args.get(i);
        switch (a) {
          case "--no-in-process" -> inProcess = false;
          case "--no-http" -> http = false;
          case "--out",
              "--original",
              "--node-work",
              "--rounds",
              "--seconds",
              "--wrk-seconds",
              "--warmup",
              "--processes",
              "--hallpass-signing",
              "--connections" -> {
            if (i + 1 == args.size()) {
              throw new IllegalArgumentException(a.substring(2) + " needs a value");
            }
            v.put(a.substring(2), args.get(++i));
          }
          default -> throw new IllegalArgumentException("unknown option " + a);
        }
      }
      for (String required : List.of("out", "original", "node-work")) {
        if (!v.containsKey(required)) {
          throw new IllegalArgumentException(required + " is required");
        }
      }
      List<Integer> processes = new ArrayList<>();
      for (String p : v.getOrDefault("processes", "1").split(",")) {
        processes.add(positiveInt("processes", p.trim()));
      }
      Options o =
          new Options(
              Path.of(v.get("out")),
              Path.of(v.get("original")),
              Path.of(v.get("node-work")),
              positiveInt("rounds", v.getOrDefault("rounds", "3")),
              positiveSeconds("seconds", v.getOrDefault("seconds", "5")),
              positiveSeconds("wrk-seconds", v.getOrDefault("wrk-seconds", "10")),
              secondsOption("warmup", v.getOrDefault("warmup", "3")),
              List.copyOf(processes),
              HallpassSigning.of(v.getOrDefault("hallpass-signing", "RS256")),
              positiveInt("connections", v.getOrDefault("connections", "32")),
              inProcess,
              http,
              jdbcUrl);
      if (!o.inProcess && !o.http) {
        throw new IllegalStateException("no-in-process and no-http leave nothing to measure");
      }
      if (o.http && o.wrkSeconds < 1) {
        throw new IllegalArgumentException("wrk-seconds must be at least 1 (wrk's resolution)");
      }
      return o;
    }

    String hallpassStack() {
      return "hallpass-" + signing.name();
    }
  }

  /** One measured run: mode (in-process, http), node processes, round, operation, stack. */
  record Sample(
      String mode,
      int processes,
      int round,
      String op,
      String stack,
      long count,
      double seconds,
      double rate) {

    /** An in-process run: the rate is count / seconds. */
    static Sample counted(
        String mode,
        int processes,
        int round,
        String op,
        String stack,
        long count,
        double seconds) {
      return new Sample(mode, processes, round, op, stack, count, seconds, count / seconds);
    }
  }

  private final Options o;
  private final List<Sample> samples = new ArrayList<>();
  private final Path logs;
  private final List<Process> children = new ArrayList<>();

  OriginalComparison(Options options) {
    this.o = options;
    this.logs = options.out.resolve("logs");
  }

  public static void main(String[] args) throws Exception {
    String url = System.getenv("HP_ORIG_JDBC_URL");
    Options options;
    try {
      options = Options.parse(List.of(args), url == null || url.isBlank() ? DEFAULT_JDBC_URL : url);
    } catch (IllegalArgumentException | IllegalStateException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    System.out.println(new OriginalComparison(options).run());
  }

  /** Runs everything and writes the results folder; returns the summary (Markdown). */
  String run() throws Exception {
    Files.createDirectories(logs);
    Files.createDirectories(o.out.resolve("wrk"));
    String startLoad = loadAverage();
    installNodePackages();
    emptySessionTables();
    try {
      for (int n : o.processes) {
        if (o.inProcess) {
          inProcess(n);
        }
        if (o.http) {
          http(n);
        }
      }
    } finally {
      for (Process p : children) {
        stop(p);
      }
    }
    writeRaw();
    String summary = summary(samples, o.hallpassStack());
    Files.writeString(
        o.out.resolve("machine.txt"), machine(startLoad, loadAverage()), StandardCharsets.UTF_8);
    Files.writeString(o.out.resolve("summary.md"), summary, StandardCharsets.UTF_8);
    return summary;
  }

  // ---- in process -----------------------------------------------------------------------------

  private void inProcess(int n) throws Exception {
    log("in process, " + n + " node process(es) / " + n + " Hallpass thread(s)");
    List<Child> nodes = new ArrayList<>();
    Child java = null;
    try {
      for (int i = 1; i <= n; i++) {
        nodes.add(startNode("worker-node-" + n + "-" + i, "worker.js"));
      }
      java = startJava("worker-hallpass-" + n, HallpassWorker.class, o.signing.name());
      for (Child c : nodes) {
        c.await("ready", START_TIMEOUT);
      }
      java.await("ready", START_TIMEOUT);

      List<String[]> runs =
          List.of(
              new String[] {"create", ORIGINAL, "create"},
              new String[] {"create", o.hallpassStack(), "create"},
              new String[] {"verify", ORIGINAL, "verify"},
              new String[] {"verify", o.hallpassStack(), "verify"},
              new String[] {"verify-cached", o.hallpassStack(), "verify-cached"},
              new String[] {"refresh", ORIGINAL, "refresh"},
              new String[] {"refresh", o.hallpassStack(), "refresh"},
              // the bare RSA-2048 signing rate, the limit of create and refresh in RS256 mode
              new String[] {"rsa-sign", RSA_SIGN, "rsa-sign"});
      for (int round = 0; round <= o.rounds; round++) {
        if (round == 0 && o.warmup == 0) {
          continue;
        }
        double secs = round == 0 ? o.warmup : o.seconds;
        for (String[] r : runs) {
          long[] result =
              r[1].equals(ORIGINAL)
                  ? runAll(nodes, r[2], secs, 1)
                  : runAll(List.of(java), r[2], secs, n);
          if (round > 0) {
            record(Sample.counted("in-process", n, round, r[0], r[1], result[0], result[1] / 1e9));
          }
        }
      }
    } finally {
      for (Child c : nodes) {
        c.quit();
      }
      if (java != null) {
        java.quit();
      }
    }
  }

  /** Sends the same run to every worker at once; sums the counts, takes the longest time. */
  private static long[] runAll(List<Child> workers, String op, double secs, int threads)
      throws Exception {
    for (Child w : workers) {
      w.send(String.format(Locale.ROOT, "run %s %.3f %d", op, secs, threads));
    }
    long count = 0;
    long nanos = 0;
    for (Child w : workers) {
      String[] r = w.await("result " + op + " ", Duration.ofSeconds((long) secs + 120)).split(" ");
      count += Long.parseLong(r[2]);
      nanos = Math.max(nanos, Long.parseLong(r[3]));
    }
    return new long[] {count, nanos};
  }

  // ---- over HTTP ------------------------------------------------------------------------------

  /** One app under test: where it listens and a session made through its login. */
  private record App(String stack, String base, Tokens tokens) {}

  /** A session's tokens as a client got them from the login answer (raw cookie values). */
  record Tokens(String access, String refresh, String antiCsrf) {}

  private void http(int n) throws Exception {
    log("over HTTP, " + n + " node process(es) behind " + (n > 1 ? "cluster" : "nothing"));
    Child node = null;
    Child java = null;
    try {
      int nodePort = freePort();
      node =
          startNode("http-node-" + n, "http-app.js", String.valueOf(nodePort), String.valueOf(n));
      java = startJava("http-hallpass-" + n, HallpassHttpApp.class, "0", o.signing.name());
      node.await(LISTENING, START_TIMEOUT);
      String javaPort = java.await(LISTENING, START_TIMEOUT).substring(LISTENING.length()).trim();
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      App orig = app(client, ORIGINAL, "http://127.0.0.1:" + nodePort);
      App hall = app(client, o.hallpassStack(), "http://127.0.0.1:" + javaPort);

      List<Object[]> runs =
          List.of(
              new Object[] {"create", orig, "/login"},
              new Object[] {"create", hall, "/login"},
              new Object[] {"verify", orig, "/protected"},
              new Object[] {"verify", hall, "/protected"},
              new Object[] {"verify-cached", hall, "/protected-cached"},
              new Object[] {"refresh", orig, "/refresh"},
              new Object[] {"refresh", hall, "/refresh"});
      for (int round = 0; round <= o.rounds; round++) {
        if (round == 0 && o.warmup == 0) {
          continue;
        }
        double secs = round == 0 ? Math.max(1, o.warmup) : o.wrkSeconds;
        for (Object[] r : runs) {
          String op = (String) r[0];
          App app = (App) r[1];
          String name = String.format(Locale.ROOT, "%s-%d-%s-round%d", op, n, app.stack, round);
          double[] result = wrk(client, app, op, (String) r[2], secs, name);
          if (round > 0) {
            record(new Sample("http", n, round, op, app.stack, (long) result[0], secs, result[1]));
          }
        }
      }
    } finally {
      if (node != null) {
        node.kill();
      }
      if (java != null) {
        java.kill();
      }
    }
  }

  /** Signs in once and checks the three endpoints answer as the runs need. */
  private App app(HttpClient client, String stack, String base) throws Exception {
    Tokens t = login(client, base);
    String[] paths =
        stack.equals(ORIGINAL)
            ? new String[] {"/protected"}
            : new String[] {"/protected", "/protected-cached"};
    for (String path : paths) {
      HttpResponse<String> none =
          client.send(HttpRequest.newBuilder(URI.create(base + path)).build(), ofString());
      if (none.statusCode() != 401) {
        throw new IllegalStateException(
            stack + " GET " + path + " without a session answered " + none.statusCode());
      }
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(URI.create(base + path))
                  .header("Cookie", "sAccessToken=" + t.access + "; sIdRefreshToken=bench")
                  .header("anti-csrf", t.antiCsrf)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200 || !r.body().equals("hello, " + Fixtures.USER_ID)) {
        throw new IllegalStateException(
            stack + " GET " + path + " answered " + r.statusCode() + " " + r.body());
      }
    }
    // Two refreshes in a row, the second with what the first's body said: the chain refresh.lua
    // makes.
    String[] session = {t.refresh, t.antiCsrf};
    for (int i = 0; i < 2; i++) {
      HttpResponse<String> r = client.send(refreshRequest(base, session), ofString());
      String[] next = r.body().split(" ");
      if (r.statusCode() != 200 || next.length != 2 || next[0].isEmpty()) {
        throw new IllegalStateException(
            stack + " POST /refresh answered " + r.statusCode() + " (" + next.length + " words)");
      }
      session = next;
    }
    return new App(stack, base, t);
  }

  private static HttpResponse.BodyHandler<String> ofString() {
    return HttpResponse.BodyHandlers.ofString();
  }

  private static HttpRequest refreshRequest(String base, String[] session) {
    return HttpRequest.newBuilder(URI.create(base + "/refresh"))
        .header("Cookie", "sRefreshToken=" + session[0] + "; sIdRefreshToken=bench")
        .header("anti-csrf", session[1])
        .POST(HttpRequest.BodyPublishers.noBody())
        .build();
  }

  static Tokens login(HttpClient client, String base) throws IOException, InterruptedException {
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(URI.create(base + "/login"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    Map<String, String> cookies = new LinkedHashMap<>();
    for (String c : r.headers().allValues("set-cookie")) {
      int eq = c.indexOf('=');
      int semi = c.indexOf(';');
      cookies.put(c.substring(0, eq), c.substring(eq + 1, semi < 0 ? c.length() : semi));
    }
    String csrf = r.headers().firstValue("anti-csrf").orElse("");
    if (r.statusCode() != 200
        || !cookies.containsKey("sAccessToken")
        || !cookies.containsKey("sRefreshToken")
        || csrf.isEmpty()) {
      throw new IllegalStateException(
          base + "/login answered " + r.statusCode() + " with cookies " + cookies.keySet());
    }
    return new Tokens(cookies.get("sAccessToken"), cookies.get("sRefreshToken"), csrf);
  }

  /**
   * One wrk run; its output goes to wrk/NAME.txt. Fails on any non-2xx answer.
   *
   * @return the requests wrk completed and its rate (Requests/sec)
   */
  private double[] wrk(HttpClient client, App app, String op, String path, double secs, String name)
      throws Exception {
    List<String> cmd = new ArrayList<>(List.of("wrk", "-t1", "-c" + o.connections));
    cmd.add("-d" + Math.round(secs) + "s");
    cmd.add("--latency");
    String url = app.base + path;
    switch (op) {
      case "create" -> {
        cmd.addAll(List.of("-s", o.original.resolve("login.lua").toString(), url));
      }
      case "verify", "verify-cached" -> {
        cmd.addAll(
            List.of(
                "-H",
                "Cookie: sAccessToken=" + app.tokens.access + "; sIdRefreshToken=bench",
                "-H",
                "anti-csrf: " + app.tokens.antiCsrf,
                url));
      }
      case "refresh" -> {
        // Fresh sessions for each run, twice as many as connections (a few may be lost).
        Path file = o.out.resolve("wrk").resolve(name + ".sessions");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 2 * o.connections; i++) {
          Tokens t = login(client, app.base);
          lines.add(t.refresh + " " + t.antiCsrf);
        }
        Files.write(file, lines, StandardCharsets.US_ASCII);
        cmd.addAll(
            List.of(
                "-s", o.original.resolve("refresh.lua").toString(), url, "--", file.toString()));
      }
      default -> throw new IllegalArgumentException(op);
    }
    Path outFile = o.out.resolve("wrk").resolve(name + ".txt");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(outFile.toFile()).start();
    if (!p.waitFor((long) secs + 60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("wrk " + name + " did not finish");
    }
    String text = Files.readString(outFile);
    if (p.exitValue() != 0 || text.contains("Non-2xx")) {
      throw new IllegalStateException("wrk " + name + " failed or got error answers:\n" + text);
    }
    if (op.equals("refresh")) {
      Path sessions = o.out.resolve("wrk").resolve(name + ".sessions");
      String check = checkChainAdvanced(client, app, Files.readAllLines(sessions));
      Files.deleteIfExists(sessions);
      Files.writeString(outFile, check + "\n", StandardOpenOption.APPEND);
    }
    Matcher m = Pattern.compile("Requests/sec:\\s*([0-9.]+)").matcher(text);
    if (!m.find()) {
      throw new IllegalStateException("wrk " + name + " printed no rate:\n" + text);
    }
    double rate = Double.parseDouble(m.group(1));
    Matcher requests = Pattern.compile("(\\d+) requests in ").matcher(text);
    long count = requests.find() ? Long.parseLong(requests.group(1)) : Math.round(rate * secs);
    Matcher errors = Pattern.compile("Socket errors:[^\\n]*").matcher(text);
    if (errors.find()) {
      log("  wrk " + name + ": " + errors.group()); // timeouts under load: kept, but said
    }
    return new double[] {count, rate};
  }

  /**
   * Proves that a refresh run chained: each session's first refresh token, presented again after
   * the run, must be refused on both stacks once its session moved on by two generations (the
   * original then holds a promoted child, Hallpass a newer parent: a replay is theft). A script
   * that kept presenting the first token would be answered 200 every time by both (the original's
   * lazy refresh and Hallpass's retry rule write nothing), and look faster than it is. At least
   * half must be refused: a session whose answer was lost to a timeout may have moved less.
   */
  private static String checkChainAdvanced(HttpClient client, App app, List<String> firstTokens)
      throws IOException, InterruptedException {
    int refused = 0;
    for (String line : firstTokens) {
      HttpResponse<String> r =
          client.send(
              refreshRequest(app.base, line.split(" ")), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 401) {
        refused++;
      }
    }
    String check =
        "check: "
            + refused
            + " of "
            + firstTokens.size()
            + " first-generation refresh tokens refused after the run (the chain advanced)";
    if (refused * 2 < firstTokens.size()) {
      throw new IllegalStateException(
          app.stack + ": the refresh run did not chain (" + check.substring(7) + ")");
    }
    return check;
  }

  // ---- processes ------------------------------------------------------------------------------

  /** A child process that talks in lines; its output is kept in logs/NAME.log. */
  private final class Child {
    final String name;
    final Process process;
    final Writer in;
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    Child(String name, ProcessBuilder pb) throws IOException {
      this.name = name;
      Path log = logs.resolve(name + ".log");
      this.process = pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
      children.add(process);
      this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                    Files.writeString(
                        log, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                  }
                } catch (IOException e) {
                  lines.add("EOF " + e.getMessage());
                }
                lines.add("EOF");
              },
              "read-" + name);
      reader.setDaemon(true);
      reader.start();
    }

    void send(String line) throws IOException {
      in.write(line + "\n");
      in.flush();
    }

    /** The next line starting with {@code prefix}; fails if the process ends or time runs out. */
    String await(String prefix, Duration timeout) throws Exception {
      long end = System.nanoTime() + timeout.toNanos();
      for (; ; ) {
        String line = lines.poll(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (line == null || line.startsWith("EOF")) {
          throw new IllegalStateException(
              name
                  + (line == null ? " did not answer in time" : " ended")
                  + "; see "
                  + logs.resolve(name + ".log")
                  + ":\n"
                  + tail(logs.resolve(name + ".log")));
        }
        if (line.startsWith(prefix)) {
          return line;
        }
      }
    }

    void quit() throws Exception {
      try {
        send("quit");
        process.waitFor(20, TimeUnit.SECONDS);
      } catch (IOException e) {
        // already gone
      }
      kill();
    }

    void kill() {
      stop(process);
    }
  }

  private Child startNode(String name, String script, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("node", script));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(o.nodeWork.toFile());
    pb.environment().putAll(mysqlEnvironment(o.jdbcUrl));
    return new Child(name, pb);
  }

  private Child startJava(String name, Class<?> main, String... args) throws IOException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms512m",
                "-Xmx512m",
                "-cp",
                System.getProperty("java.class.path"),
                main.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("HP_ORIG_JDBC_URL", o.jdbcUrl);
    return new Child(name, pb);
  }

  /** Ends a child and its own children (the cluster's workers), and waits for them. */
  private static void stop(Process p) {
    p.descendants().forEach(ProcessHandle::destroy);
    p.destroy();
    try {
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static String tail(Path log) {
    try {
      List<String> all = Files.exists(log) ? Files.readAllLines(log) : List.of();
      return String.join("\n", all.subList(Math.max(0, all.size() - 20), all.size()));
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }

  // ---- set-up ---------------------------------------------------------------------------------

  /**
   * The node library's MySQL settings from the JDBC URL {@code
   * jdbc:mariadb://HOST:PORT/DATABASE?user=U&password=P}.
   */
  static Map<String, String> mysqlEnvironment(String jdbcUrl) {
    if (!jdbcUrl.startsWith("jdbc:mariadb://") && !jdbcUrl.startsWith("jdbc:mysql://")) {
      throw new IllegalArgumentException("HP_ORIG_JDBC_URL must be a jdbc:mariadb:// URL");
    }
    URI u = URI.create(jdbcUrl.substring("jdbc:".length()));
    Map<String, String> query = new LinkedHashMap<>();
    if (u.getRawQuery() != null) {
      for (String kv : u.getRawQuery().split("&")) {
        int eq = kv.indexOf('=');
        if (eq > 0) {
          query.put(
              kv.substring(0, eq), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
    }
    String db = u.getPath() == null ? "" : u.getPath().replaceFirst("^/", "");
    if (db.isEmpty()) {
      throw new IllegalArgumentException("HP_ORIG_JDBC_URL must name a database");
    }
    Map<String, String> env = new LinkedHashMap<>();
    env.put("HP_ORIG_MYSQL_HOST", u.getHost() == null ? "127.0.0.1" : u.getHost());
    env.put("HP_ORIG_MYSQL_PORT", String.valueOf(u.getPort() < 0 ? 3306 : u.getPort()));
    env.put("HP_ORIG_MYSQL_USER", query.getOrDefault("user", "root"));
    env.put("HP_ORIG_MYSQL_PASSWORD", query.getOrDefault("password", ""));
    env.put("HP_ORIG_MYSQL_DATABASE", db);
    return env;
  }

  /** {@code npm ci} into the node work folder, unless it already holds exactly this lock file. */
  private void installNodePackages() throws Exception {
    Files.createDirectories(o.nodeWork);
    for (String f : List.of("common.js", "worker.js", "http-app.js")) {
      Files.copy(o.original.resolve(f), o.nodeWork.resolve(f), StandardCopyOption.REPLACE_EXISTING);
    }
    byte[] pkg = Files.readAllBytes(o.original.resolve("package.json"));
    byte[] lock = Files.readAllBytes(o.original.resolve("package-lock.json"));
    String digest = sha256(pkg, lock);
    Path marker = o.nodeWork.resolve("node_modules/.hallpass-installed");
    if (Files.exists(marker) && Files.readString(marker).trim().equals(digest)) {
      return;
    }
    Files.write(o.nodeWork.resolve("package.json"), pkg);
    Files.write(o.nodeWork.resolve("package-lock.json"), lock);
    log("npm ci in " + o.nodeWork);
    Process npm =
        new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
            .directory(o.nodeWork.toFile())
            .redirectErrorStream(true)
            .redirectOutput(logs.resolve("npm-ci.log").toFile())
            .start();
    if (!npm.waitFor(300, TimeUnit.SECONDS) || npm.exitValue() != 0) {
      npm.destroyForcibly();
      throw new IllegalStateException("npm ci failed:\n" + tail(logs.resolve("npm-ci.log")));
    }
    Files.writeString(marker, digest + "\n");
  }

  private static String sha256(byte[]... parts) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (byte[] p : parts) {
        sha.update(p);
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Empties both libraries' session tables (the original's {@code refresh_token}, Hallpass's {@code
   * hallpass_sessions}) if they exist, so that both start alike; keeps the original's signing key.
   */
  private void emptySessionTables() throws SQLException {
    try (Connection c = DriverManager.getConnection(o.jdbcUrl);
        Statement st = c.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet rs =
          st.executeQuery(
              "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
                  + " AND table_name IN ('refresh_token', 'hallpass_sessions')")) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      for (String t : tables) {
        st.execute("TRUNCATE TABLE " + t);
      }
    }
  }

  // ---- results --------------------------------------------------------------------------------

  private void record(Sample s) {
    samples.add(s);
    log(
        String.format(
            Locale.ROOT,
            "  %-10s n=%d round %d %-13s %-16s %12.1f ops/s",
            s.mode,
            s.processes,
            s.round,
            s.op,
            s.stack,
            s.rate));
  }

  private void writeRaw() throws IOException {
    try (PrintWriter w =
        new PrintWriter(
            Files.newBufferedWriter(o.out.resolve("raw.csv"), StandardCharsets.UTF_8))) {
      w.println("mode,processes,round,operation,stack,count,seconds,ops_per_second");
      for (Sample s : samples) {
        w.printf(
            Locale.ROOT,
            "%s,%d,%d,%s,%s,%d,%.3f,%.1f%n",
            s.mode,
            s.processes,
            s.round,
            s.op,
            s.stack,
            s.count,
            s.seconds,
            s.rate);
      }
    }
  }

  static double median(List<Double> values) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException("no values");
    }
    List<Double> v = new ArrayList<>(values);
    v.sort(null);
    int n = v.size();
    return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
  }

  /**
   * The Markdown table: per mode, node processes and operation, the median rate of each stack,
   * their ratio (Hallpass / original; verify-cached against the original's verify, which has no
   * cache) and the number of rounds.
   */
  static String summary(List<Sample> samples, String hallpass) {
    StringBuilder b = new StringBuilder();
    b.append("| mode | node processes | operation | original ops/s | ")
        .append(hallpass)
        .append(" ops/s | ratio Hallpass / original | rounds |\n");
    b.append("|---|---|---|---:|---:|---:|---|\n");
    Map<String, List<Sample>> groups = new LinkedHashMap<>();
    for (Sample s : samples) {
      groups
          .computeIfAbsent(s.mode + "|" + s.processes + "|" + s.op, k -> new ArrayList<>())
          .add(s);
    }
    for (List<Sample> g : groups.values()) {
      Sample first = g.get(0);
      if (first.op.equals("rsa-sign")) {
        continue; // no original side: its own table below
      }
      String originalOp = first.op.equals("verify-cached") ? "verify" : first.op;
      List<Double> orig = rates(samples, first.mode, first.processes, originalOp, ORIGINAL);
      List<Double> hall = rates(g, first.mode, first.processes, first.op, hallpass);
      String label =
          switch (first.op) {
            case "verify" -> "verify (Hallpass cache off)";
            case "verify-cached" -> "verify (Hallpass cache on; original: no cache)";
            default -> first.op;
          };
      b.append("| ")
          .append(first.mode)
          .append(" | ")
          .append(first.processes)
          .append(" | ")
          .append(label)
          .append(" | ")
          .append(orig.isEmpty() ? "-" : rate(median(orig)))
          .append(" | ")
          .append(hall.isEmpty() ? "-" : rate(median(hall)))
          .append(" | ")
          .append(
              orig.isEmpty() || hall.isEmpty()
                  ? "-"
                  : String.format(Locale.ROOT, "%.2f", median(hall) / median(orig)))
          .append(" | ")
          .append(first.op.equals("verify-cached") ? "-" : orig.size())
          .append(" / ")
          .append(hall.size())
          .append(" |\n");
    }
    b.append(signingLimit(samples, hallpass));
    return b.toString();
  }

  /**
   * create and refresh of Hallpass against the bare RSA-2048 signing rate of the same run (same
   * JVM, same number of threads, medians of the rounds); empty if the run measured no signing.
   */
  static String signingLimit(List<Sample> samples, String hallpass) {
    StringBuilder b = new StringBuilder();
    Map<String, Boolean> seen = new LinkedHashMap<>();
    for (Sample s : samples) {
      if (s.op.equals("rsa-sign")) {
        seen.put(s.mode + "|" + s.processes, true);
      }
    }
    if (seen.isEmpty()) {
      return "";
    }
    b.append("\n| mode | threads | RSA-2048 signatures/s | operation | ")
        .append(hallpass)
        .append(" ops/s | ratio to signing |\n");
    b.append("|---|---|---:|---|---:|---:|\n");
    for (String k : seen.keySet()) {
      String mode = k.substring(0, k.indexOf('|'));
      int n = Integer.parseInt(k.substring(k.indexOf('|') + 1));
      double sign = median(rates(samples, mode, n, "rsa-sign", RSA_SIGN));
      for (String op : List.of("create", "refresh")) {
        List<Double> hall = rates(samples, mode, n, op, hallpass);
        if (hall.isEmpty()) {
          continue;
        }
        b.append(
            String.format(
                Locale.ROOT,
                "| %s | %d | %s | %s | %s | %.2f |%n",
                mode,
                n,
                rate(sign),
                op,
                rate(median(hall)),
                median(hall) / sign));
      }
    }
    return b.toString();
  }

  private static List<Double> rates(
      List<Sample> samples, String mode, int processes, String op, String stack) {
    List<Double> r = new ArrayList<>();
    for (Sample s : samples) {
      if (s.mode.equals(mode)
          && s.processes == processes
          && s.op.equals(op)
          && s.stack.equals(stack)) {
        r.add(s.rate);
      }
    }
    return r;
  }

  private static String rate(double r) {
    return r >= 100
        ? String.format(Locale.ROOT, "%,.0f", r)
        : String.format(Locale.ROOT, "%.1f", r);
  }

  private String machine(String startLoad, String endLoad) {
    StringBuilder b = new StringBuilder();
    b.append("date: ")
        .append(
            ZonedDateTime.now(ZoneOffset.UTC)
                .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")))
        .append('\n');
    b.append("options: rounds ")
        .append(o.rounds)
        .append(", in-process runs ")
        .append(o.seconds)
        .append(" s, wrk runs ")
        .append(o.wrkSeconds)
        .append(" s with ")
        .append(o.connections)
        .append(" connections (-t1), warm-up ")
        .append(o.warmup)
        .append(" s per run, node processes ")
        .append(o.processes)
        .append(", Hallpass signing ")
        .append(o.signing)
        .append('\n');
    b.append("cpu: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ");
    b.append(cpuModel()).append('\n');
    b.append("java: ").append(System.getProperty("java.vm.name")).append(' ');
    b.append(System.getProperty("java.runtime.version")).append(" (-Xms512m -Xmx512m)\n");
    b.append("node: ").append(commandOutput("node", "--version")).append('\n');
    b.append("wrk: ")
        .append(commandOutput("wrk", "-v").lines().findFirst().orElse(""))
        .append('\n');
    b.append("database: ").append(o.jdbcUrl.replaceAll("\\?.*", "")).append('\n');
    b.append("load average at start: ").append(startLoad).append('\n');
    b.append("load average at end: ").append(endLoad).append('\n');
    return b.toString();
  }

  private static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst()
          .orElse("?");
    } catch (IOException e) {
      return "?";
    }
  }

  private static String loadAverage() {
    try {
      String[] w = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return w[0] + " " + w[1] + " " + w[2];
    } catch (IOException e) {
      return "?";
    }
  }

  private static String commandOutput(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor(10, TimeUnit.SECONDS);
      return s;
    } catch (IOException e) {
      return "not installed";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }

  private static int positiveInt(String option, String value) {
    try {
      int v = Integer.parseInt(value);
      if (v >= 1) {
        return v;
      }
    } catch (NumberFormatException e) {
      // falls through
    }
    throw new IllegalArgumentException(
        option + " must be a whole number >= 1, not '" + value + "'");
  }

  private static double positiveSeconds(String option, String value) {
    double v = secondsOption(option, value);
    if (v <= 0) {
      throw new IllegalArgumentException(option + " must be more than 0 seconds");
    }
    return v;
  }

  private static double secondsOption(String option, String value) {
    try {
      double v = Double.parseDouble(value);
      if (v >= 0 && v <= 3600) {
        return v;
      }
    } catch (NumberFormatException e) {
      // falls through
    }
    throw new IllegalArgumentException(
        option + " must be between 0 and 3600 seconds, not '" + value + "'");
  }

  private static void log(String line) {
    System.err.println(line);
  }
}
