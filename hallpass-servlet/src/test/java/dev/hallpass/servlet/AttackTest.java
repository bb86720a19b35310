package dev.hallpass.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallpass.Hallpass;
import dev.hallpass.Session;
import dev.hallpass.SessionStores;
import dev.hallpass.testkit.MutableClock;
import jakarta.servlet.FilterChain;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Instant;
import java.util.Base64;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The web layer's attack suite, on stub requests: tokens smuggled through a transport the
 * configuration does not allow, cookie tossing, oversized cookies, cross-site refreshes and forged
 * tokens must all end in 401 (or 405), never in a session.
 */
class AttackTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2031-03-04T05:06:07Z"));
  private final Hallpass engine =
      Hallpass.builder()
          .store(SessionStores.inMemory(clock))
          .clock(clock)
          .disableBackgroundCleanup()
          .build();

  @AfterEach
  void close() {
    engine.close();
  }

  private HallpassWeb web(UnaryOperator<HallpassWeb.Builder> settings) {
    return settings.apply(HallpassWeb.builder(engine).clock(clock).allowInsecureCookies()).build();
  }

  /** Runs one request through the filter to a route that requires a session. */
  private static StubExchange send(HallpassWeb web, StubExchange x) throws Exception {
    HttpServletRequest req = x.request();
    HttpServletResponse res = x.response();
    FilterChain app =
        (rq, rs) -> {
          Session s = web.getSession((HttpServletRequest) rq, (HttpServletResponse) rs, true);
          WebEngine.write((HttpServletResponse) rs, 200, Transport.json("user", s.getUserId()));
        };
    web.filter().doFilter(req, res, app);
    return x;
  }

  @Test
  void bearerToken_whenOnlyCookiesAreAllowed_isIgnored() throws Exception {
    HallpassWeb web = web(b -> b.tokenTransfer(TokenTransfer.COOKIE));
    Session s = engine.createNewSession("alice", null, null);
    StubExchange x =
        send(
            web,
            new StubExchange("GET", "/api")
                .header("Authorization", "Bearer " + s.getAccessToken()));
    assertThat(x.status).isEqualTo(401);
    assertThat(x.body.toString()).contains("unauthorised");
  }

  @Test
  void cookie_whenOnlyHeadersAreAllowed_isIgnored() throws Exception {
    HallpassWeb web = web(b -> b.tokenTransfer(TokenTransfer.HEADER));
    Session s = engine.createNewSession("alice", null, null);
    StubExchange x =
        send(
            web,
            new StubExchange("GET", "/api").header("Cookie", "sAccessToken=" + s.getAccessToken()));
    assertThat(x.status).isEqualTo(401);
  }

  @Test
  void cookieTossing_twoAccessCookies_asksForARefresh_andClearsNothing() throws Exception {
    HallpassWeb web = web(b -> b);
    Session victim = engine.createNewSession("alice", null, null);
    Session attacker = engine.createNewSession("mallory", null, null);
    StubExchange x =
        send(
            web,
            new StubExchange("GET", "/api")
                .header(
                    "Cookie",
                    "sAccessToken="
                        + attacker.getAccessToken()
                        + "; sAccessToken="
                        + victim.getAccessToken()));
    assertThat(x.status).isEqualTo(401);
    assertThat(x.body.toString()).contains("try refresh token");
    assertThat(x.responseHeader("Set-Cookie")).isNull();
  }

  @Test
  void cookieTossing_twoRefreshCookies_isUnauthorised_andRotatesNothing() throws Exception {
    HallpassWeb web = web(b -> b);
    Session victim = engine.createNewSession("alice", null, null);
    Session attacker = engine.createNewSession("mallory", null, null);
    StubExchange x =
        send(
            web,
            new StubExchange("POST", "/auth/session/refresh")
                .header("rid", "session")
                .header("Cookie", "sRefreshToken=" + attacker.getTokens().getRefreshToken())
                .header("Cookie", "sRefreshToken=" + victim.getTokens().getRefreshToken()));
    assertThat(x.status).isEqualTo(401);
    // neither token was used: both still refresh
    assertThat(engine.refreshSession(victim.getTokens().getRefreshToken(), null).getUserId())
        .isEqualTo("alice");
    assertThat(engine.refreshSession(attacker.getTokens().getRefreshToken(), null).getUserId())
        .isEqualTo("mallory");
  }

  @Test
  void oversizedCookieOrBearer_isUnauthorisedBeforeParsing() throws Exception {
    HallpassWeb web = web(b -> b);
    String huge = "A".repeat(Transport.MAX_TOKEN_CHARS + 1);
    assertThat(
            send(web, new StubExchange("GET", "/api").header("Cookie", "sAccessToken=" + huge))
                .status)
        .isEqualTo(401);
    assertThat(
            send(web, new StubExchange("GET", "/api").header("Authorization", "Bearer " + huge))
                .status)
        .isEqualTo(401);
  }

  @Test
  void crossSiteRefresh_withoutTheCustomHeader_isUnauthorised_andRotatesNothing() throws Exception {
    HallpassWeb web = web(b -> b.antiCsrf(AntiCsrfMode.VIA_CUSTOM_HEADER));
    Session s = engine.createNewSession("alice", null, null);
    StubExchange x =
        send(
            web,
            new StubExchange("POST", "/auth/session/refresh")
                .header("Cookie", "sRefreshToken=" + s.getTokens().getRefreshToken()));
    assertThat(x.status).isEqualTo(401);
    assertThat(engine.refreshSession(s.getTokens().getRefreshToken(), null).getUserId())
        .isEqualTo("alice");
  }

  @Test
  void signOutByGet_is405_andTheSessionSurvives() throws Exception {
    HallpassWeb web = web(b -> b);
    Session s = engine.createNewSession("alice", null, null);
    StubExchange x =
        send(
            web,
            new StubExchange("GET", "/auth/signout")
                .header("Cookie", "sAccessToken=" + s.getAccessToken()));
    assertThat(x.status).isEqualTo(405);
    assertThat(engine.getSessionInformation(s.getHandle()).getUserId()).isEqualTo("alice");
  }

  @Test
  void forgedAlgNoneCookie_isUnauthorised_andCleared() throws Exception {
    HallpassWeb web = web(b -> b);
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String forged =
        b64.encodeToString("{\"alg\":\"none\"}".getBytes())
            + "."
            + b64.encodeToString("{\"sub\":\"admin\",\"exp\":99999999999}".getBytes())
            + ".";
    StubExchange x =
        send(web, new StubExchange("GET", "/api").header("Cookie", "sAccessToken=" + forged));
    assertThat(x.status).isEqualTo(401);
    assertThat(x.responseHeader("front-token")).isEqualTo("remove");
    assertThat(engine.getAllSessionHandlesForUser("admin")).isEmpty();
  }
}
