package dev.hallpass.jdbc;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} decorator that counts what a store asks of the database: connections
 * borrowed, statements executed, commits and rollbacks, and auto-commit switches (each a round trip
 * on MariaDB and MySQL). A round trip is a statement, a commit or rollback, or a switch that the
 * driver sends; which of these a driver sends is measured on the server where it can be.
 */
final class CountingDataSource {
  final AtomicInteger borrows = new AtomicInteger();
  final AtomicInteger statements = new AtomicInteger();
  final AtomicInteger commits = new AtomicInteger();
  final AtomicInteger rollbacks = new AtomicInteger();
  final AtomicInteger autoCommitSwitches = new AtomicInteger();

  /** Transaction statements sent as SQL (START TRANSACTION, COMMIT, ROLLBACK) count here too. */
  final AtomicInteger transactionStatements = new AtomicInteger();

  private final DataSource delegate;

  CountingDataSource(DataSource delegate) {
    this.delegate = delegate;
  }

  /** The counts so far. */
  Counts counts() {
    return new Counts(
        borrows.get(),
        statements.get(),
        commits.get() + transactionStatements.get(),
        autoCommitSwitches.get());
  }

  /**
   * What one operation cost.
   *
   * @param borrows connections taken from the pool
   * @param statements SQL statements executed (transaction control excluded)
   * @param transactionControl commits, rollbacks and START TRANSACTION/COMMIT/ROLLBACK statements
   * @param autoCommitSwitches setAutoCommit calls that changed the mode
   */
  record Counts(int borrows, int statements, int transactionControl, int autoCommitSwitches) {
    Counts minus(Counts before) {
      return new Counts(
          borrows - before.borrows,
          statements - before.statements,
          transactionControl - before.transactionControl,
          autoCommitSwitches - before.autoCommitSwitches);
    }
  }

  DataSource dataSource() {
    return (DataSource)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {DataSource.class},
            (p, m, args) -> {
              Object r = invoke(delegate, m, args);
              if (m.getName().equals("getConnection")) {
                borrows.incrementAndGet();
                return connection((Connection) r);
              }
              return r;
            });
  }

  private Connection connection(Connection c) {
    return (Connection)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {Connection.class},
            (p, m, args) -> {
              switch (m.getName()) {
                case "commit" -> commits.incrementAndGet();
                case "rollback" -> rollbacks.incrementAndGet();
                case "setAutoCommit" -> {
                  if (c.getAutoCommit() != (Boolean) args[0]) {
                    autoCommitSwitches.incrementAndGet();
                  }
                }
                default -> {}
              }
              Object r = invoke(c, m, args);
              if (r instanceof PreparedStatement ps) {
                return statement(ps, PreparedStatement.class);
              }
              if (r instanceof Statement st) {
                return statement(st, Statement.class);
              }
              return r;
            });
  }

  private Object statement(Statement st, Class<?> type) {
    return Proxy.newProxyInstance(
        getClass().getClassLoader(),
        new Class<?>[] {type},
        (p, m, args) -> {
          if (m.getName().startsWith("execute")) {
            boolean control =
                args != null
                    && args.length > 0
                    && args[0] instanceof String sql
                    && isTransactionControl(sql);
            (control ? transactionStatements : statements).incrementAndGet();
          }
          return invoke(st, m, args);
        });
  }

  private static boolean isTransactionControl(String sql) {
    String s = sql.trim().toUpperCase(Locale.ROOT);
    return s.equals("START TRANSACTION") || s.equals("COMMIT") || s.equals("ROLLBACK");
  }

  private static Object invoke(Object target, java.lang.reflect.Method m, Object[] args)
      throws Throwable {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
