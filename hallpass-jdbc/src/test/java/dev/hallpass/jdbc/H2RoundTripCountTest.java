package dev.hallpass.jdbc;

/** Round trips of the write paths on H2 (embedded: the counts, not the network). */
class H2RoundTripCountTest extends AbstractRoundTripCountTest {
  @Override
  String url() {
    return "jdbc:h2:mem:hallpass-round-trips;DB_CLOSE_DELAY=-1";
  }

  @Override
  boolean mariaDb() {
    return false;
  }
}
