package dev.hallpass;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The engine stays sealed: only the API and the SPI are visible, the module exports just those two
 * packages, and the SPI does not depend on the API package (no package cycle).
 */
class PublicSurfaceTest {
  private static final Set<String> PUBLIC_TYPES =
      Set.of(
          "dev.hallpass.AccessTokenSigning",
          "dev.hallpass.Hallpass",
          "dev.hallpass.Hallpass$Builder",
          "dev.hallpass.HallpassException",
          "dev.hallpass.HallpassException$Type",
          "dev.hallpass.JsonWebKeySet",
          "dev.hallpass.KeyEncryptionKey",
          "dev.hallpass.Session",
          "dev.hallpass.SessionInformation",
          "dev.hallpass.SessionStores",
          "dev.hallpass.SessionTokens",
          "dev.hallpass.ClientInfo",
          "dev.hallpass.SessionSummary",
          "dev.hallpass.SessionListener",
          "dev.hallpass.SessionEvent",
          "dev.hallpass.SessionEvent$RevokeReason",
          "dev.hallpass.SessionEvent$VerificationFailure",
          "dev.hallpass.SessionEvent$Created",
          "dev.hallpass.SessionEvent$Refreshed",
          "dev.hallpass.SessionEvent$Revoked",
          "dev.hallpass.SessionEvent$VerificationFailed",
          "dev.hallpass.spi.SessionStore",
          "dev.hallpass.spi.SessionStore$RefreshRule",
          "dev.hallpass.spi.SessionStore$RefreshDecision",
          "dev.hallpass.spi.SessionRecord",
          "dev.hallpass.spi.RefreshWrite",
          "dev.hallpass.spi.RefreshWrite$Keep",
          "dev.hallpass.spi.RefreshWrite$Delete",
          "dev.hallpass.spi.RefreshWrite$Rotate",
          "dev.hallpass.spi.SigningKeyRecord",
          "dev.hallpass.spi.RevocationFeed",
          "dev.hallpass.spi.RevocationFeed$Listener",
          "dev.hallpass.spi.RevocationFeed$Subscription");

  private static Path classes() throws Exception {
    return Paths.get(Hallpass.class.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  @Test
  void publicTypes_areExactlyTheApiAndTheSpi() throws Exception {
    Path root = classes();
    Set<String> visible = new TreeSet<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
        String name = root.relativize(p).toString().replace('/', '.').replaceAll("\\.class$", "");
        if (name.equals("module-info")) {
          continue;
        }
        Class<?> c = Class.forName(name, false, getClass().getClassLoader());
        if (isVisible(c)) {
          visible.add(name);
        }
      }
    }
    assertThat(visible).isEqualTo(new TreeSet<>(PUBLIC_TYPES));
  }

  /** Public all the way out: reachable from outside the package. */
  private static boolean isVisible(Class<?> c) {
    for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
      if (!Modifier.isPublic(k.getModifiers()) || k.isAnonymousClass() || k.isLocalClass()) {
        return false;
      }
    }
    return true;
  }

  @Test
  void publicConstructors_existOnlyOnValueTypes() {
    assertThat(Hallpass.Builder.class.getConstructors()).isEmpty();
    assertThat(SessionStores.class.getConstructors()).isEmpty();
    assertThat(Engine.class.getConstructors()).isEmpty();
  }

  @Test
  void moduleInfo_exportsOnlyApiAndSpi() throws Exception {
    ModuleDescriptor d;
    try (var in = Files.newInputStream(classes().resolve("module-info.class"))) {
      d = ModuleDescriptor.read(in);
    }
    Set<String> exported = new TreeSet<>();
    d.exports()
        .forEach(
            e -> {
              assertThat(e.isQualified()).as("qualified export of " + e.source()).isFalse();
              exported.add(e.source());
            });
    assertThat(exported).containsExactly("dev.hallpass", "dev.hallpass.spi");
    assertThat(d.opens()).isEmpty();
  }

  @Test
  void spi_referencesNoTypeOfTheApiPackage() throws IOException, Exception {
    Pattern ref = Pattern.compile("dev/hallpass/([A-Za-z0-9_$]+)(?![/A-Za-z0-9_$])");
    try (Stream<Path> files = Files.list(classes().resolve("dev/hallpass/spi"))) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String bytes = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
        Matcher m = ref.matcher(bytes);
        while (m.find()) {
          throw new AssertionError(p.getFileName() + " refers to dev.hallpass." + m.group(1));
        }
      }
    }
  }
}
