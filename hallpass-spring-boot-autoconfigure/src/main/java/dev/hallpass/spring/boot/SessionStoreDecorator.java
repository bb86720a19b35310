package dev.hallpass.spring.boot;

import dev.hallpass.spi.SessionStore;

/**
 * Wraps the store the auto-configured engine uses (not the {@link SessionStore} bean itself, which
 * other beans may inject by its own type). Package-private: the metrics auto-configuration's hook.
 */
@FunctionalInterface
interface SessionStoreDecorator {
  SessionStore decorate(SessionStore store);
}
