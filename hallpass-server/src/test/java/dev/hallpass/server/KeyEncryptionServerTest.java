package dev.hallpass.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hallpass.KeyEncryptionKey;
import dev.hallpass.spi.SessionStore;
import dev.hallpass.spi.SigningKeyRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server's key-encryption options: the file, the environment variable, and bad values. */
class KeyEncryptionServerTest {
  @TempDir Path dir;

  private static String newKeyText() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return Base64.getEncoder().encodeToString(b);
  }

  private Path keyFile(String name, String text) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, text + "\n", StandardCharsets.US_ASCII);
    return f;
  }

  @Test
  void server_withKeyEncryptionKeyFile_startsAndStoresOnlyEncryptedKeys() throws Exception {
    String text = newKeyText();
    String kekId = KeyEncryptionKey.fromBase64(text).id();
    AtomicReference<SessionStore> store = new AtomicReference<>();
    try (TestServer t =
        new TestServer(
            s -> {
              store.set(s);
              return s;
            },
            "--key-encryption-key-file",
            keyFile("kek", text).toString())) {
      JsonNode n = t.createSession("alice", "{}", "{}");
      String handle = n.get("session").get("handle").asText();
      t.clock.advance(Duration.ofMinutes(1));
      JsonNode r =
          t.refresh(n.get("refreshToken").get("token").asText(), n.get("antiCsrfToken").asText());
      assertThat(r.get("status").asText()).isEqualTo("OK");
      JsonNode v =
          t.verify(
              r.get("accessToken").get("token").asText(), r.get("antiCsrfToken").asText(), true);
      assertThat(v.get("status").asText()).as(v.toString()).isEqualTo("OK");

      assertThat(store.get().findSession(handle).orElseThrow().refreshKey())
          .startsWith("hpkek1:" + kekId + ":");
      List<SigningKeyRecord> keys = store.get().loadSigningKeys();
      assertThat(keys).isNotEmpty();
      for (SigningKeyRecord k : keys) {
        assertThat(k.privateKeyPkcs8()).startsWith("hpkek1:" + kekId + ":");
      }
    }
  }

  @Test
  void keyEncryptionKeyFile_thatIsNotAKey_isAUsageErrorNamingTheFileButNotItsContent()
      throws Exception {
    Path f = keyFile("short", "c2hvcnQ=");
    Cli.Outcome o = Cli.parse("--in-memory-store", "--key-encryption-key-file", f.toString());
    assertThat(o).isInstanceOf(Cli.Exit.class);
    Cli.Exit e = (Cli.Exit) o;
    assertThat(e.code()).isEqualTo(2);
    assertThat(e.text()).contains("file " + f).contains("32 bytes").doesNotContain("c2hvcnQ=");

    Path missing = dir.resolve("missing");
    Cli.Exit m =
        (Cli.Exit) Cli.parse("--in-memory-store", "--key-encryption-key-file", missing.toString());
    assertThat(m.text()).contains("file " + missing).contains("cannot be read");
  }

  @Test
  void oldKeyFiles_withoutACurrentKey_isAUsageError() throws Exception {
    Path old = keyFile("old", newKeyText());
    Cli.Exit e =
        (Cli.Exit) Cli.parse("--in-memory-store", "--old-key-encryption-key-files", old.toString());
    assertThat(e.code()).isEqualTo(2);
    assertThat(e.text()).contains("--old-key-encryption-key-files needs");
  }

  @Test
  void sameKeyAsCurrentAndOld_isAUsageErrorNamingTheOption() throws Exception {
    Path f = keyFile("kek", newKeyText());
    Cli.Exit e =
        (Cli.Exit)
            Cli.parse(
                "--in-memory-store",
                "--key-encryption-key-file",
                f.toString(),
                "--old-key-encryption-key-files",
                f.toString());
    assertThat(e.code()).isEqualTo(2);
    assertThat(e.text()).contains("given twice").contains("--key-encryption-key-file");
  }

  @Test
  void currentAndOldKeyFiles_configureTheEngine() throws Exception {
    String current = newKeyText();
    String old = newKeyText();
    Cli.Run run =
        (Cli.Run)
            Cli.parse(
                "--in-memory-store",
                "--key-encryption-key-file",
                keyFile("current", current).toString(),
                "--old-key-encryption-key-files",
                keyFile("old", old).toString());
    assertThat(run.config().keyEncryptionKeys())
        .containsExactly(KeyEncryptionKey.fromBase64(current), KeyEncryptionKey.fromBase64(old));
    assertThat(run.config().toString())
        .contains("keyEncryption=kek ids")
        .doesNotContain(current)
        .doesNotContain(old);
  }

  @Test
  void command_withTheKeyInTheEnvironment_starts_andNeverPrintsIt() throws Exception {
    String text = newKeyText();
    Ran r = main(text, true);
    assertThat(r.exitCode()).as("exit code; output:%n%s", r.output()).isZero();
    assertThat(r.output()).contains("listening on").doesNotContain(text);
  }

  @Test
  void command_withABadKeyInTheEnvironment_exits2_namingTheVariableButNotTheValue()
      throws Exception {
    Ran r = main("c2hvcnQ=", false);
    assertThat(r.exitCode()).as("exit code; output:%n%s", r.output()).isEqualTo(2);
    assertThat(r.output())
        .contains("environment variable " + Cli.KEY_ENCRYPTION_KEY_ENV)
        .doesNotContain("c2hvcnQ=");
  }

  private record Ran(int exitCode, String output) {}

  /**
   * Runs {@link Main} in a new JVM (in-memory store, debug logging) with the key in the
   * environment; when {@code untilListening}, stops it with SIGTERM once it listens.
   */
  private static Ran main(String keyText, boolean untilListening) throws Exception {
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-cp",
            System.getProperty("java.class.path"),
            Main.class.getName(),
            "--port",
            "0",
            "--in-memory-store",
            "--log-level",
            "debug");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put(Cli.KEY_ENCRYPTION_KEY_ENV, keyText);
    Process p = pb.start();
    p.getOutputStream().close();
    StringBuffer out = new StringBuffer();
    CompletableFuture<Void> listening = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  out.append(line).append('\n');
                  if (line.contains("listening on")) {
                    listening.complete(null);
                  }
                }
              } catch (IOException e) {
                out.append("(output unreadable)\n");
              }
            });
    reader.start();
    try {
      CompletableFuture.anyOf(listening, p.onExit()).get(60, TimeUnit.SECONDS);
      if (untilListening && listening.isDone()) {
        p.toHandle().destroy(); // SIGTERM: a graceful stop
      }
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("exited; output:%n%s", out).isTrue();
      reader.join(5_000);
      return new Ran(p.exitValue(), out.toString());
    } finally {
      if (p.isAlive()) {
        p.destroyForcibly();
      }
    }
  }
}
