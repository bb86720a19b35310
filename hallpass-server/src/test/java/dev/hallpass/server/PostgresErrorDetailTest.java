package dev.hallpass.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The server opens PostgreSQL with {@code logServerErrorDetail=false}, so that a failed statement's
 * exception (logged on a 500) does not quote the row's values. Against a real server: skipped when
 * it is unreachable, failed under {@code CI=true}.
 */
class PostgresErrorDetailTest {
  private static final String SECRET = "Pw9rowvalueXq";

  @Test
  void postgresUrls_getTheOption_unlessTheySetIt_otherUrlsAreUnchanged() {
    assertThat(HallpassServer.withoutServerErrorDetail("jdbc:postgresql://db/x"))
        .isEqualTo("jdbc:postgresql://db/x?logServerErrorDetail=false");
    assertThat(HallpassServer.withoutServerErrorDetail("jdbc:postgresql://db/x?ssl=true"))
        .isEqualTo("jdbc:postgresql://db/x?ssl=true&logServerErrorDetail=false");
    assertThat(HallpassServer.withoutServerErrorDetail("jdbc:postgresql://db/x?"))
        .isEqualTo("jdbc:postgresql://db/x?logServerErrorDetail=false");
    for (String unchanged :
        new String[] {
          "jdbc:postgresql://db/x?LogServerErrorDetail=true",
          "jdbc:mariadb://db/x?user=a",
          "jdbc:h2:file:/tmp/x;MODE=PostgreSQL"
        }) {
      assertThat(HallpassServer.withoutServerErrorDetail(unchanged)).isEqualTo(unchanged);
    }
  }

  @Test
  void failedRow_withTheOption_isNotQuotedInTheException() throws Exception {
    String url = postgresOrSkip();
    assertThat(failedInsertMessage(url)).as("without the option").contains(SECRET);
    assertThat(failedInsertMessage(HallpassServer.withoutServerErrorDetail(url)))
        .as("with the option")
        .contains("null value")
        .doesNotContain(SECRET);
  }

  /** The message of an insert that breaks a NOT NULL constraint (temporary table: no clean-up). */
  private static String failedInsertMessage(String url) throws SQLException {
    try (Connection c = DriverManager.getConnection(url);
        Statement st = c.createStatement()) {
      st.execute("CREATE TEMPORARY TABLE hp_detail_probe (a text NOT NULL, b text)");
      SQLException e =
          catchThrowableOfType(
              SQLException.class,
              () -> st.execute("INSERT INTO hp_detail_probe VALUES (NULL, '" + SECRET + "')"));
      assertThat((Throwable) e).isNotNull();
      return e.getMessage();
    }
  }

  private static String postgresOrSkip() {
    String url = System.getenv("HALLPASS_TEST_POSTGRES_URL");
    if (url == null || url.isBlank()) {
      url = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
    }
    DriverManager.setLoginTimeout(5);
    try (Connection c = DriverManager.getConnection(url)) {
      return url;
    } catch (SQLException e) {
      String reason =
          "PostgreSQL is not reachable ("
              + e.getMessage()
              + "); set HALLPASS_TEST_POSTGRES_URL or start the server";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail("CI=true, so not skipping: " + reason, e);
      }
      System.err.println("SKIPPED " + reason);
      Assumptions.abort(reason);
      return null;
    }
  }
}
