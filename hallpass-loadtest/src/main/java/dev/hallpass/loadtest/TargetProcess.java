package dev.hallpass.loadtest;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A target (the server or the demo) in its own JVM, started from its runnable jar with its output
 * in a log file; stopped with SIGTERM (then killed if it does not exit in time). Only the process
 * started here is ever stopped.
 */
final class TargetProcess implements AutoCloseable {
  static final Duration START_LIMIT = Duration.ofSeconds(90);
  private static final Duration STOP_LIMIT = Duration.ofSeconds(20);

  private final Process process;
  private final URI uri;
  private final Path log;

  private TargetProcess(Process process, URI uri, Path log) {
    this.process = process;
    this.uri = uri;
    this.log = log;
  }

  /**
   * Starts {@code command}, its output to {@code log}, and waits until a line matches {@code
   * listening} (group 1: the port).
   */
  static TargetProcess start(List<String> command, Pattern listening, Path log)
      throws IOException, InterruptedException {
    Files.createDirectories(log.toAbsolutePath().getParent());
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = System.nanoTime() + START_LIMIT.toNanos();
    try {
      while (System.nanoTime() < deadline) {
        String out = Files.readString(log, StandardCharsets.UTF_8);
        Matcher m = listening.matcher(out);
        if (m.find()) {
          return new TargetProcess(p, URI.create("http://127.0.0.1:" + m.group(1) + "/"), log);
        }
        if (!p.isAlive()) {
          throw new IOException(
              "the target exited with status " + p.exitValue() + " before listening; see " + log);
        }
        Thread.sleep(100); // polling a child's start-up, not a test's time
      }
      throw new IOException("the target did not listen within " + START_LIMIT + "; see " + log);
    } catch (IOException | InterruptedException | RuntimeException e) {
      stop(p);
      throw e;
    }
  }

  URI uri() {
    return uri;
  }

  Path log() {
    return log;
  }

  @Override
  public void close() {
    stop(process);
  }

  private static void stop(Process p) {
    p.destroy();
    try {
      if (!p.waitFor(STOP_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(STOP_LIMIT.toSeconds(), TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
