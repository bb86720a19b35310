package dev.hallpass.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Tokens are case-sensitive all the way: a token that differs from a valid one only in letter case
 * is not that token, also on a kept-alive connection that just carried the valid one. (Jetty 12's
 * default header cache would hand the servlet the earlier value; the README tells Jetty users to
 * turn it off with {@code HttpConfiguration.setHeaderCacheSize(-1)}, as TestApp does.)
 */
class CaseVariantTokenTest {

  /** The token with the case of its first letter swapped. */
  private static String caseVariant(String token) {
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (Character.isLetter(c)) {
        char swapped =
            Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c);
        return token.substring(0, i) + swapped + token.substring(i + 1);
      }
    }
    throw new AssertionError("no letter in the token");
  }

  @Test
  void caseVariantOfAnAccessCookie_rightAfterTheRealOne_isNotTheVictimsSession() throws Exception {
    try (TestApp app = TestApp.start()) {
      TestApp.Client victim = app.client();
      victim.send("POST", "/signin?user=alice");
      String variant = caseVariant(victim.cookie("sAccessToken"));
      // Clients of one TestApp share one HttpClient, so these requests share a connection.
      for (int i = 0; i < 5; i++) {
        assertThat(victim.send("GET", "/api/session").status()).isEqualTo(200);

        TestApp.Reply r =
            app.client().send("GET", "/api/session", "Cookie", "sAccessToken=" + variant);

        assertThat(r.status()).as("round %d", i).isEqualTo(401);
        assertThat(r.body()).doesNotContain("alice");
      }
    }
  }

  @Test
  void caseVariantOfABearerToken_rightAfterTheRealOne_isNotTheVictimsSession() throws Exception {
    try (TestApp app = TestApp.start()) {
      String access =
          app.client()
              .send("POST", "/signin?user=alice", "st-auth-mode", "header")
              .header("st-access-token");
      String variant = caseVariant(access);
      for (int i = 0; i < 5; i++) {
        assertThat(
                app.client()
                    .send("GET", "/api/session", "Authorization", "Bearer " + access)
                    .status())
            .isEqualTo(200);

        TestApp.Reply r =
            app.client().send("GET", "/api/session", "Authorization", "Bearer " + variant);

        assertThat(r.status()).as("round %d", i).isEqualTo(401);
        assertThat(r.body()).doesNotContain("alice");
      }
    }
  }
}
