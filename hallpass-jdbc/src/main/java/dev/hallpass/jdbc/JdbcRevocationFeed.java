package dev.hallpass.jdbc;

import dev.hallpass.HallpassException;
import dev.hallpass.spi.RevocationFeed;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The {@link RevocationFeed} of the SQL stores. The store writes a row into {@code
 * hallpass_revocations} in the transaction that deletes a session; this feed pushes it to the
 * subscribers of every process, on a dedicated connection (not one of the pool's, which it would
 * hold forever):
 *
 * <ul>
 *   <li><b>PostgreSQL</b>: {@code LISTEN hallpass_revocations}; the deleting transaction sends
 *       {@code pg_notify} with the handles, delivered at commit. Every {@link #HEARTBEAT} without a
 *       notification, a {@code SELECT 1} shows the connection is alive; a failed read or heartbeat
 *       is a gap, and the feed reconnects.
 *   <li><b>MariaDB/MySQL</b> (no push): one indexed query every {@code pollInterval} (default
 *       {@link #DEFAULT_POLL}) of the rows after the last id seen. Ids are handed out at insert but
 *       become visible at commit, possibly out of order, so an id missing below the highest seen is
 *       asked for again until it shows up or {@link #HOLE_WAIT} has passed (a rolled-back insert;
 *       the insert is the last statement before commit, so a real one shows up within
 *       milliseconds). A failed poll is a gap.
 * </ul>
 */
final class JdbcRevocationFeed implements RevocationFeed {
  private static final System.Logger LOG = System.getLogger(JdbcRevocationFeed.class.getName());

  static final String CHANNEL = "hallpass_revocations";
  static final Duration DEFAULT_POLL = Duration.ofMillis(50);
  static final Duration HEARTBEAT = Duration.ofSeconds(5);
  static final Duration HOLE_WAIT = Duration.ofSeconds(10);
  static final Duration RECONNECT = Duration.ofMillis(500);

  /** The most ids above the last contiguous one tracked before the poller starts over. */
  private static final int MAX_SPAN = 100_000;

  /** Opens a connection that is not the pool's. */
  @FunctionalInterface
  interface ConnectionOpener {
    Connection open() throws SQLException;
  }

  private final DataSource pool;
  private final Dialect dialect;
  private final ConnectionOpener dedicated;
  private final long pollMillis;

  /** The server-side id of the current dedicated connection (tests kill it); 0: none. */
  final AtomicLong connectionId = new AtomicLong();

  JdbcRevocationFeed(
      DataSource pool, Dialect dialect, ConnectionOpener dedicated, Duration pollInterval) {
    this.pool = pool;
    this.dialect = dialect;
    this.dedicated = dedicated;
    this.pollMillis = pollInterval.toMillis();
  }

  @Override
  public Subscription subscribe(Listener listener) {
    Worker w = new Worker(listener);
    Thread t = new Thread(w, "hallpass-revocation-feed");
    t.setDaemon(true);
    t.start();
    return w;
  }

  @Override
  public Map<String, Instant> revokedSince(Instant since) {
    try (Connection c = pool.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT handle, revoked_at FROM hallpass_revocations WHERE revoked_at >= ?")) {
      ps.setLong(1, since.toEpochMilli());
      Map<String, Instant> out = new HashMap<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.merge(
              rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)), (a, b) -> a.isAfter(b) ? a : b);
        }
      }
      return out;
    } catch (SQLException e) {
      throw HallpassException.generalError("cannot read the recent revocations", e);
    }
  }

  @Override
  public int deleteRevocationsBefore(Instant cutoff) {
    try (Connection c = pool.getConnection();
        PreparedStatement ps =
            c.prepareStatement("DELETE FROM hallpass_revocations WHERE revoked_at < ?")) {
      ps.setLong(1, cutoff.toEpochMilli());
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw HallpassException.generalError("cannot prune the revocations", e);
    }
  }

  /** One subscription's thread: connects, listens or polls, reports gaps, reconnects. */
  private final class Worker implements Runnable, Subscription {
    private final Listener listener;
    private volatile boolean stopped;
    private volatile Connection current;

    Worker(Listener listener) {
      this.listener = listener;
    }

    @Override
    public void run() {
      while (!stopped) {
        try (Connection c = dedicated.open()) {
          current = c;
          c.setAutoCommit(true);
          connectionId.set(backendId(c));
          if (dialect == Dialect.POSTGRESQL) {
            listen(c);
          } else {
            poll(c);
          }
        } catch (SQLException | RuntimeException e) {
          if (!stopped) {
            LOG.log(
                System.Logger.Level.WARNING,
                "the revocation feed lost its connection; reconnecting",
                e);
          }
        } finally {
          current = null;
          connectionId.set(0);
        }
        if (stopped) {
          return;
        }
        listener.onGap();
        try {
          Thread.sleep(RECONNECT.toMillis());
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    private long backendId(Connection c) throws SQLException {
      String sql =
          dialect == Dialect.POSTGRESQL ? "SELECT pg_backend_pid()" : "SELECT CONNECTION_ID()";
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery(sql)) {
        rs.next();
        return rs.getLong(1);
      }
    }

    private void listen(Connection c) throws SQLException {
      try (Statement s = c.createStatement()) {
        s.execute("LISTEN " + CHANNEL);
      }
      listener.onSubscribed();
      PGConnection pg = c.unwrap(PGConnection.class);
      long quietSince = System.nanoTime();
      while (!stopped) {
        PGNotification[] ns = pg.getNotifications(500);
        if (ns != null && ns.length > 0) {
          quietSince = System.nanoTime();
          for (PGNotification n : ns) {
            if (CHANNEL.equals(n.getName())) {
              for (String h : n.getParameter().split(",")) {
                if (!h.isEmpty()) {
                  listener.onRevoked(h);
                }
              }
            }
          }
        } else if (System.nanoTime() - quietSince > HEARTBEAT.toNanos()) {
          try (Statement s = c.createStatement()) {
            s.execute("SELECT 1"); // throws on a dead connection
          }
          quietSince = System.nanoTime();
        }
      }
    }

    private void poll(Connection c) throws SQLException {
      long low;
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(id), 0) FROM hallpass_revocations")) {
        rs.next();
        low = rs.getLong(1);
      }
      listener.onSubscribed(); // everything up to low is the catch-up read's
      TreeSet<Long> seen = new TreeSet<>(); // ids above low already pushed
      TreeMap<Long, Long> holes = new TreeMap<>(); // id -> when first missed (nanoTime)
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT id, handle FROM hallpass_revocations WHERE id > ? ORDER BY id LIMIT 1000")) {
        while (!stopped) {
          ps.setLong(1, low);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              long id = rs.getLong(1);
              if (seen.add(id)) {
                holes.remove(id);
                listener.onRevoked(rs.getString(2));
              }
            }
          }
          long now = System.nanoTime();
          if (!seen.isEmpty()) {
            long max = seen.last();
            if (max - low > MAX_SPAN) {
              throw new SQLException("too many revocation ids outstanding: starting over");
            }
            for (long id = low + 1; id < max; id++) {
              if (!seen.contains(id)) {
                holes.putIfAbsent(id, now);
              }
            }
          }
          // Advance past ids seen or given up on: the query then starts above them.
          while (true) {
            long next = low + 1;
            if (seen.remove(next)) {
              low = next;
            } else if (holes.containsKey(next) && now - holes.get(next) > HOLE_WAIT.toNanos()) {
              holes.remove(next);
              low = next;
            } else {
              break;
            }
          }
          try {
            Thread.sleep(pollMillis);
          } catch (InterruptedException e) {
            return;
          }
        }
      }
    }

    @Override
    public void close() {
      stopped = true;
      Connection c = current;
      if (c != null) {
        try {
          c.close();
        } catch (SQLException | RuntimeException e) {
          // closing anyway
        }
      }
    }
  }
}
