package dev.hallpass.jdbc;

import dev.hallpass.Hallpass;
import dev.hallpass.Session;
import dev.hallpass.SessionTokens;
import dev.hallpass.spi.SessionStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A scripted run of every engine operation (the failing ones too) on JDBC stores, run by {@link
 * LogSecrecyTest} in a JVM of its own with every logger at its finest level. It writes each secret
 * it saw, one per line, to the file named by its first argument; the other arguments are JDBC URLs.
 * Nothing secret is printed: the parent searches the output for the secrets.
 */
public final class LogScriptMain {
  private LogScriptMain() {}

  public static void main(String[] args) throws Exception {
    List<String> secrets = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      run(JdbcSessionStores.builder().jdbcUrl(args[i]).build(), secrets, i);
    }
    Files.write(Path.of(args[0]), secrets, StandardCharsets.UTF_8);
  }

  private static void run(SessionStore store, List<String> secrets, int n) {
    try (Hallpass h =
        Hallpass.builder()
            .store(store)
            .antiCsrf(true)
            .accessTokenBlacklisting(true)
            .disableBackgroundCleanup()
            .build()) {
      String data = "session-data-marker-" + n + "-c0ffee";
      secrets.add(data);
      Session s = h.createNewSession("alice", Map.of("role", "reader"), Map.of("secret", data));
      collect(s, secrets);
      Session v = h.getSession(s.getAccessToken(), s.getTokens().getAntiCsrfToken(), true, true);
      v.updateSessionData(Map.of("secret", data + "-2"));
      secrets.add(data + "-2");
      v.getSessionData();
      Session r =
          h.refreshSession(s.getTokens().getRefreshToken(), s.getTokens().getAntiCsrfToken());
      collect(r, secrets);
      collect(h.getSession(r.getAccessToken(), r.getTokens().getAntiCsrfToken(), true), secrets);
      Session r2 =
          h.refreshSession(r.getTokens().getRefreshToken(), r.getTokens().getAntiCsrfToken());
      collect(r2, secrets);
      secrets.add(h.createJWT(Map.of("scope", "jobs"), Duration.ofMinutes(1)));
      fail(() -> h.getSession(r2.getAccessToken(), "wrong-anti-csrf-value", true));
      fail(() -> h.refreshSession(r2.getTokens().getRefreshToken(), "wrong"));
      // theft: the first token, long replaced, revokes the session
      fail(
          () ->
              h.refreshSession(s.getTokens().getRefreshToken(), s.getTokens().getAntiCsrfToken()));
      fail(() -> h.getSessionData(s.getHandle()));
      h.revokeAllSessionsForUser("alice");
      h.cleanUp();
    }
  }

  private static void collect(Session s, List<String> secrets) {
    SessionTokens t = s.getTokens();
    secrets.add(t.getAccessToken());
    secrets.add(t.getAccessToken().substring(t.getAccessToken().lastIndexOf('.') + 1));
    if (t.getRefreshToken() != null) {
      secrets.add(t.getRefreshToken());
      secrets.add(sha256Hex(t.getRefreshToken())); // what the store keeps
    }
    if (t.getAntiCsrfToken() != null) {
      secrets.add(t.getAntiCsrfToken());
    }
  }

  private static String sha256Hex(String s) {
    try {
      return java.util.HexFormat.of()
          .formatHex(
              java.security.MessageDigest.getInstance("SHA-256")
                  .digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void fail(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      // messages and stack traces go to the log output the parent searches
      System.out.println("expected failure: " + e);
      return;
    }
    throw new AssertionError("expected a failure");
  }
}
