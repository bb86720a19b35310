package dev.hallpass.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallpass.spi.SessionStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The store's timeout options: their validation, and that the query timeout is the connection's
 * network timeout during each call and is given back to a caller's pool as it was lent.
 */
class JdbcTimeoutsTest {

  @Test
  void timeoutSetters_rejectValuesOutOfRange_namingTheOption() {
    rejects(b -> b.queryTimeout(Duration.ofMillis(249)), "queryTimeout must be >= 250 ms");
    rejects(b -> b.queryTimeout(Duration.ofHours(1).plusMillis(1)), "queryTimeout must be");
    rejects(b -> b.queryTimeout(Duration.ofSeconds(-1)), "queryTimeout must be");
    rejects(b -> b.connectionTimeout(Duration.ofDays(1)), "connectionTimeout must be");
    assertThatThrownBy(() -> JdbcSessionStores.builder().queryTimeout(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("queryTimeout");
    assertThat(JdbcSessionStores.builder().queryTimeout(Duration.ofMillis(250)).toString())
        .contains("queryTimeout=PT0.25S");
  }

  private static void rejects(Consumer<JdbcSessionStores.Builder> option, String message) {
    assertThatThrownBy(() -> option.accept(JdbcSessionStores.builder()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void queryTimeout_isTheNetworkTimeoutDuringACall_andTheCallersConnectionGetsItsOwnBack()
      throws Exception {
    String url = TestDatabases.require(TestDatabases.Server.POSTGRES);
    TestDatabases.dropHallpassTables(url);
    try (Connection physical = TestDatabases.connect(url)) {
      physical.setNetworkTimeout(Runnable::run, 123_000);
      List<Integer> seen = new ArrayList<>();
      SessionStore store =
          JdbcSessionStores.builder()
              .dataSource(new OneConnection(physical, seen))
              .queryTimeout(Duration.ofMillis(1_500))
              .build();
      try {
        seen.clear();
        assertThat(store.findSessionData("nobody", Instant.now())).isEmpty();
        store.deleteSessions(List.of("a", "b")); // a transaction
        assertThat(seen).isNotEmpty().containsOnly(1_500);
        assertThat(physical.getNetworkTimeout()).isEqualTo(123_000);
      } finally {
        store.close();
      }
    }
  }

  /** A caller's "pool" of one connection that it never closes and never resets. */
  private static final class OneConnection extends TestDataSource {
    private final Connection physical;
    private final List<Integer> seen;

    OneConnection(Connection physical, List<Integer> seen) {
      this.physical = physical;
      this.seen = seen;
    }

    @Override
    public Connection getConnection() {
      return (Connection)
          Proxy.newProxyInstance(
              Connection.class.getClassLoader(),
              new Class<?>[] {Connection.class},
              (p, method, args) -> {
                switch (method.getName()) {
                  case "close":
                    return null; // back to the "pool", as it is
                  case "prepareStatement":
                    seen.add(physical.getNetworkTimeout());
                    break;
                  default:
                    break;
                }
                try {
                  return method.invoke(physical, args);
                } catch (InvocationTargetException e) {
                  throw e.getCause();
                }
              });
    }
  }
}
