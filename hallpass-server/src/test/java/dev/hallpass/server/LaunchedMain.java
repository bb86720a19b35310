package dev.hallpass.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server command ({@link Main}) in a JVM of its own, on the test class path, with everything it
 * prints to stdout and stderr (merged, in order). Every wait is bounded; {@link #close()} kills the
 * process if it is still running.
 */
final class LaunchedMain implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+)");
  private static final long WAIT_SECONDS = 60;

  private final Process process;
  private final StringBuffer output = new StringBuffer();
  private final CompletableFuture<URI> listening = new CompletableFuture<>();
  private final Thread reader;

  /** What the process printed and how it ended. */
  record Ran(int exitCode, String output) {}

  private LaunchedMain(Process process) {
    this.process = process;
    this.reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  output.append(line).append('\n');
                  Matcher m = LISTENING.matcher(line);
                  if (m.find()) {
                    listening.complete(URI.create(m.group(1)));
                  }
                }
              } catch (IOException e) {
                output.append("(output unreadable: ").append(e.getMessage()).append(")\n");
              }
              listening.completeExceptionally(new IllegalStateException("the server exited"));
            },
            "launched-main-output");
    reader.start();
  }

  /** Starts {@code hallpass-server args...}; stdin is closed at once. */
  static LaunchedMain start(String... args) throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Xshare:auto",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    // The test's own settings must not leak in: the run is judged on the options alone.
    pb.environment().remove("HALLPASS_API_KEYS");
    pb.environment().remove("HALLPASS_DATABASE_PASSWORD");
    Process p = pb.start();
    p.getOutputStream().close();
    return new LaunchedMain(p);
  }

  /** Runs {@code hallpass-server args...} until it exits on its own (bounded). */
  static Ran runToExit(String... args) throws Exception {
    try (LaunchedMain m = start(args)) {
      return m.awaitExit();
    }
  }

  /** The URI the start-up line names; fails with the output if the process exits first. */
  URI awaitListening() throws InterruptedException, TimeoutException {
    try {
      return listening.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("the server exited before listening; output:\n" + output, e);
    }
  }

  /** Waits (bounded) for the process to exit on its own. */
  Ran awaitExit() throws InterruptedException {
    assertThat(process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS))
        .as("exited within %s s; output:%n%s", WAIT_SECONDS, output)
        .isTrue();
    reader.join(TimeUnit.SECONDS.toMillis(10));
    return new Ran(process.exitValue(), output.toString());
  }

  /** SIGTERM, then waits (bounded) for the exit. */
  Ran stop() throws InterruptedException {
    process.toHandle().destroy();
    return awaitExit();
  }

  String output() {
    return output.toString();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
