package dev.hallpass.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Which database MultiProcessServerIT uses, so that parallel engineers do not share one. */
class MultiProcessDatabaseNameTest {
  @Test
  void serverDatabase_derivesFromThePostgresUrlsDatabase_orTheOverride() {
    assertThat(
            MultiProcessServerIT.serverDatabase(
                "jdbc:postgresql://127.0.0.1:5432/hp_cdi?user=postgres", null))
        .isEqualTo("hp_cdi_server");
    assertThat(MultiProcessServerIT.serverDatabase("jdbc:postgresql://db/hp_x", " "))
        .isEqualTo("hp_x_server");
    assertThat(MultiProcessServerIT.serverDatabase("jdbc:postgresql://db/hp_x", "mine"))
        .isEqualTo("mine");
    assertThat(MultiProcessServerIT.serverDatabase(null, null)).isEqualTo("hallpass_server");
  }

  @Test
  void serverDatabase_refusesNamesUnfitForCreateDatabase() {
    assertThatThrownBy(() -> MultiProcessServerIT.serverDatabase(null, "x; DROP DATABASE y"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> MultiProcessServerIT.serverDatabase("jdbc:postgresql://db/Hp-X?user=u", null))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
