package dev.hallpass.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallpass.Hallpass;
import dev.hallpass.SessionStores;
import dev.hallpass.SessionSummary;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The client's IP address and User-Agent recorded through the web layer, over real HTTP. */
class ClientMetadataTest {
  private TestApp app;

  @AfterEach
  void stop() {
    if (app != null) {
      app.close();
    }
  }

  private TestApp.Reply signIn(TestApp.Client c, String userAgent, String forwardedFor)
      throws Exception {
    return c.send(
        "POST",
        "/signin?user=alice",
        "st-auth-mode",
        "header",
        "User-Agent",
        userAgent,
        "X-Forwarded-For",
        forwardedFor);
  }

  private TestApp.Reply refresh(TestApp.Client c, String refreshToken, String userAgent)
      throws Exception {
    return c.send(
        "POST",
        "/auth/session/refresh",
        "Authorization",
        "Bearer " + refreshToken,
        "st-auth-mode",
        "header",
        "User-Agent",
        userAgent,
        "X-Forwarded-For",
        "192.0.2.99");
  }

  @Test
  void signInAndRefresh_recordConnectionAddressAndUserAgent_ignoringForwardedForByDefault()
      throws Exception {
    app = TestApp.start(e -> e.recordClientMetadata(true), w -> w);
    TestApp.Client c = app.client();
    TestApp.Reply in = signIn(c, "TestBrowser/1 (laptop)", "198.51.100.9");
    app.clock.advance(java.time.Duration.ofMinutes(1));
    assertThat(refresh(c, in.header("st-refresh-token"), "TestBrowser/2 (laptop)").status())
        .isEqualTo(200);

    List<SessionSummary> list = app.engine.getAllSessionsForUser("alice");

    assertThat(list).hasSize(1);
    SessionSummary s = list.get(0);
    assertThat(s.createdIp()).isEqualTo("127.0.0.1");
    assertThat(s.createdUserAgent()).isEqualTo("TestBrowser/1 (laptop)");
    assertThat(s.lastIp()).isEqualTo("127.0.0.1");
    assertThat(s.lastUserAgent()).isEqualTo("TestBrowser/2 (laptop)");
    assertThat(s.lastRefreshedAt()).isEqualTo(app.clock.instant());
  }

  @Test
  void behindTrustedProxy_takesTheNearestUntrustedForwardedForAddress() throws Exception {
    app = TestApp.start(e -> e.recordClientMetadata(true), w -> w.trustedProxies("127.0.0.1"));
    TestApp.Client c = app.client();
    // The client wrote 6.6.6.6 itself; our proxy (127.0.0.1) appended the address it saw.
    signIn(c, "TestBrowser/1", "6.6.6.6, 198.51.100.9, 127.0.0.1");

    SessionSummary s = app.engine.getAllSessionsForUser("alice").get(0);

    assertThat(s.createdIp()).isEqualTo("198.51.100.9");
  }

  @Test
  void withRecordingOff_storesNothing() throws Exception {
    app = TestApp.start(e -> e, w -> w);
    signIn(app.client(), "TestBrowser/1", "198.51.100.9");

    SessionSummary s = app.engine.getAllSessionsForUser("alice").get(0);

    assertThat(s.createdIp()).isNull();
    assertThat(s.createdUserAgent()).isNull();
  }

  @Test
  void trustedProxies_rejectsHostNamesAndRanges_namingTheOption() {
    try (Hallpass h = Hallpass.builder().store(SessionStores.inMemory()).build()) {
      HallpassWeb.Builder b = HallpassWeb.builder(h);
      for (String bad : new String[] {"proxy.example", "10.0.0.0/8", "", "1.2.3.4 5.6.7.8"}) {
        assertThatThrownBy(() -> b.trustedProxies(bad))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("trustedProxies");
      }
      b.trustedProxies("::1", "[2001:db8::1]", "10.1.2.3");
    }
  }
}
