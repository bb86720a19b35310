/**
 * The storage SPI: {@link dev.hallpass.spi.SessionStore} and the values it stores. Implement it to
 * keep sessions somewhere new, and run the store compatibility kit of {@code hallpass-testkit}
 * against the implementation.
 */
package dev.hallpass.spi;
