package dev.hallpass.jdbc;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Key encryption at rest on the embedded H2 store, a new database per test. */
class H2KeyEncryptionAtRestTest extends AbstractJdbcKeyEncryptionAtRestTest {
  @TempDir Path dir;
  private String url;

  @Override
  String url() {
    return url;
  }

  @Override
  void emptyDatabase() {
    url = "jdbc:h2:file:" + dir.resolve("hallpass") + ";LOCK_TIMEOUT=10000;USER=sa;PASSWORD=";
  }
}
