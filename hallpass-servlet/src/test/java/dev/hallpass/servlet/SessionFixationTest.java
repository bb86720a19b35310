package dev.hallpass.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Session fixation: whatever session, handle or token a client brings to sign-in, the new session
 * is a fresh one, and no new session ever reuses a handle or a token.
 */
class SessionFixationTest {
  private TestApp app;

  @BeforeEach
  void start() throws Exception {
    app = TestApp.start();
  }

  @AfterEach
  void stop() {
    app.close();
  }

  @Test
  void signIn_withTheAttackersPlantedSession_createsAFreshSessionForTheVictim() throws Exception {
    TestApp.Client attacker = app.client();
    String attackersHandle = handleOf(attacker.send("POST", "/signin?user=mallory"));
    String plantedAccess = attacker.cookie("sAccessToken");
    String plantedRefresh = attacker.cookie("sRefreshToken");
    // The victim's browser holds the attacker's cookies (planted by a sibling sub-domain, say).
    TestApp.Client victim = app.client();
    victim.plant("sAccessToken", plantedAccess, "", "/");
    victim.plant("sRefreshToken", plantedRefresh, "", "/auth/session/refresh");

    TestApp.Reply signIn = victim.send("POST", "/signin?user=alice");

    String victimsHandle = handleOf(signIn);
    assertThat(victimsHandle).isNotEqualTo(attackersHandle);
    assertThat(victim.cookie("sAccessToken")).isNotEqualTo(plantedAccess);
    assertThat(victim.cookie("sRefreshToken")).isNotEqualTo(plantedRefresh);
    assertThat(app.engine.getAllSessionHandlesForUser("alice")).containsExactly(victimsHandle);
    // The attacker's tokens still lead only to the attacker's own session.
    TestApp.Reply attackers = attacker.send("GET", "/api/session");
    assertThat(attackers.body()).contains("\"userId\":\"mallory\"").doesNotContain(victimsHandle);
    TestApp.Reply refreshed = attacker.send("POST", "/auth/session/refresh");
    assertThat(refreshed.frontToken()).containsEntry("uid", "mallory");
    assertThat(attacker.send("GET", "/api/session").body())
        .contains("\"handle\":\"" + attackersHandle + "\"");
  }

  @Test
  void signIn_withClientSuppliedHandlesAndForgedTokens_neverAdoptsThem() throws Exception {
    String chosenHandle = "00000000-0000-4000-8000-000000000001";
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String forgedAccess =
        b64.encodeToString("{\"alg\":\"none\"}".getBytes())
            + "."
            + b64.encodeToString(
                ("{\"sub\":\"alice\",\"sessionHandle\":\"" + chosenHandle + "\"}").getBytes())
            + ".";
    byte[] refreshLike = new byte[81];
    refreshLike[0] = 1;
    String forgedRefresh = b64.encodeToString(refreshLike);

    TestApp.Reply signIn =
        app.client()
            .send(
                "POST",
                "/signin?user=alice&sessionHandle=" + chosenHandle,
                "Cookie",
                "sAccessToken=" + forgedAccess + "; sRefreshToken=" + forgedRefresh,
                "Authorization",
                "Bearer " + forgedAccess,
                "st-access-token",
                forgedAccess,
                "sessionHandle",
                chosenHandle);

    assertThat(signIn.status()).isEqualTo(200);
    String handle = handleOf(signIn);
    assertThat(handle).isNotEqualTo(chosenHandle).matches("[0-9a-f-]{36}");
    String access = signIn.cookieValue("sAccessToken");
    assertThat(TestApp.jwtPayload(access)).containsEntry("sessionHandle", handle);
    assertThat(access).isNotEqualTo(forgedAccess);
    assertThat(signIn.cookieValue("sRefreshToken")).isNotEqualTo(forgedRefresh);
    assertThat(app.engine.getAllSessionHandlesForUser("alice")).containsExactly(handle);
  }

  @Test
  void newSessions_neverReuseAHandleOrAToken_norDoRefreshes() throws Exception {
    Set<String> handles = new HashSet<>();
    Set<String> tokens = new HashSet<>();
    // Bounded: 100 sign-ins of one user from one browser, each refreshed once.
    TestApp.Client c = app.client();
    for (int i = 0; i < 100; i++) {
      TestApp.Reply signIn = c.send("POST", "/signin?user=alice");
      assertThat(handles.add(handleOf(signIn))).as("handle %d is new", i).isTrue();
      assertThat(tokens.add(signIn.cookieValue("sAccessToken"))).isTrue();
      assertThat(tokens.add(signIn.cookieValue("sRefreshToken"))).isTrue();
      TestApp.Reply refreshed = c.send("POST", "/auth/session/refresh");
      assertThat(tokens.add(refreshed.cookieValue("sAccessToken"))).isTrue();
      assertThat(tokens.add(refreshed.cookieValue("sRefreshToken"))).isTrue();
    }
    assertThat(app.engine.getAllSessionHandlesForUser("alice")).hasSize(100);
  }

  private static String handleOf(TestApp.Reply signIn) throws Exception {
    @SuppressWarnings("unchecked")
    Map<String, Object> body = TestApp.JSON.readValue(signIn.body(), Map.class);
    return (String) body.get("handle");
  }
}
