package dev.hallpass.jdbc;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The JDBC-specific store tests on an H2 file database. */
class H2JdbcSessionStoreTest extends AbstractJdbcSessionStoreTest {

  @TempDir static Path dir;

  @Override
  String url() {
    return "jdbc:h2:file:" + dir.resolve("db").toAbsolutePath() + ";LOCK_TIMEOUT=10000";
  }
}
