package dev.hallpass.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.hallpass.HallpassException;
import dev.hallpass.jdbc.JdbcSessionStores;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Credentials in a JDBC URL (user info, password parameters) never reach stdout, stderr or the
 * logs, however the driver echoes the URL when it cannot connect.
 */
class DatabaseUrlCredentialsTest {
  private static final String SECRET = "Pw9hunter2Xq";

  /** Unreachable databases (port 1), with the secret in every place a URL can carry it. */
  private static final List<String> URLS =
      List.of(
          "jdbc:mariadb://bob:" + SECRET + "@127.0.0.1:1/x",
          "jdbc:mariadb://127.0.0.1:1/x?user=bob&password=" + SECRET,
          "jdbc:mysql://bob:" + SECRET + "@127.0.0.1:1/x",
          "jdbc:postgresql://bob:" + SECRET + "@127.0.0.1:1/x",
          "jdbc:postgresql://127.0.0.1:1/x?user=bob&password=" + SECRET + "&ssl=false",
          "jdbc:h2:tcp://127.0.0.1:1/x;USER=bob;PASSWORD=" + SECRET);

  @Test
  void command_withCredentialsInAnUnreachableUrl_printsNoSecret_atAnyLevel() throws Exception {
    for (String url : URLS) {
      for (String level : new String[] {"info", "debug"}) {
        if (level.equals("info") && !url.contains("@")) {
          continue; // the shapes drivers echo; debug runs cover the rest
        }
        LaunchedMain.Ran r =
            LaunchedMain.runToExit("--port", "0", "--database-url", url, "--log-level", level);
        assertThat(r.exitCode())
            .as("%s at %s; output:%n%s", url, level, r.output())
            .isEqualTo(Cli.EXIT_STARTUP_FAILED);
        assertThat(r.output())
            .as("%s at %s", url, level)
            .contains("hallpass-server: could not start: cannot connect to the session database")
            .doesNotContain(SECRET);
      }
    }
  }

  @Test
  void store_withCredentialsInAnUnreachableUrl_throwsAnExceptionChainWithoutThem() {
    for (String url : URLS) {
      HallpassException e =
          catchThrowableOfType(
              HallpassException.class,
              () ->
                  JdbcSessionStores.builder()
                      .jdbcUrl(url)
                      .password(SECRET + "2")
                      .connectionTimeout(Duration.ofMillis(500))
                      .build());
      assertThat(e).as(url).isNotNull();
      assertThat(e.getType()).isEqualTo(HallpassException.Type.GENERAL_ERROR);
      assertThat(e.getCause()).as("the driver's failure stays chained").isNotNull();
      StringWriter trace = new StringWriter();
      e.printStackTrace(new PrintWriter(trace));
      assertThat(trace.toString()).as(url).doesNotContain(SECRET).contains("\tat ");
    }
  }

  @Test
  void startUpLine_andConfigToString_showNoUserInfoOrParameters() {
    for (String url : URLS) {
      ServerConfig c = ((Cli.Run) Cli.parse("--database-url", url)).config();
      assertThat(c.storeDescription()).as(url).doesNotContain(SECRET).contains("127.0.0.1:1");
      assertThat(c.toString()).as(url).doesNotContain(SECRET);
    }
  }
}
