/**
 * Hallpass core: the session API ({@code dev.hallpass}) and the storage SPI ({@code
 * dev.hallpass.spi}). The engine is package-private in {@code dev.hallpass}; the only way to one is
 * {@code Hallpass.builder()}.
 */
module dev.hallpass.core {
  requires com.fasterxml.jackson.databind;

  exports dev.hallpass;
  exports dev.hallpass.spi;
}
