package dev.hallpass;

import dev.hallpass.spi.SessionStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/** A store that counts its session calls, so tests prove which operations touch the store. */
interface CountedStore extends SessionStore {
  /** Calls that are not about signing keys or closing. */
  Set<String> NOT_COUNTED =
      Set.of("loadSigningKeys", "insertSigningKey", "deleteSigningKeysRetiredBefore", "close");

  /** Session calls made so far. */
  int calls();

  static CountedStore wrap(SessionStore delegate) {
    AtomicInteger calls = new AtomicInteger();
    return (CountedStore)
        Proxy.newProxyInstance(
            CountedStore.class.getClassLoader(),
            new Class<?>[] {CountedStore.class},
            (proxy, method, args) -> {
              switch (method.getName()) {
                case "calls":
                  return calls.get();
                case "toString":
                  return "CountedStore{" + delegate + "}";
                case "hashCode":
                  return System.identityHashCode(proxy);
                case "equals":
                  return proxy == args[0];
                default:
                  if (!NOT_COUNTED.contains(method.getName())) {
                    calls.incrementAndGet();
                  }
                  try {
                    return method.invoke(delegate, args);
                  } catch (InvocationTargetException e) {
                    throw e.getCause();
                  }
              }
            });
  }
}
