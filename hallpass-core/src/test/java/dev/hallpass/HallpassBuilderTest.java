package dev.hallpass;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.function.UnaryOperator;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class HallpassBuilderTest {

  private static Hallpass.Builder builder() {
    return Hallpass.builder().store(SessionStores.inMemory());
  }

  private static void setterRejects(ThrowingCallable setter, String option) {
    assertThatThrownBy(setter)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(option);
  }

  private static void buildRejects(UnaryOperator<Hallpass.Builder> settings, String... options) {
    Hallpass.Builder b = settings.apply(builder());
    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContainingAll(options);
  }

  @Test
  void build_withoutStore_namesTheOption() {
    assertThatThrownBy(() -> Hallpass.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("store");
  }

  @Test
  void setters_withInvalidValues_throwAtOnceNamingTheOption() {
    setterRejects(() -> builder().accessTokenValidity(Duration.ZERO), "accessTokenValidity");
    setterRejects(
        () -> builder().accessTokenValidity(Duration.ofMillis(1500)), "accessTokenValidity");
    setterRejects(
        () -> builder().refreshTokenValidity(Duration.ofMillis(-1)), "refreshTokenValidity");
    setterRejects(
        () -> builder().signingKeyRotationInterval(Duration.ofSeconds(5)),
        "signingKeyRotationInterval");
    setterRejects(() -> builder().refreshGracePeriod(Duration.ofSeconds(-1)), "refreshGracePeriod");
    setterRejects(() -> builder().cleanupInterval(Duration.ofMillis(10)), "cleanupInterval");
    setterRejects(() -> builder().verifiedTokenCacheSize(-1), "verifiedTokenCacheSize");
    setterRejects(() -> builder().verifiedTokenCacheSize((1 << 24) + 1), "verifiedTokenCacheSize");
    setterRejects(() -> builder().cleanupBatchSize(0), "cleanupBatchSize");
    assertThatThrownBy(() -> builder().store(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("store");
    assertThatThrownBy(() -> builder().clock(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("clock");
  }

  @Test
  void build_withConflictingSettings_namesBothOptions() {
    buildRejects(
        b -> b.refreshTokenValidity(Duration.ofMinutes(30)),
        "refreshTokenValidity",
        "accessTokenValidity");
    buildRejects(
        b ->
            b.accessTokenValidity(Duration.ofSeconds(10))
                .refreshGracePeriod(Duration.ofSeconds(11)),
        "refreshGracePeriod",
        "accessTokenValidity");
  }

  @Test
  void build_withShortAccessTokensAndDefaultGrace_succeeds() {
    try (Hallpass h = builder().accessTokenValidity(Duration.ofSeconds(3)).build()) {
      assertThat(h.createNewSession("alice", null, null).getAccessTokenExpiry()).isNotNull();
    }
  }

  @Test
  void build_withDefaults_hasAntiCsrfOffAndPublishesTwoKeys() {
    try (Hallpass h = builder().build()) {
      assertThat(h.isAntiCsrfEnabled()).isFalse();
      assertThat(h.createNewSession("alice", null, null).getTokens().getAntiCsrfToken()).isNull();
      assertThat(h.getJwks().getKeyIds()).hasSize(2);
    }
  }
}
