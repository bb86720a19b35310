package dev.hallpass.server;

import static dev.hallpass.server.ApiClient.claims;
import static dev.hallpass.server.ApiClient.ok200;
import static dev.hallpass.server.ApiClient.quote;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The refresh-token rotation rules of the session model, over the API: a new refresh token counts
 * as received once its access token is verified (which re-issues that token without {@code
 * parentRefreshTokenHash1}), a lost answer is never theft, and a used lineage replayed is. The
 * engine and the in-memory store share the test's clock, so the grace period (10 s) passes without
 * sleeping.
 */
class RefreshRotationApiTest {
  private static final Duration GRACE = Duration.ofSeconds(10);
  private TestServer t;

  @BeforeEach
  void start() throws Exception {
    t = new TestServer("--access-token-validity", "1h", "--refresh-grace-period", "10s");
  }

  @AfterEach
  void stop() {
    t.close();
  }

  /** One issue of tokens (creation or refresh), as the SDK keeps it. */
  private record Tokens(String access, String refresh, String antiCsrf, String handle) {
    static Tokens of(JsonNode answer) {
      assertThat(answer.get("status").asText()).as("status").isEqualTo("OK");
      return new Tokens(
          answer.get("accessToken").get("token").asText(),
          answer.get("refreshToken").get("token").asText(),
          answer.get("antiCsrfToken").asText(),
          answer.get("session").get("handle").asText());
    }
  }

  private Tokens create() throws Exception {
    return Tokens.of(t.createSession("rita", "{\"plan\":\"pro\"}", "{}"));
  }

  private JsonNode refresh(Tokens with) throws Exception {
    return t.refresh(with.refresh, with.antiCsrf);
  }

  private JsonNode verify(Tokens with) throws Exception {
    return t.verify(with.access, with.antiCsrf, false);
  }

  private boolean sessionExists(String handle) throws Exception {
    return ok200(t.get("/recipe/session?sessionHandle=" + handle))
        .get("status")
        .asText()
        .equals("OK");
  }

  @Test
  void refresh_issuesAnAccessTokenWithTheParentClaim_andCreationDoesNot() throws Exception {
    Tokens p = create();
    assertThat(claims(p.access).has("parentRefreshTokenHash1")).isFalse();
    Tokens c = Tokens.of(refresh(p));
    JsonNode claims = claims(c.access);
    assertThat(claims.get("parentRefreshTokenHash1").asText())
        .isEqualTo(claims(p.access).get("refreshTokenHash1").asText());
    assertThat(claims.get("refreshTokenHash1").asText())
        .isNotEqualTo(claims(p.access).get("refreshTokenHash1").asText());
  }

  @Test
  void verify_ofTheFirstTokenAfterARefresh_returnsAReissuedTokenWithoutTheParentClaim()
      throws Exception {
    Tokens c = Tokens.of(refresh(create()));
    t.clock.advance(Duration.ofSeconds(3));

    JsonNode r = verify(c);
    assertThat(r.get("status").asText()).isEqualTo("OK");
    assertThat(r.get("session").get("handle").asText()).isEqualTo(c.handle);
    assertThat(r.get("session").get("userDataInJWT").get("plan").asText()).isEqualTo("pro");
    JsonNode issued = r.get("accessToken");
    assertThat(issued).as("the re-issued access token").isNotNull();
    String reissued = issued.get("token").asText();
    assertThat(reissued).isNotEqualTo(c.access);
    JsonNode before = claims(c.access);
    JsonNode after = claims(reissued);
    assertThat(after.has("parentRefreshTokenHash1")).isFalse();
    assertThat(after.get("refreshTokenHash1")).isEqualTo(before.get("refreshTokenHash1"));
    assertThat(after.get("sessionHandle")).isEqualTo(before.get("sessionHandle"));
    assertThat(after.get("antiCsrfToken")).isEqualTo(before.get("antiCsrfToken"));
    assertThat(after.get("plan").asText()).isEqualTo("pro");
    assertThat(after.get("exp")).as("same expiry").isEqualTo(before.get("exp"));
    assertThat(issued.get("expiry").asLong()).isEqualTo(before.get("exp").asLong() * 1000);
    assertThat(issued.get("createdTime").asLong())
        .isEqualTo(TestServer.START.plusSeconds(3).toEpochMilli());

    // The re-issued token is final: verifying it changes nothing and returns no new token.
    JsonNode again = t.verify(reissued, c.antiCsrf, false);
    assertThat(again.get("status").asText()).isEqualTo("OK");
    assertThat(again.has("accessToken")).isFalse();
    // The refreshed token itself still works (another tab): re-issued again, no theft.
    JsonNode tab = verify(c);
    assertThat(tab.get("status").asText()).isEqualTo("OK");
    assertThat(claims(tab.get("accessToken").get("token").asText()).has("parentRefreshTokenHash1"))
        .isFalse();
  }

  @Test
  void verify_withCheckDatabase_ofTheFirstTokenAfterARefresh_alsoReissuesIt() throws Exception {
    Tokens c = Tokens.of(refresh(create()));
    JsonNode r = t.verify(c.access, c.antiCsrf, true);
    assertThat(r.get("status").asText()).isEqualTo("OK");
    assertThat(claims(r.get("accessToken").get("token").asText()).has("parentRefreshTokenHash1"))
        .isFalse();
  }

  @Test
  void refresh_withThePreviousTokenWithinGrace_answersTheSameTokens() throws Exception {
    Tokens p = create();
    Tokens c = Tokens.of(refresh(p));
    t.clock.advance(GRACE.minusSeconds(1));
    Tokens again = Tokens.of(refresh(p));
    assertThat(again.refresh).isEqualTo(c.refresh);
    assertThat(again.antiCsrf).isEqualTo(c.antiCsrf);
  }

  @Test
  void refresh_withThePreviousTokenAfterGrace_whenTheNewOneWasUsed_isTheft() throws Exception {
    Tokens p = create();
    Tokens c = Tokens.of(refresh(p));
    assertThat(verify(c).get("status").asText()).isEqualTo("OK"); // the client moved on
    t.clock.advance(GRACE.plusSeconds(50));

    JsonNode theft = refresh(p);
    assertThat(theft.get("status").asText()).isEqualTo("TOKEN_THEFT_DETECTED");
    assertThat(theft.get("session").get("handle").asText()).isEqualTo(p.handle);
    assertThat(theft.get("session").get("userId").asText()).isEqualTo("rita");
    assertThat(sessionExists(p.handle)).as("revoked").isFalse();
    assertThat(refresh(c).get("status").asText()).isEqualTo("UNAUTHORISED");
  }

  /** Scenario (a): the answer to a refresh is lost; retrying with the old token is never theft. */
  @Test
  void refresh_withThePreviousTokenAfterGrace_whenTheNewOneWasNeverUsed_issuesANewOne()
      throws Exception {
    Tokens p = create();
    Tokens lost = Tokens.of(refresh(p));
    t.clock.advance(GRACE.plusSeconds(21));

    Tokens retried = Tokens.of(refresh(p));
    assertThat(retried.handle).isEqualTo(p.handle);
    assertThat(retried.refresh).isNotEqualTo(lost.refresh).isNotEqualTo(p.refresh);
    t.clock.advance(Duration.ofDays(1));
    Tokens later = Tokens.of(refresh(p)); // lost again: still not theft
    assertThat(later.refresh).isNotEqualTo(retried.refresh);

    // The tokens received last work: verify, then rotate.
    assertThat(verify(later).get("status").asText()).isEqualTo("OK");
    Tokens next = Tokens.of(refresh(later));
    assertThat(next.handle).isEqualTo(p.handle);
    assertThat(t.get("/metrics").body()).contains("hallpass_token_thefts_detected_total 0.0");
  }

  /**
   * Scenario (d): A refreshed but had not used its new tokens when B, holding the previous refresh
   * token, refreshed after the grace period and got different ones. A's access token is now a
   * second holder of the lineage: theft, the session is revoked. The SDKs read only OK and
   * UNAUTHORISED from verify, so it is answered UNAUTHORISED.
   */
  @Test
  void verify_withTheAccessTokenOfAReplacedRefreshToken_isUnauthorised_andRevokesTheSession()
      throws Exception {
    Tokens p = create();
    Tokens a = Tokens.of(refresh(p));
    t.clock.advance(GRACE.plusSeconds(50));
    Tokens b = Tokens.of(refresh(p));
    assertThat(b.refresh).isNotEqualTo(a.refresh);

    JsonNode r = verify(a);
    assertThat(r.get("status").asText()).isEqualTo("UNAUTHORISED");
    assertThat(r.get("message").asText()).contains("theft");
    assertThat(sessionExists(p.handle)).as("revoked").isFalse();
    assertThat(refresh(b).get("status").asText()).isEqualTo("UNAUTHORISED");
    assertThat(t.get("/metrics").body()).contains("hallpass_token_thefts_detected_total 1.0");
  }

  @Test
  void regenerate_withTheAccessTokenOfAReplacedRefreshToken_isUnauthorised_andRevokes()
      throws Exception {
    Tokens p = create();
    Tokens a = Tokens.of(refresh(p));
    t.clock.advance(GRACE.plusSeconds(50));
    Tokens.of(refresh(p));

    JsonNode r =
        ok200(
            t.post(
                "/recipe/session/regenerate",
                "{\"accessToken\":" + quote(a.access) + ",\"userDataInJWT\":{\"plan\":\"free\"}}"));
    assertThat(r.get("status").asText()).isEqualTo("UNAUTHORISED");
    assertThat(sessionExists(p.handle)).as("revoked").isFalse();
  }

  /**
   * A token two generations old has not expired but its refresh token is neither the current nor
   * the previous one: verify says TRY_REFRESH_TOKEN, and regenerate must not take it for an expired
   * token whose payload it may store.
   */
  @Test
  void regenerate_withAnUnexpiredTokenTwoGenerationsOld_isUnauthorised_andStoresNothing()
      throws Exception {
    Tokens g0 = create();
    Tokens g1 = Tokens.of(refresh(g0));
    Tokens g2 = Tokens.of(refresh(g1));
    Tokens.of(refresh(g2));
    assertThat(verify(g1).get("status").asText()).isEqualTo("TRY_REFRESH_TOKEN");

    JsonNode r =
        ok200(
            t.post(
                "/recipe/session/regenerate",
                "{\"accessToken\":"
                    + quote(g1.access)
                    + ",\"userDataInJWT\":{\"plan\":\"free\"}}"));
    assertThat(r.get("status").asText()).isEqualTo("UNAUTHORISED");
    assertThat(
            ok200(t.get("/recipe/session?sessionHandle=" + g0.handle))
                .get("userDataInJWT")
                .get("plan")
                .asText())
        .isEqualTo("pro");
  }

  @Test
  void verify_withATokenOfThePreviousGeneration_isAcceptedUnchanged() throws Exception {
    Tokens g0 = create();
    Tokens g1 = Tokens.of(refresh(g0));
    Tokens.of(refresh(g1)); // g1's refresh token is now the previous one
    JsonNode r = verify(g1);
    assertThat(r.get("status").asText()).isEqualTo("OK");
    assertThat(r.has("accessToken")).isFalse();
  }

  /** Scenario (e): P to C to D, then P again. */
  @Test
  void refresh_withATokenOlderThanThePreviousOne_isTheft() throws Exception {
    Tokens p = create();
    Tokens c = Tokens.of(refresh(p));
    Tokens.of(refresh(c));
    JsonNode theft = refresh(p);
    assertThat(theft.get("status").asText()).isEqualTo("TOKEN_THEFT_DETECTED");
    assertThat(sessionExists(p.handle)).isFalse();
  }
}
