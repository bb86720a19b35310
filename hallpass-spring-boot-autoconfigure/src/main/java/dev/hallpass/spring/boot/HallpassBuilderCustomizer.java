package dev.hallpass.spring.boot;

import dev.hallpass.Hallpass;

/**
 * Changes the auto-configured engine's builder after the {@code hallpass.*} properties are applied
 * and before it is built: for settings that are not properties (a {@code Clock}, a {@code
 * SecureRandom}, the clean-up sweep). Declare one or more as beans; they run in {@code @Order}.
 */
@FunctionalInterface
public interface HallpassBuilderCustomizer {

  /** Adjusts the builder; the auto-configuration then calls {@code build()}. */
  void customize(Hallpass.Builder builder);
}
