package dev.hallpass.server;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URLDecoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes credentials from text that may echo a JDBC URL or a configured secret: a driver's or the
 * pool's message, an exception surfaced to the command line, a log line.
 *
 * <p>Two passes. By shape: the user info of any URL ({@code //bob:pw@host} becomes {@code
 * //***@host}) and the value of any user or password parameter ({@code ?password=pw}, {@code
 * &user=bob}, H2's {@code ;PASSWORD=pw}, {@code sslpassword=}, {@code trustStorePassword=}). By
 * value: the passwords of the configured URL and the other configured secrets (the database
 * password, the API keys) wherever they appear, since a driver may quote a fragment of the URL that
 * has no URL shape left (MariaDB: {@code Incorrect port value : pw@127.0.0.1}).
 */
final class Redactor {
  static final String MASK = "***";

  /** The user info of a URL, up to its {@code @}: {@code //bob:pw@}. */
  private static final Pattern USER_INFO = Pattern.compile("(?<=//)[^/?#@\\s]+@");

  /** A user or password parameter and its value, in query ({@code &}) or H2 ({@code ;}) form. */
  private static final Pattern CREDENTIAL_PARAMETER =
      Pattern.compile(
          "(?i)(?<![a-z0-9_.-])((?:[a-z0-9_.-]*(?:password|passwd|pwd)|user|username)\\s*=\\s*)"
              + "([^&;)\\s'\"]*)");

  /** Secrets shorter than this are replaced only where they stand alone, not inside words. */
  private static final int SHORT_SECRET = 4;

  private final List<Pattern> secrets = new ArrayList<>();

  /**
   * @param jdbcUrl the configured database URL, or null: its passwords are secrets
   * @param otherSecrets further values never to show (null and empty ones are ignored)
   */
  Redactor(String jdbcUrl, Collection<String> otherSecrets) {
    Set<String> values = new LinkedHashSet<>(passwordsIn(jdbcUrl));
    for (String s : otherSecrets) {
      if (s != null && !s.isEmpty()) {
        values.add(s);
      }
    }
    // Longest first, so that a secret containing another is replaced whole.
    values.stream()
        .sorted(Comparator.comparingInt(String::length).reversed())
        .forEach(
            s ->
                secrets.add(
                    Pattern.compile(
                        s.length() >= SHORT_SECRET
                            ? Pattern.quote(s)
                            : "(?<![A-Za-z0-9])" + Pattern.quote(s) + "(?![A-Za-z0-9])")));
  }

  /** {@code text} without credentials; null stays null. */
  String scrub(String text) {
    if (text == null) {
      return null;
    }
    String t = USER_INFO.matcher(text).replaceAll(MASK + "@");
    t = CREDENTIAL_PARAMETER.matcher(t).replaceAll("$1" + Matcher.quoteReplacement(MASK));
    for (Pattern p : secrets) {
      t = p.matcher(t).replaceAll(MASK);
    }
    return t;
  }

  /** The passwords a JDBC URL carries, as written and percent-decoded. */
  private static Set<String> passwordsIn(String url) {
    Set<String> found = new LinkedHashSet<>();
    if (url == null) {
      return found;
    }
    Matcher userInfo = USER_INFO.matcher(url);
    while (userInfo.find()) {
      String info = userInfo.group();
      int colon = info.indexOf(':');
      if (colon >= 0) {
        found.add(info.substring(colon + 1, info.length() - 1));
      }
    }
    Matcher parameter = CREDENTIAL_PARAMETER.matcher(url);
    while (parameter.find()) {
      if (!parameter.group(1).toLowerCase(Locale.ROOT).startsWith("user")) {
        found.add(parameter.group(2));
      }
    }
    Set<String> all = new LinkedHashSet<>();
    for (String s : found) {
      if (!s.isEmpty()) {
        all.add(s);
        try {
          all.add(URLDecoder.decode(s, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
          // not percent-encoded after all: the raw value is enough
        }
      }
    }
    return all;
  }

  /**
   * A print stream that writes {@code out}'s lines scrubbed: every log line and message the process
   * prints goes through it, whichever library wrote it. A line is written once complete (or when it
   * grows past 64 KB, or the stream closes).
   */
  PrintStream scrubbing(PrintStream out) {
    // The platform's charset both ways: what the JDK's own System.out and System.err use when
    // they are not a console (services, pipes).
    Charset charset = Charset.defaultCharset();
    return new PrintStream(new LineScrubber(out, charset), true, charset);
  }

  private final class LineScrubber extends FilterOutputStream {
    private static final int MAX_LINE = 64 * 1024;
    private final Charset charset;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    LineScrubber(OutputStream out, Charset charset) {
      super(out);
      this.charset = charset;
    }

    @Override
    public synchronized void write(int b) throws IOException {
      line.write(b);
      if (b == '\n' || line.size() >= MAX_LINE) {
        emit();
      }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
      int start = off;
      for (int i = off; i < off + len; i++) {
        if (b[i] == '\n' || line.size() + (i + 1 - start) >= MAX_LINE) {
          line.write(b, start, i + 1 - start);
          emit();
          start = i + 1;
        }
      }
      line.write(b, start, off + len - start);
    }

    /** Keeps a partial line (a secret may be split across writes); complete lines are out. */
    @Override
    public synchronized void flush() throws IOException {
      out.flush();
    }

    @Override
    public synchronized void close() throws IOException {
      emit();
      super.close();
    }

    private void emit() throws IOException {
      if (line.size() > 0) {
        out.write(scrub(line.toString(charset)).getBytes(charset));
        line.reset();
        out.flush();
      }
    }
  }
}
