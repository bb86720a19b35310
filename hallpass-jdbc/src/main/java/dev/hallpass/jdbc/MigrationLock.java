package dev.hallpass.jdbc;

import dev.hallpass.HallpassException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serializes Hallpass's start-up migrations across processes (and stores in one process).
 *
 * <p>Why not just Flyway's lock: Flyway takes its lock only after it has created its history table,
 * and two processes racing on an empty schema can both try to create (or baseline) that table, one
 * then failing with "Unable to baseline schema history table ... already exists, and is empty".
 * Holding a lock of our own around the whole migration closes that window. The lock is per database
 * session (PostgreSQL advisory lock, MariaDB/MySQL named lock), so a crashed process never leaves
 * it behind.
 */
final class MigrationLock {

  /** How long start-up waits for another process's migration. */
  private static final long WAIT_SECONDS = 120;

  /** "hallpass" in ASCII: the PostgreSQL advisory-lock key. */
  private static final long POSTGRES_KEY = 7521412065683141491L;

  /** MySQL lock names are at most 64 characters. */
  private static final String MYSQL_NAME =
      "CONCAT('hallpass:', LEFT(COALESCE(DATABASE(), ''), 55))";

  /** H2 files belong to one process: its stores take turns here. */
  private static final ReentrantLock IN_PROCESS = new ReentrantLock();

  private MigrationLock() {}

  static void acquire(Connection c, Dialect dialect) throws SQLException {
    switch (dialect) {
      case POSTGRESQL:
        acquirePostgres(c);
        break;
      case MARIADB:
      case MYSQL:
        try (PreparedStatement ps = c.prepareStatement("SELECT GET_LOCK(" + MYSQL_NAME + ", ?)")) {
          ps.setLong(1, WAIT_SECONDS);
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next() || rs.getInt(1) != 1) {
              throw timedOut();
            }
          }
        }
        break;
      case H2:
      default:
        try {
          if (!IN_PROCESS.tryLock(WAIT_SECONDS, TimeUnit.SECONDS)) {
            throw timedOut();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw HallpassException.generalError("interrupted while starting the session store", e);
        }
        break;
    }
  }

  private static void acquirePostgres(Connection c) throws SQLException {
    // Polling a try-lock rather than blocking in pg_advisory_lock: the wait stays bounded.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
      ps.setLong(1, POSTGRES_KEY);
      while (true) {
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next() && rs.getBoolean(1)) {
            return;
          }
        }
        if (System.nanoTime() > deadline) {
          throw timedOut();
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw HallpassException.generalError("interrupted while starting the session store", e);
        }
      }
    }
  }

  /**
   * Releases the lock. A failure is ignored: a connection that cannot run the release is broken,
   * and a database drops the session's locks with the session.
   */
  static void release(Connection c, Dialect dialect) {
    try {
      switch (dialect) {
        case POSTGRESQL:
          try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_unlock(?)")) {
            ps.setLong(1, POSTGRES_KEY);
            ps.executeQuery().close();
          }
          break;
        case MARIADB:
        case MYSQL:
          try (PreparedStatement ps =
              c.prepareStatement("SELECT RELEASE_LOCK(" + MYSQL_NAME + ")")) {
            ps.executeQuery().close();
          }
          break;
        case H2:
        default:
          IN_PROCESS.unlock();
          break;
      }
    } catch (SQLException e) {
      // see above
    }
  }

  private static HallpassException timedOut() {
    return HallpassException.generalError(
        "timed out after "
            + WAIT_SECONDS
            + " s waiting for another process to finish migrating the Hallpass tables",
        null);
  }
}
