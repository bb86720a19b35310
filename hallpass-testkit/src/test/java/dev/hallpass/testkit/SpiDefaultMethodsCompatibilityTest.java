package dev.hallpass.testkit;

import dev.hallpass.SessionStores;
import dev.hallpass.spi.SessionStore;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;

/**
 * The SPI's default methods (the per-tenant listing and deletion) against the store compatibility
 * kit: a store that implements only the abstract methods, as one written before tenants were scoped
 * does, still passes. The in-memory store serves the abstract methods.
 */
class SpiDefaultMethodsCompatibilityTest extends SessionStoreCompatibilityKit {
  @Override
  protected SessionStore newStore(Clock storeClock) {
    SessionStore delegate = SessionStores.inMemory(storeClock);
    InvocationHandler handler =
        (proxy, method, args) -> {
          if (method.isDefault()) {
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
