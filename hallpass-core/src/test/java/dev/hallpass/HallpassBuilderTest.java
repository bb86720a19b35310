package dev.hallpass;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallpass.spi.SessionStore;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class HallpassBuilderTest {

  private static void rejects(UnaryOperator<Hallpass.Builder> settings, String option) {
    Hallpass.Builder b = settings.apply(Hallpass.builder().store(SessionStore.inMemory()));
    assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(option);
  }

  @Test
  void build_withoutStore_namesTheOption() {
    assertThatThrownBy(() -> Hallpass.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("store");
  }

  @Test
  void build_withInvalidDurations_namesTheOption() {
    rejects(b -> b.accessTokenValidity(Duration.ZERO), "accessTokenValidity");
    rejects(b -> b.accessTokenValidity(Duration.ofMillis(1500)), "accessTokenValidity");
    rejects(b -> b.refreshTokenValidity(Duration.ofMinutes(30)), "refreshTokenValidity");
    rejects(b -> b.signingKeyRotationInterval(Duration.ofSeconds(5)),
        "signingKeyRotationInterval");
    rejects(b -> b.refreshGracePeriod(Duration.ofSeconds(-1)), "refreshGracePeriod");
    rejects(b -> b.accessTokenValidity(Duration.ofSeconds(10))
        .refreshGracePeriod(Duration.ofSeconds(11)), "refreshGracePeriod");
    rejects(b -> b.cleanupInterval(Duration.ofMillis(10)), "cleanupInterval");
  }

  @Test
  void build_withInvalidSizes_namesTheOption() {
    rejects(b -> b.verifiedTokenCacheSize(-1), "verifiedTokenCacheSize");
    rejects(b -> b.cleanupBatchSize(0), "cleanupBatchSize");
  }

  @Test
  void build_withShortAccessTokensAndDefaultGrace_succeeds() {
    try (Hallpass h = Hallpass.builder().store(SessionStore.inMemory())
        .accessTokenValidity(Duration.ofSeconds(10)).build()) {
      assertThat(h.createNewSession("alice", null, null).getAccessTokenExpiry()).isNotNull();
    }
  }

  @Test
  void build_withDefaults_hasAntiCsrfOnAndPublishesTwoKeys() {
    try (Hallpass h = Hallpass.builder().store(SessionStore.inMemory()).build()) {
      assertThat(h.isAntiCsrfEnabled()).isTrue();
      assertThat(h.getJwks().getKeyIds()).hasSize(2);
    }
  }
}
