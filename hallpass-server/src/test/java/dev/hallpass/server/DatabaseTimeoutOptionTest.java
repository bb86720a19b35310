package dev.hallpass.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code --database-timeout}: parsed, checked by the store builder's rules, URL-only. */
class DatabaseTimeoutOptionTest {
  private static final String URL = "jdbc:postgresql://127.0.0.1:5432/db";

  @Test
  void databaseTimeout_isPassedToTheStoreSettings() {
    Cli.Outcome o = Cli.parse("--database-url", URL, "--database-timeout", "2s");
    assertThat(o).isInstanceOf(Cli.Run.class);
    assertThat(((Cli.Run) o).config().databaseTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(((Cli.Run) Cli.parse("--database-url", URL)).config().databaseTimeout()).isNull();
  }

  @Test
  void databaseTimeout_outOfRange_isRejectedWithTheBuildersMessage_andExits2() {
    for (String bad : new String[] {"PT0.1S", "2h"}) {
      Cli.Outcome o = Cli.parse("--database-url", URL, "--database-timeout", bad);
      assertThat(o).isInstanceOf(Cli.Exit.class);
      Cli.Exit e = (Cli.Exit) o;
      assertThat(e.code()).isEqualTo(Cli.EXIT_USAGE);
      assertThat(e.text())
          .contains("must be >= 250 ms and <= 1 hour")
          .contains("--database-timeout");
    }
  }

  @Test
  void databaseTimeout_withoutDatabaseUrl_isRejected() {
    Cli.Outcome o = Cli.parse("--database-timeout", "2s");
    assertThat(o).isInstanceOf(Cli.Exit.class);
    assertThat(((Cli.Exit) o).text())
        .contains("--database-timeout")
        .contains("need --database-url");
  }

  @Test
  void help_listsTheOption() {
    assertThat(Cli.usage()).contains("--database-timeout=<duration>");
  }
}
