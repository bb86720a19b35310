package dev.hallpass.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadOptionsTest {

  @Test
  void flags_setTheRun() {
    LoadOptions o =
        LoadOptions.parse(
            "--target",
            "demo",
            "--duration",
            "90s",
            "--warmup",
            "10s",
            "--browsers",
            "50",
            "--access-token-validity",
            "5s",
            "--think-time",
            "250ms");

    assertThat(o.targets()).containsExactly("demo");
    assertThat(o.duration()).isEqualTo(Duration.ofSeconds(90));
    assertThat(o.warmup()).isEqualTo(Duration.ofSeconds(10));
    assertThat(o.browsers()).isEqualTo(50);
    assertThat(o.grace()).isEqualTo(Duration.ofSeconds(5));
    assertThat(o.thinkTime()).isEqualTo(Duration.ofMillis(250));
    assertThat(LoadOptions.parse().targets()).isEqualTo(List.of("server", "demo"));
  }

  @Test
  void unboundedOrBadValues_areRefusedNamingTheFlag() {
    assertThatThrownBy(() -> LoadOptions.parse("--duration", "2h"))
        .hasMessageContaining("--duration");
    assertThatThrownBy(() -> LoadOptions.parse("--duration", "50m", "--warmup", "11m"))
        .hasMessageContaining("--warmup");
    assertThatThrownBy(() -> LoadOptions.parse("--browsers", "0"))
        .hasMessageContaining("--browsers");
    assertThatThrownBy(() -> LoadOptions.parse("--target", "all")).hasMessageContaining("--target");
    assertThatThrownBy(() -> LoadOptions.parse("--schema", "x; DROP TABLE y"))
        .hasMessageContaining("--schema");
    assertThatThrownBy(() -> LoadOptions.parse("--postgres-url", "postgres://u:secret@h/db"))
        .hasMessageContaining("--postgres-url")
        .hasMessageNotContaining("secret");
  }
}
