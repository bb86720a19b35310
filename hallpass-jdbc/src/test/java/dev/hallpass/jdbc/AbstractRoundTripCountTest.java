package dev.hallpass.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.hallpass.AccessTokenSigning;
import dev.hallpass.Hallpass;
import dev.hallpass.Session;
import dev.hallpass.testkit.CountingStore;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What each write path costs in store calls, connections, SQL statements and transactions, on a
 * real database with the production settings (database clock, key encryption off, blacklisting
 * off), in both signing modes. The counts are asserted exactly, so a change that adds a read or a
 * round trip fails here; the table in benchmarks/RESULTS.md is printed by this test.
 *
 * <p>On MariaDB the server's own count of statements received ({@code Questions}, on the pool's one
 * connection) is asserted too: it includes what the driver sends for transactions.
 */
abstract class AbstractRoundTripCountTest {

  /** What one operation cost: SPI calls, then the JDBC counts. */
  record Cost(int storeCalls, CountingDataSource.Counts jdbc, Integer serverStatements) {}

  private HikariDataSource pool;
  private CountingDataSource counting;
  private CountingStore store;
  private Hallpass hallpass;

  /** A JDBC URL of an empty-able database; the test deletes every Hallpass row. */
  abstract String url();

  /** Whether the database is MariaDB (transactions begin with START TRANSACTION there). */
  abstract boolean mariaDb();

  @AfterEach
  void close() {
    if (hallpass != null) {
      hallpass.close();
    }
    if (pool != null) {
      pool.close();
    }
  }

  private void start(AccessTokenSigning signing) {
    String url = url();
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setMaximumPoolSize(1); // one connection: the server's session counters are the store's
    config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    pool = new HikariDataSource(config);
    counting = new CountingDataSource(pool);
    store =
        new CountingStore(JdbcSessionStores.builder().dataSource(counting.dataSource()).build());
    TestDatabases.deleteAllRows(url);
    hallpass =
        Hallpass.builder()
            .store(store)
            .accessTokenSigning(signing)
            .antiCsrf(true)
            .disableBackgroundCleanup()
            .build();
  }

  private <T> Cost cost(Supplier<T> operation) {
    Integer questionsBefore = mariaDb() ? questions() : null;
    int calls = store.calls();
    CountingDataSource.Counts before = counting.counts();
    operation.get();
    CountingDataSource.Counts jdbc = counting.counts().minus(before);
    int storeCalls = store.calls() - calls;
    Integer server = mariaDb() ? questions() - questionsBefore - 1 : null; // minus the SHOW itself
    return new Cost(storeCalls, jdbc, server);
  }

  /** MariaDB's count of statements received on the pool's one connection. */
  private int questions() {
    try (Connection c = pool.getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SHOW SESSION STATUS LIKE 'Questions'")) {
      rs.next();
      return rs.getInt(2);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @ParameterizedTest
  @EnumSource(AccessTokenSigning.class)
  void writePaths_costTheFewestRoundTripsTheRotationRulesNeed(AccessTokenSigning signing) {
    start(signing);
    Map<String, Cost> costs = new LinkedHashMap<>();
    Session[] s = new Session[3];

    costs.put(
        "createNewSession", cost(() -> s[0] = hallpass.createNewSession("alice", null, null)));
    costs.put(
        "refreshSession",
        cost(
            () ->
                s[1] =
                    hallpass.refreshSession(
                        s[0].getTokens().getRefreshToken(), s[0].getTokens().getAntiCsrfToken())));
    costs.put(
        "getSession, first after a refresh",
        cost(
            () ->
                s[2] =
                    hallpass.getSession(
                        s[1].getAccessToken(), s[1].getTokens().getAntiCsrfToken(), true)));
    costs.put(
        "getSession",
        cost(
            () ->
                hallpass.getSession(
                    s[2].getAccessToken(), s[1].getTokens().getAntiCsrfToken(), true)));
    costs.put(
        "updateSessionData",
        cost(
            () -> {
              hallpass.updateSessionData(s[0].getHandle(), Map.of("cart", 4));
              return null;
            }));
    costs.put("revokeSession", cost(() -> hallpass.revokeSession(s[0].getHandle())));

    print(signing, costs);
    // One statement each, in auto-commit mode.
    for (String op : new String[] {"createNewSession", "updateSessionData"}) {
      assertThat(costs.get(op)).as(op).isEqualTo(single());
    }
    assertThat(costs.get("revokeSession")).isEqualTo(revoke());
    assertThat(costs.get("getSession, first after a refresh"))
        .as("the confirmation write")
        .isEqualTo(single());
    assertThat(costs.get("getSession")).isEqualTo(new Cost(0, zero(), mariaDb() ? 0 : null));
    // No transaction: a SELECT (which reads the server's time too) and the conditional UPDATE,
    // each committing on its own.
    Cost refresh = costs.get("refreshSession");
    assertThat(refresh.storeCalls()).isOne();
    assertThat(refresh.jdbc().borrows()).isOne();
    assertThat(refresh.jdbc().statements()).isEqualTo(2);
    assertThat(refresh.jdbc().transactionControl()).isZero();
    assertThat(refresh.jdbc().autoCommitSwitches()).isZero();
    if (mariaDb()) {
      assertThat(refresh.serverStatements()).isEqualTo(2);
    }
  }

  /**
   * A revocation: one DELETE in auto-commit mode where the store has no revocation feed (H2); with
   * one, the DELETE and the revocation's record commit together (PostgreSQL also notifies the
   * listening processes, delivered at commit).
   */
  private Cost revoke() {
    if (store.revocationFeed().isEmpty()) {
      return single();
    }
    if (mariaDb()) {
      // START TRANSACTION, DELETE, INSERT, COMMIT.
      return new Cost(1, new CountingDataSource.Counts(1, 2, 2, 0), 4);
    }
    // DELETE, INSERT, SELECT pg_notify; auto-commit off, commit, back on.
    return new Cost(1, new CountingDataSource.Counts(1, 3, 1, 2), null);
  }

  private Cost single() {
    return new Cost(1, new CountingDataSource.Counts(1, 1, 0, 0), mariaDb() ? 1 : null);
  }

  private static CountingDataSource.Counts zero() {
    return new CountingDataSource.Counts(0, 0, 0, 0);
  }

  private void print(AccessTokenSigning signing, Map<String, Cost> costs) {
    StringBuilder sb = new StringBuilder();
    sb.append("ROUND TRIPS ").append(getClass().getSimpleName()).append(' ').append(signing);
    sb.append("\n| operation | store calls | connections | statements | tx control |")
        .append(" auto-commit switches | server statements |\n");
    costs.forEach(
        (op, c) ->
            sb.append("| ")
                .append(op)
                .append(" | ")
                .append(c.storeCalls())
                .append(" | ")
                .append(c.jdbc().borrows())
                .append(" | ")
                .append(c.jdbc().statements())
                .append(" | ")
                .append(c.jdbc().transactionControl())
                .append(" | ")
                .append(c.jdbc().autoCommitSwitches())
                .append(" | ")
                .append(c.serverStatements() == null ? "-" : c.serverStatements())
                .append(" |\n"));
    System.out.println(sb);
  }
}
