package dev.hallpass.testkit;

import dev.hallpass.SessionStores;
import dev.hallpass.spi.SessionStore;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.util.Set;

/**
 * The SPI's default implementations (the per-tenant listing and deletion, the listing with client
 * metadata) against the store compatibility kit: a store that implements only the abstract methods,
 * as one written before those existed does, still passes. The in-memory store serves everything
 * else, including the optional capabilities whose defaults only refuse (key replacement, the
 * revocation feed).
 */
class SpiDefaultMethodsCompatibilityTest extends SessionStoreCompatibilityKit {
  private static final Set<String> DEFAULT_IMPLEMENTATIONS =
      Set.of("deleteSessionsOfUser", "findLiveHandlesOfUser", "findLiveSessionsOfUser");

  @Override
  protected SessionStore newStore(Clock storeClock) {
    SessionStore delegate = SessionStores.inMemory(storeClock);
    InvocationHandler handler =
        (proxy, method, args) -> {
          if (method.isDefault() && DEFAULT_IMPLEMENTATIONS.contains(method.getName())) {
            return InvocationHandler.invokeDefault(proxy, method, args);
          }
          try {
            return method.invoke(delegate, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        };
    return (SessionStore)
        Proxy.newProxyInstance(
            SessionStore.class.getClassLoader(), new Class<?>[] {SessionStore.class}, handler);
  }
}
