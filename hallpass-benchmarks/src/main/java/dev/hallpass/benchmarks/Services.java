package dev.hallpass.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The servers the benchmarks talk to, all on loopback by default. Each benchmark owns its own
 * database ({@code hallpass_bench} on PostgreSQL and MariaDB, Redis database 5) so that it never
 * touches another suite's data. URLs can be overridden with environment variables (forked JMH JVMs
 * inherit the environment, not system properties).
 */
enum Services {
  POSTGRESQL(
      "PostgreSQL",
      "HALLPASS_BENCH_POSTGRES_URL",
      "jdbc:postgresql://127.0.0.1:5432/hallpass_bench?user=postgres"),
  MARIADB(
      "MariaDB",
      "HALLPASS_BENCH_MARIADB_URL",
      "jdbc:mariadb://127.0.0.1:3306/hallpass_bench?user=root"),
  /** host:port; the benchmarks use database 5 only and flush nothing else. */
  REDIS("Redis", "HALLPASS_BENCH_REDIS", "127.0.0.1:6379");

  static final String DATABASE = "hallpass_bench";
  static final int REDIS_DATABASE = 5;

  final String displayName;
  private final String envVariable;
  private final String defaultAddress;

  Services(String displayName, String envVariable, String defaultAddress) {
    this.displayName = displayName;
    this.envVariable = envVariable;
    this.defaultAddress = defaultAddress;
  }

  /** The JDBC URL (PostgreSQL, MariaDB) or host:port (Redis). */
  String address() {
    String v = System.getenv(envVariable);
    return v == null || v.isBlank() ? defaultAddress : v;
  }

  String redisHost() {
    String a = address();
    return a.substring(0, a.lastIndexOf(':'));
  }

  int redisPort() {
    String a = address();
    return Integer.parseInt(a.substring(a.lastIndexOf(':') + 1));
  }

  /**
   * Makes the server ready for the benchmarks (creating the {@code hallpass_bench} database on
   * first use when the default URL is in use) or says why it cannot be used.
   *
   * @return null when ready, otherwise a one-line reason
   */
  String problem() {
    try {
      switch (this) {
        case POSTGRESQL:
          if (System.getenv(envVariable) == null) {
            // Connect to the shared `test` database first, only to create ours.
            try (Connection c = connect(defaultAddress.replace("/" + DATABASE + "?", "/test?"));
                PreparedStatement ps =
                    c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
              ps.setString(1, DATABASE);
              try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                  try (Statement st = c.createStatement()) {
                    st.execute("CREATE DATABASE " + DATABASE);
                  }
                }
              }
            }
          }
          connect(address()).close();
          return null;
        case MARIADB:
          if (System.getenv(envVariable) == null) {
            try (Connection c = connect(defaultAddress.replace("/" + DATABASE + "?", "/?"));
                Statement st = c.createStatement()) {
              st.execute("CREATE DATABASE IF NOT EXISTS " + DATABASE);
            }
          }
          connect(address()).close();
          return null;
        case REDIS:
          return redisPing();
        default:
          throw new AssertionError(this);
      }
    } catch (SQLException | RuntimeException e) {
      return displayName
          + " at "
          + redactedAddress()
          + " is not usable: "
          + e.getMessage()
          + " (set "
          + envVariable
          + " or start the server)";
    }
  }

  /** Like {@link #problem()}, but throws: for benchmark set-up, which cannot skip. */
  void require() {
    String p = problem();
    if (p != null) {
      throw new IllegalStateException(p);
    }
  }

  private String redactedAddress() {
    String a = address();
    int q = a.indexOf('?');
    return q < 0 ? a : a.substring(0, q); // the query may carry a password
  }

  private static Connection connect(String url) throws SQLException {
    DriverManager.setLoginTimeout(5);
    return DriverManager.getConnection(url);
  }

  private String redisPing() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(redisHost(), redisPort()), 2_000);
      s.setSoTimeout(2_000);
      OutputStream out = s.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[64];
      int n = in.read(buf);
      String answer = n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.US_ASCII).trim();
      return answer.equals("+PONG")
          ? null
          : displayName + " at " + address() + " answered '" + answer + "' to PING";
    } catch (IOException e) {
      return displayName
          + " at "
          + address()
          + " is not reachable: "
          + e.getMessage()
          + " (set "
          + envVariable
          + " or start the server)";
    }
  }
}
