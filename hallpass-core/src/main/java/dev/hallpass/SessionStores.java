package dev.hallpass;

import dev.hallpass.spi.SessionStore;
import java.time.Clock;
import java.util.Objects;

/**
 * Stores that come with the core. SQL stores are in {@code hallpass-jdbc} ({@code
 * JdbcSessionStores}).
 */
public final class SessionStores {
  private SessionStores() {}

  /**
   * A store in this process's memory, for tests and quick starts: nothing survives a restart and
   * nothing is shared with other processes.
   */
  public static SessionStore inMemory() {
    return new InMemorySessionStore(Clock.systemUTC());
  }

  /**
   * An in-memory store whose refresh timing (grace periods) follows {@code clock}: for tests that
   * move time. Engines using the store should use the same clock.
   */
  public static SessionStore inMemory(Clock clock) {
    return new InMemorySessionStore(Objects.requireNonNull(clock, "clock"));
  }
}
