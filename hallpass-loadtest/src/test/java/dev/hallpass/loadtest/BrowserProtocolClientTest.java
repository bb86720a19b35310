package dev.hallpass.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BrowserProtocolClientTest {

  @Test
  void setCookies_replaceAndRemoveTheSessionCookies_andIgnoreOthers() {
    Tokens jar = new Tokens("a0", "r0", null);

    Tokens after =
        BrowserProtocolClient.applySetCookies(
            jar,
            List.of(
                "sAccessToken=a1; Path=/; HttpOnly; SameSite=Lax",
                "sRefreshToken=r1; Path=/auth/session/refresh; HttpOnly",
                "other=x; Path=/"));
    assertThat(after.access()).isEqualTo("a1");
    assertThat(after.refresh()).isEqualTo("r1");

    Tokens cleared =
        BrowserProtocolClient.applySetCookies(
            after,
            List.of(
                "sAccessToken=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
                "sRefreshToken=\"\"; Path=/auth/session/refresh; Max-Age=0"));
    assertThat(cleared.access()).isNull();
    assertThat(cleared.refresh()).isNull();
  }

  @Test
  void theRefreshCookie_goesOnlyToTheRefreshPath() {
    Tokens jar = new Tokens("a0", "r0", null);

    assertThat(BrowserProtocolClient.cookieHeader(jar, false)).isEqualTo("sAccessToken=a0");
    assertThat(BrowserProtocolClient.cookieHeader(jar, true))
        .isEqualTo("sAccessToken=a0; sRefreshToken=r0");
  }

  @Test
  void tokens_neverShowThemselves() {
    assertThat(new Tokens("secret-a", "secret-r", "h").toString())
        .doesNotContain("secret")
        .contains("redacted");
  }
}
