package dev.hallpass;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallpass.spi.SessionStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A scripted run of every engine operation, the failing ones included, that collects each secret it
 * sees (tokens, refresh-token hashes, session data) and each exception message, so that a test can
 * check that none of the secrets reaches a log line or a message.
 */
final class LogScript {
  private LogScript() {}

  static void run(
      TestClock clock, SessionStore store, List<String> secrets, List<String> messages) {
    try (Hallpass h =
        Hallpass.builder()
            .store(store)
            .clock(clock)
            .antiCsrf(true)
            .accessTokenBlacklisting(true)
            .accessTokenValidity(Duration.ofMinutes(10))
            .signingKeyRotationInterval(Duration.ofDays(1))
            .disableBackgroundCleanup()
            .build()) {
      String data = "session-data-marker-7f3a91";
      secrets.add(data);
      Session s =
          h.createNewSession(
              "alice",
              Map.of("role", "reader"),
              Map.of("secret", data, "card", "4111111111111111"));
      secrets.add("4111111111111111");
      collect(s, secrets);
      Session v = h.getSession(s.getAccessToken(), s.getTokens().getAntiCsrfToken(), true, true);
      v.updateSessionData(Map.of("secret", data + "-2"));
      secrets.add(data + "-2");
      v.updateJWTPayload(Map.of("role", "writer"));
      collect(v, secrets);
      Session r =
          h.refreshSession(s.getTokens().getRefreshToken(), s.getTokens().getAntiCsrfToken());
      collect(r, secrets);
      Session confirmed = h.getSession(r.getAccessToken(), r.getTokens().getAntiCsrfToken(), true);
      collect(confirmed, secrets);
      Session r2 =
          h.refreshSession(r.getTokens().getRefreshToken(), r.getTokens().getAntiCsrfToken());
      collect(r2, secrets);
      secrets.add(h.createJWT(Map.of("scope", "jobs"), Duration.ofMinutes(1)));

      // failures: wrong anti-CSRF, tampered and malformed tokens, theft, a revoked session
      expectFailure(
          () -> h.getSession(r2.getAccessToken(), "wrong-csrf-value-123", true), messages);
      expectFailure(() -> h.getSession(r2.getAccessToken() + "x", null, false), messages);
      expectFailure(() -> h.refreshSession(r2.getTokens().getRefreshToken(), "bad"), messages);
      expectFailure(() -> h.refreshSession(r2.getTokens().getRefreshToken() + "A", null), messages);
      clock.advance(Duration.ofMinutes(11));
      expectFailure(
          () -> h.getSession(r2.getAccessToken(), r2.getTokens().getAntiCsrfToken(), true),
          messages);
      expectFailure(
          () -> h.refreshSession(s.getTokens().getRefreshToken(), s.getTokens().getAntiCsrfToken()),
          messages); // theft: revokes
      expectFailure(() -> h.getSessionData(s.getHandle()), messages);

      Session other = h.createNewSession("bob", null, Map.of("secret", data + "-3"));
      secrets.add(data + "-3");
      collect(other, secrets);
      h.revokeAllSessionsForUser("bob");
      expectFailure(
          () ->
              h.refreshSession(
                  other.getTokens().getRefreshToken(), other.getTokens().getAntiCsrfToken()),
          messages);
      clock.advance(Duration.ofDays(3)); // key rotation, retirement and the sweep
      h.cleanUp();
      Session late = h.createNewSession("carol", null, null);
      collect(late, secrets);
    }
  }

  private static void collect(Session s, List<String> secrets) {
    SessionTokens t = s.getTokens();
    secrets.add(t.getAccessToken());
    secrets.add(t.getAccessToken().substring(t.getAccessToken().lastIndexOf('.') + 1));
    if (t.getRefreshToken() != null) {
      secrets.add(t.getRefreshToken());
      secrets.add(Crypto.sha256Hex(t.getRefreshToken()));
    }
    if (t.getAntiCsrfToken() != null) {
      secrets.add(t.getAntiCsrfToken());
    }
  }

  private static void expectFailure(Runnable call, List<String> messages) {
    try {
      call.run();
    } catch (RuntimeException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        messages.add(t.toString());
      }
      return;
    }
    throw new AssertionError("expected a failure");
  }

  static void assertNoSecretIn(List<String> lines, List<String> secrets) {
    assertThat(secrets).hasSizeGreaterThan(20);
    for (String secret : secrets) {
      for (String line : lines) {
        assertThat(line).as("a log line or message").doesNotContain(secret);
      }
    }
  }
}
