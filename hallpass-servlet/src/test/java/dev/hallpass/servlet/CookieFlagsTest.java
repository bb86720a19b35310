package dev.hallpass.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The raw {@code Set-Cookie} headers: flags as configured, HttpOnly on every token cookie. */
class CookieFlagsTest {
  private static final String DATE =
      "[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT";

  /**
   * Every Set-Cookie header of a sign-in, a re-issue, a refresh, a payload update and a sign-out.
   */
  private static List<String> everySetCookie(TestApp app) throws Exception {
    List<String> all = new ArrayList<>();
    TestApp.Client c = app.client();
    all.addAll(c.send("POST", "/signin?user=alice").raw.headers().allValues("Set-Cookie"));
    all.addAll(
        c.send("POST", "/auth/session/refresh", "rid", "session")
            .raw
            .headers()
            .allValues("Set-Cookie"));
    all.addAll(c.send("GET", "/api/session").raw.headers().allValues("Set-Cookie"));
    all.addAll(
        c.send("POST", "/api/payload?role=editor", "rid", "session")
            .raw
            .headers()
            .allValues("Set-Cookie"));
    all.addAll(
        c.send("POST", "/auth/signout", "rid", "session").raw.headers().allValues("Set-Cookie"));
    all.addAll(
        app.client()
            .send("GET", "/api/session", "Cookie", "sAccessToken=garbage")
            .raw
            .headers()
            .allValues("Set-Cookie"));
    return all;
  }

  @Test
  void everyTokenCookie_isHttpOnly_andCarriesTheConfiguredSecureAndSameSite() throws Exception {
    for (SameSite sameSite : SameSite.values()) {
      try (TestApp app = TestApp.start(e -> e, w -> w.cookieSameSite(sameSite))) {
        List<String> cookies = everySetCookie(app);
        // sign-in 2, refresh 2, re-issue 1, payload 1, sign-out 2, garbage cleared 2
        assertThat(cookies).as("%s", sameSite).hasSize(10);
        assertThat(cookies)
            .as("%s", sameSite)
            .allMatch(c -> c.endsWith("; HttpOnly; Secure; SameSite=" + sameSite.attribute()));
      }
    }
  }

  @Test
  void insecureCookies_dropOnlySecure_neverHttpOnly() throws Exception {
    try (TestApp app = TestApp.start(e -> e, w -> w.allowInsecureCookies())) {
      List<String> cookies = everySetCookie(app);

      assertThat(cookies).hasSize(10).allMatch(c -> c.endsWith("; HttpOnly; SameSite=Lax"));
    }
  }

  @Test
  void hostPrefixedNames_haveSecurePathRootAndNoDomain_andCarryTheSession() throws Exception {
    try (TestApp app = TestApp.start(e -> e, w -> w.useHostPrefixedCookieNames())) {
      TestApp.Client c = app.client();

      TestApp.Reply signIn = c.send("POST", "/signin?user=alice");

      assertThat(signIn.setCookie("__Host-sAccessToken"))
          .matches(
              "__Host-sAccessToken=[A-Za-z0-9_.-]+; Path=/; Expires="
                  + DATE
                  + "; Max-Age=31536000; HttpOnly; Secure; SameSite=Lax");
      assertThat(signIn.setCookie("__Host-sRefreshToken"))
          .matches(
              "__Host-sRefreshToken=[A-Za-z0-9_-]+; Path=/; Expires="
                  + DATE
                  + "; Max-Age=8640000; HttpOnly; Secure; SameSite=Lax");
      assertThat(signIn.setCookies("sAccessToken")).isEmpty();
      assertThat(c.send("GET", "/api/session").status()).isEqualTo(200);
      assertThat(c.send("POST", "/auth/session/refresh").body()).isEqualTo("{\"status\":\"OK\"}");
      assertThat(c.send("GET", "/api/session").status()).isEqualTo(200);

      TestApp.Reply out = c.send("POST", "/auth/signout");
      assertThat(out.setCookie("__Host-sAccessToken"))
          .isEqualTo(
              "__Host-sAccessToken=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; "
                  + "HttpOnly; Secure; SameSite=Lax");
      assertThat(out.setCookie("__Host-sRefreshToken"))
          .isEqualTo(
              "__Host-sRefreshToken=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; "
                  + "HttpOnly; Secure; SameSite=Lax");
      assertThat(c.jar).isEmpty();
    }
  }

  @Test
  void hostPrefixedNames_ignoreCookiesUnderThePlainNames() throws Exception {
    try (TestApp prefixed = TestApp.start(e -> e, w -> w.useHostPrefixedCookieNames())) {
      TestApp.Client c = prefixed.client();
      c.send("POST", "/signin?user=alice");
      String access = c.cookie("__Host-sAccessToken");
      String refresh = c.cookie("__Host-sRefreshToken");

      // A plain-named cookie is what a sibling sub-domain could set: it is not read.
      TestApp.Reply r =
          prefixed.client().send("GET", "/api/session", "Cookie", "sAccessToken=" + access);
      TestApp.Reply rr =
          prefixed
              .client()
              .send("POST", "/auth/session/refresh", "Cookie", "sRefreshToken=" + refresh);

      assertThat(r.status()).isEqualTo(401);
      assertThat(r.body()).isEqualTo("{\"message\":\"unauthorised\"}");
      assertThat(r.raw.headers().allValues("Set-Cookie")).as("nothing of ours to clear").isEmpty();
      assertThat(rr.status()).isEqualTo(401);
      assertThat(prefixed.engine.getAllSessionHandlesForUser("alice")).hasSize(1);
    }
  }
}
