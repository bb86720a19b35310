package dev.hallpass.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallpass.Hallpass;
import dev.hallpass.spi.SessionStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HallpassWebBuilderTest {
  private static Hallpass withCsrf;
  private static Hallpass withoutCsrf;

  @BeforeAll
  static void engines() {
    withCsrf = Hallpass.builder().store(SessionStore.inMemory()).disableBackgroundCleanup().build();
    withoutCsrf = Hallpass.builder().store(SessionStore.inMemory()).antiCsrf(false)
        .disableBackgroundCleanup().build();
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
  void sameSiteNone_defaultsToCustomHeaderAntiCsrf() {
    assertThat(HallpassWeb.builder(withCsrf).cookieSameSite(SameSite.NONE).build().antiCsrfMode())
        .isEqualTo(AntiCsrfMode.VIA_CUSTOM_HEADER);
    assertThat(HallpassWeb.builder(withCsrf).cookieSameSite(SameSite.STRICT).build().antiCsrfMode())
        .isEqualTo(AntiCsrfMode.NONE);
  }

  @Test
  void sameSiteNoneWithoutSecure_isRefused() {
    assertThatThrownBy(() -> HallpassWeb.builder(withCsrf).cookieSameSite(SameSite.NONE)
        .allowInsecureCookies().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cookieSameSite(NONE)").hasMessageContaining("allowInsecureCookies");
  }

  @Test
  void noAntiCsrfWithSameSiteNone_isRefused() {
    assertThatThrownBy(() -> HallpassWeb.builder(withCsrf).cookieSameSite(SameSite.NONE)
        .antiCsrf(AntiCsrfMode.NONE).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("antiCsrf(NONE)");
  }

  @Test
  void headerOnlyTransport_needsNoCookieSafeguards() {
    HallpassWeb web = HallpassWeb.builder(withCsrf).tokenTransfer(TokenTransfer.HEADER)
        .cookieSameSite(SameSite.NONE).allowInsecureCookies().antiCsrf(AntiCsrfMode.NONE).build();

    assertThat(web.antiCsrfMode()).isEqualTo(AntiCsrfMode.NONE);
  }

  @Test
  void viaToken_needsAnEngineWithAntiCsrfTokens() {
    assertThatThrownBy(() -> HallpassWeb.builder(withoutCsrf).antiCsrf(AntiCsrfMode.VIA_TOKEN)
        .build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("antiCsrf(true)");
    assertThat(HallpassWeb.builder(withCsrf).antiCsrf(AntiCsrfMode.VIA_TOKEN).build()
        .antiCsrfMode()).isEqualTo(AntiCsrfMode.VIA_TOKEN);
  }

  @Test
  void sessionExpiredStatusCode_mustBeA4xxOtherThan403() {
    for (int bad : new int[] {200, 302, 403, 500}) {
      assertThatThrownBy(() -> HallpassWeb.builder(withCsrf).sessionExpiredStatusCode(bad).build())
          .as("status %d", bad)
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("sessionExpiredStatusCode");
    }
    assertThat(HallpassWeb.builder(withCsrf).sessionExpiredStatusCode(440).build()
        .sessionExpiredStatusCode()).isEqualTo(440);
  }

  @Test
  void apiBasePath_isNormalisedAndValidated() {
    assertThat(HallpassWeb.builder(withCsrf).apiBasePath("/api/auth/").build().apiBasePath())
        .isEqualTo("/api/auth");
    assertThat(HallpassWeb.builder(withCsrf).apiBasePath("/").build().apiBasePath()).isEmpty();
    for (String bad : new String[] {"auth", "/a//b", "/a b", "/a;b", "/a?b"}) {
      assertThatThrownBy(() -> HallpassWeb.builder(withCsrf).apiBasePath(bad).build())
          .as(bad).isInstanceOf(IllegalStateException.class).hasMessageContaining("apiBasePath");
    }
  }

  @Test
  void cookieDomain_mustBeAHostName() {
    for (String bad : new String[] {"a;b", "exa mple.com", "", "-a.com", "a..com"}) {
      assertThatThrownBy(() -> HallpassWeb.builder(withCsrf).cookieDomain(bad).build())
          .as(bad).isInstanceOf(IllegalStateException.class).hasMessageContaining("cookieDomain");
    }
  }
}
