package dev.hallpass.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The module shows one entry point: the builder of Redis stores; the store itself is hidden. */
class RedisPublicSurfaceTest {

  @Test
  void publicTypes_areOnlyRedisSessionStoresAndItsBuilder() throws Exception {
    Path root =
        Paths.get(
            RedisSessionStores.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Set<String> visible = new TreeSet<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
        String name = root.relativize(p).toString().replace('/', '.').replaceAll("\\.class$", "");
        if (name.equals("module-info")) {
          continue;
        }
        Class<?> c = Class.forName(name, false, getClass().getClassLoader());
        boolean isPublic = Modifier.isPublic(c.getModifiers());
        for (Class<?> outer = c.getDeclaringClass();
            outer != null;
            outer = outer.getDeclaringClass()) {
          isPublic &= Modifier.isPublic(outer.getModifiers());
        }
        if (isPublic) {
          visible.add(name);
        }
      }
    }

    assertThat(visible)
        .containsExactlyInAnyOrder(
            "dev.hallpass.redis.RedisSessionStores",
            "dev.hallpass.redis.RedisSessionStores$Builder");
    assertThat(RedisSessionStores.class.getModule().getDescriptor().exports())
        .extracting(e -> e.source())
        .containsExactly("dev.hallpass.redis");
  }
}
