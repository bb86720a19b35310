package dev.hallpass.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The module's public types are exactly these: what applications use (properties, customizers, the
 * annotation, the Spring Security configurer and its principal) and the auto-configuration classes
 * Spring Boot loads by name. Everything else stays package-private.
 */
class PublicSurfaceTest {

  private static final List<String> ALLOWED =
      List.of(
          "HallpassAutoConfiguration",
          "HallpassBuilderCustomizer",
          "HallpassHealthAutoConfiguration",
          "HallpassMetricsAutoConfiguration",
          "HallpassPrincipal",
          "HallpassProperties",
          "HallpassProperties$Cookie",
          "HallpassProperties$Cors",
          "HallpassProperties$Jdbc",
          "HallpassProperties$KeyEncryption",
          "HallpassProperties$Redis",
          "HallpassProperties$Security",
          "HallpassProperties$Store",
          "HallpassSecurity",
          "HallpassSession",
          "HallpassWebAutoConfiguration",
          "HallpassWebBuilderCustomizer");

  @Test
  void onlyTheAllowedTypesArePublic() throws Exception {
    Path classes =
        Path.of(
                HallpassProperties.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI())
            .resolve("dev/hallpass/spring/boot");
    TreeSet<String> publicTypes = new TreeSet<>();
    try (Stream<Path> files = Files.list(classes)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String name = f.getFileName().toString();
        if (!name.endsWith(".class") || name.equals("package-info.class")) {
          continue;
        }
        String simple = name.substring(0, name.length() - ".class".length());
        Class<?> type =
            Class.forName(
                "dev.hallpass.spring.boot." + simple,
                false,
                PublicSurfaceTest.class.getClassLoader());
        if (Modifier.isPublic(type.getModifiers()) && !type.isAnonymousClass()) {
          publicTypes.add(simple);
        }
      }
    }
    assertThat(publicTypes).containsExactlyInAnyOrderElementsOf(ALLOWED);
  }
}
