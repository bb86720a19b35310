package dev.hallpass.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallpass.Hallpass;
import dev.hallpass.Session;
import dev.hallpass.servlet.AntiCsrfMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoMainTest {

  @Test
  void noFlags_giveTheDocumentedDefaults() {
    DemoMain.Options o = DemoMain.Options.parse();

    assertThat(o.port()).isEqualTo(8080);
    assertThat(o.accessTokenValidity()).isEqualTo(Duration.ofHours(1));
    assertThat(o.antiCsrf()).isEqualTo(AntiCsrfMode.NONE);
    assertThat(o.dataDir()).isEqualTo(Path.of("hallpass-data"));
  }

  @Test
  void flags_setPortValidityAntiCsrfAndDataDir() {
    DemoMain.Options o =
        DemoMain.Options.parse(
            "--port",
            "9090",
            "--access-token-validity",
            "10s",
            "--anti-csrf",
            "via_token",
            "--data-dir",
            "/tmp/x");

    assertThat(o.port()).isEqualTo(9090);
    assertThat(o.accessTokenValidity()).isEqualTo(Duration.ofSeconds(10));
    assertThat(o.antiCsrf()).isEqualTo(AntiCsrfMode.VIA_TOKEN);
    assertThat(o.dataDir()).isEqualTo(Path.of("/tmp/x"));
  }

  @Test
  void validity_acceptsShortFormsAndIso8601() {
    assertThat(DemoMain.Options.duration("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(DemoMain.Options.duration("2h")).isEqualTo(Duration.ofHours(2));
    assertThat(DemoMain.Options.duration("PT30S")).isEqualTo(Duration.ofSeconds(30));
    for (String bad : new String[] {"0s", "1.5s", "PT0.5S", "ten", "-5s", ""}) {
      assertThatThrownBy(() -> DemoMain.Options.duration(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("--access-token-validity");
    }
  }

  @Test
  void badFlags_areRefusedWithTheFlagNamed() {
    assertThatThrownBy(() -> DemoMain.Options.parse("--port", "http"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--port");
    assertThatThrownBy(() -> DemoMain.Options.parse("--port"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("missing value");
    assertThatThrownBy(() -> DemoMain.Options.parse("--anti-csrf", "maybe"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--anti-csrf");
    assertThatThrownBy(() -> DemoMain.Options.parse("--colour", "blue"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown option");
  }

  @Test
  void engine_withATenSecondValidity_runsOnTheEmbeddedH2Store(@TempDir Path dir) {
    DemoMain.Options o =
        DemoMain.Options.parse("--access-token-validity", "10s", "--data-dir", dir.toString());

    try (Hallpass engine = DemoMain.engine(o)) {
      Session s = engine.createNewSession("alice", Map.of(), Map.of("k", "v"));
      assertThat(s.getAccessTokenExpiry())
          .isEqualTo(s.getAccessTokenExpiry().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
      assertThat(engine.getSessionData(s.getHandle())).containsEntry("k", "v");
      assertThat(engine.isAntiCsrfEnabled()).isFalse();
    }
    assertThat(dir.resolve("hallpass.mv.db")).exists();
  }
}
