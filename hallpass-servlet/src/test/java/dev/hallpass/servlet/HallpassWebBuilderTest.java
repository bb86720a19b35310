package dev.hallpass.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallpass.Hallpass;
import dev.hallpass.SessionStores;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HallpassWebBuilderTest {
  private static Hallpass withCsrf;
  private static Hallpass withoutCsrf;

  @BeforeAll
  static void engines() {
    withCsrf =
        Hallpass.builder()
            .store(SessionStores.inMemory())
            .antiCsrf(true)
            .disableBackgroundCleanup()
            .build();
    withoutCsrf =
        Hallpass.builder().store(SessionStores.inMemory()).disableBackgroundCleanup().build();
  }

  @AfterAll
  static void close() {
    withCsrf.close();
    withoutCsrf.close();
  }

  @Test
  void defaults_areAuthBasePath401AndNoAntiCsrfWithLax() {
    HallpassWeb web = HallpassWeb.builder(withoutCsrf).build();

    assertThat(web.apiBasePath()).isEqualTo("/auth");
    assertThat(web.sessionExpiredStatusCode()).isEqualTo(401);
    assertThat(web.antiCsrfMode()).isEqualTo(AntiCsrfMode.NONE);
    assertThat(web.engine()).isSameAs(withoutCsrf);
  }

  @Test
  void engineWithAntiCsrfTokens_defaultsToViaToken_whateverTheSameSite() {
    for (SameSite sameSite : SameSite.values()) {
      assertThat(HallpassWeb.builder(withCsrf).cookieSameSite(sameSite).build().antiCsrfMode())
          .as("SameSite %s", sameSite)
          .isEqualTo(AntiCsrfMode.VIA_TOKEN);
    }
    assertThat(
            HallpassWeb.builder(withCsrf).antiCsrf(AntiCsrfMode.VIA_TOKEN).build().antiCsrfMode())
        .isEqualTo(AntiCsrfMode.VIA_TOKEN);
  }

  @Test
  void engineWithoutAntiCsrfTokens_defaultsFromSameSite() {
    assertThat(
            HallpassWeb.builder(withoutCsrf).cookieSameSite(SameSite.NONE).build().antiCsrfMode())
        .isEqualTo(AntiCsrfMode.VIA_CUSTOM_HEADER);
    assertThat(
            HallpassWeb.builder(withoutCsrf).cookieSameSite(SameSite.STRICT).build().antiCsrfMode())
        .isEqualTo(AntiCsrfMode.NONE);
    assertThat(
            HallpassWeb.builder(withoutCsrf)
                .antiCsrf(AntiCsrfMode.VIA_CUSTOM_HEADER)
                .build()
                .antiCsrfMode())
        .isEqualTo(AntiCsrfMode.VIA_CUSTOM_HEADER);
  }

  @Test
  void viaToken_withAnEngineWithoutAntiCsrfTokens_isRefusedNamingBothOptions() {
    assertThatThrownBy(
            () -> HallpassWeb.builder(withoutCsrf).antiCsrf(AntiCsrfMode.VIA_TOKEN).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("antiCsrf(VIA_TOKEN)")
        .hasMessageContaining("Hallpass.builder().antiCsrf(true)");
  }

  @Test
  void engineWithAntiCsrfTokens_withNoneOrCustomHeader_isRefusedNamingBothOptions() {
    for (AntiCsrfMode mode :
        new AntiCsrfMode[] {AntiCsrfMode.NONE, AntiCsrfMode.VIA_CUSTOM_HEADER}) {
      assertThatThrownBy(() -> HallpassWeb.builder(withCsrf).antiCsrf(mode).build())
          .as("%s", mode)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("antiCsrf(" + mode + ")")
          .hasMessageContaining("Hallpass.builder().antiCsrf(true)");
    }
  }

  @Test
  void sameSiteNoneWithoutSecure_isRefused() {
    assertThatThrownBy(
            () ->
                HallpassWeb.builder(withoutCsrf)
                    .cookieSameSite(SameSite.NONE)
                    .allowInsecureCookies()
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cookieSameSite(NONE)")
        .hasMessageContaining("allowInsecureCookies");
  }

  @Test
  void noAntiCsrfWithSameSiteNone_isRefused() {
    assertThatThrownBy(
            () ->
                HallpassWeb.builder(withoutCsrf)
                    .cookieSameSite(SameSite.NONE)
                    .antiCsrf(AntiCsrfMode.NONE)
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("antiCsrf(NONE)")
        .hasMessageContaining("cookieSameSite(NONE)");
  }

  @Test
  void headerOnlyTransport_needsNoCookieSafeguards() {
    HallpassWeb web =
        HallpassWeb.builder(withoutCsrf)
            .tokenTransfer(TokenTransfer.HEADER)
            .cookieSameSite(SameSite.NONE)
            .allowInsecureCookies()
            .antiCsrf(AntiCsrfMode.NONE)
            .build();

    assertThat(web.antiCsrfMode()).isEqualTo(AntiCsrfMode.NONE);
  }

  @Test
  void sessionExpiredStatusCode_mustBeA4xxOtherThan403() {
    for (int bad : new int[] {200, 302, 399, 403, 500}) {
      assertThatThrownBy(() -> HallpassWeb.builder(withoutCsrf).sessionExpiredStatusCode(bad))
          .as("status %d", bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("sessionExpiredStatusCode");
    }
    assertThat(
            HallpassWeb.builder(withoutCsrf)
                .sessionExpiredStatusCode(440)
                .build()
                .sessionExpiredStatusCode())
        .isEqualTo(440);
  }

  @Test
  void apiBasePath_isNormalisedAndValidatedBySetter() {
    assertThat(HallpassWeb.builder(withoutCsrf).apiBasePath("/api/auth/").build().apiBasePath())
        .isEqualTo("/api/auth");
    assertThat(HallpassWeb.builder(withoutCsrf).apiBasePath("/").build().apiBasePath()).isEmpty();
    for (String bad : new String[] {"auth", "/a//b", "/a b", "/a;b", "/a?b"}) {
      assertThatThrownBy(() -> HallpassWeb.builder(withoutCsrf).apiBasePath(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("apiBasePath");
    }
  }

  @Test
  void cookieDomain_mustBeAHostName() {
    for (String bad : new String[] {"a;b", "exa mple.com", "", "-a.com", "a..com"}) {
      assertThatThrownBy(() -> HallpassWeb.builder(withoutCsrf).cookieDomain(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("cookieDomain");
    }
  }

  @Test
  void nullSettings_areRefusedNamingTheOption() {
    HallpassWeb.Builder b = HallpassWeb.builder(withoutCsrf);
    assertThatThrownBy(() -> b.antiCsrf(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("antiCsrf");
    assertThatThrownBy(() -> b.apiBasePath(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("apiBasePath");
    assertThatThrownBy(() -> b.cookieSameSite(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("cookieSameSite");
  }

  @Test
  void olderCookieDomain_mustBeAHostName() {
    for (String bad :
        new String[] {"a;b", "exa mple.com", "", "-a.com", "a..com", ".x.com; Path=/"}) {
      assertThatThrownBy(() -> HallpassWeb.builder(withoutCsrf).olderCookieDomain(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("olderCookieDomain");
    }
    assertThatThrownBy(() -> HallpassWeb.builder(withoutCsrf).olderCookieDomain(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("olderCookieDomain");
  }

  @Test
  void olderCookieDomain_equalToCookieDomain_isRefusedNamingBoth() {
    String[][] same = {
      {".example.com", ".example.com"},
      {"example.com", ".Example.COM"},
      {".example.com", "example.com"}
    };
    for (String[] pair : same) {
      assertThatThrownBy(
              () ->
                  HallpassWeb.builder(withoutCsrf)
                      .cookieDomain(pair[0])
                      .olderCookieDomain(pair[1])
                      .build())
          .as("%s / %s", pair[0], pair[1])
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("olderCookieDomain(")
          .hasMessageContaining("cookieDomain(");
    }
    assertThat(
            HallpassWeb.builder(withoutCsrf)
                .cookieDomain("api.example.com")
                .olderCookieDomain(".example.com")
                .build())
        .isNotNull();
  }

  @Test
  void olderCookieDomain_withHeaderOnlyTransport_isRefused() {
    assertThatThrownBy(
            () ->
                HallpassWeb.builder(withoutCsrf)
                    .tokenTransfer(TokenTransfer.HEADER)
                    .olderCookieDomain(".example.com")
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("olderCookieDomain(")
        .hasMessageContaining("tokenTransfer(HEADER)");
  }

  @Test
  void hostPrefixedCookieNames_withInsecureCookies_isRefusedNamingBoth() {
    assertThatThrownBy(
            () ->
                HallpassWeb.builder(withoutCsrf)
                    .useHostPrefixedCookieNames()
                    .allowInsecureCookies()
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("useHostPrefixedCookieNames()")
        .hasMessageContaining("allowInsecureCookies()");
  }

  @Test
  void hostPrefixedCookieNames_withACookieDomain_isRefusedNamingBoth() {
    assertThatThrownBy(
            () ->
                HallpassWeb.builder(withoutCsrf)
                    .cookieDomain(".example.com")
                    .useHostPrefixedCookieNames()
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("useHostPrefixedCookieNames()")
        .hasMessageContaining("cookieDomain(\".example.com\")");
  }

  @Test
  void hostPrefixedCookieNames_withAnOlderCookieDomain_isRefusedNamingBoth() {
    assertThatThrownBy(
            () ->
                HallpassWeb.builder(withoutCsrf)
                    .useHostPrefixedCookieNames()
                    .olderCookieDomain(".example.com")
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("useHostPrefixedCookieNames()")
        .hasMessageContaining("olderCookieDomain(");
  }
}
