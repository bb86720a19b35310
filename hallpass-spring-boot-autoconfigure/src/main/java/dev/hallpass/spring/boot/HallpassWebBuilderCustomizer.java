package dev.hallpass.spring.boot;

import dev.hallpass.servlet.HallpassWeb;

/**
 * Changes the auto-configured web layer's builder after the {@code hallpass.*} properties are
 * applied and before it is built (e.g. its cookie {@code Clock}). Declare one or more as beans;
 * they run in {@code @Order}.
 */
@FunctionalInterface
public interface HallpassWebBuilderCustomizer {

  /** Adjusts the builder; the auto-configuration then calls {@code build()}. */
  void customize(HallpassWeb.Builder builder);
}
