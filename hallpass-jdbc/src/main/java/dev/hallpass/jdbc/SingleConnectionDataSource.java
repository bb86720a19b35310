package dev.hallpass.jdbc;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A data source that hands out one borrowed connection again and again, ignoring close().
 *
 * <p>Why: Flyway opens a second connection for migrations on PostgreSQL and MariaDB. From a pool of
 * one (or a caller's nearly exhausted pool) that second connection never comes, so start-up would
 * hang until the pool's timeout. Sharing one connection is also what Flyway does itself on
 * databases that need it, and its locks (advisory locks, GET_LOCK) are per session, so they still
 * hold. The owner closes the real connection after the migration.
 */
final class SingleConnectionDataSource implements DataSource {

  private final Connection connection;

  SingleConnectionDataSource(Connection target) {
    this.connection =
        (Connection)
            Proxy.newProxyInstance(
                SingleConnectionDataSource.class.getClassLoader(),
                new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                  switch (method.getName()) {
                    case "close":
                      return null; // the owner closes the real connection
                    case "equals":
                      return proxy == args[0];
                    case "hashCode":
                      return System.identityHashCode(proxy);
                    case "toString":
                      return "SingleConnectionDataSource.connection";
                    default:
                      try {
                        return method.invoke(target, args);
                      } catch (InvocationTargetException e) {
                        throw e.getCause();
                      }
                  }
                });
  }

  @Override
  public Connection getConnection() {
    return connection;
  }

  @Override
  public Connection getConnection(String username, String password) {
    return connection;
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {
    // no logging of its own
  }

  @Override
  public void setLoginTimeout(int seconds) {
    // the connection is open already
  }

  @Override
  public int getLoginTimeout() {
    return 0;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException("no parent logger");
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    throw new SQLException("not a wrapper for " + iface.getName());
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return iface.isInstance(this);
  }
}
