package dev.hallpass.server;

import static dev.hallpass.server.ApiClient.claims;
import static dev.hallpass.server.ApiClient.ok200;
import static dev.hallpass.server.ApiClient.quote;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sessions in tenants over the core driver interface, with the paths and flags the SDKs send: the
 * tenant is the path's, recorded with the session and in the {@code tId} claim; listing and
 * revoking a user's sessions is scoped to the path's tenant unless the call asks across all.
 */
class TenantsApiTest {
  private TestServer t;

  @BeforeEach
  void start() throws Exception {
    t = new TestServer();
  }

  @AfterEach
  void stop() {
    t.close();
  }

  private JsonNode create(String tenant, String userId) throws Exception {
    String prefix = tenant == null ? "" : "/" + tenant;
    return ok200(
        t.post(
            prefix + "/recipe/session",
            "{\"userId\":"
                + quote(userId)
                + ",\"userDataInJWT\":{},\"userDataInDatabase\":{},\"enableAntiCsrf\":true}"));
  }

  /** GET .../recipe/session/user as the SDKs send it: the tenant's path, or across all. */
  private List<String> handles(String tenant, String userId) throws Exception {
    String path =
        tenant == null
            ? "/recipe/session/user?fetchAcrossAllTenants=true&userId="
            : "/" + tenant + "/recipe/session/user?fetchAcrossAllTenants=false&userId=";
    List<String> out = new ArrayList<>();
    ok200(t.get(path + userId + "&fetchSessionsForAllLinkedAccounts=true"))
        .get("sessionHandles")
        .forEach(h -> out.add(h.asText()));
    return out;
  }

  /** POST .../recipe/session/remove by user, as the SDKs send it. */
  private List<String> revoke(String tenant, String userId) throws Exception {
    String path =
        tenant == null ? "/recipe/session/remove" : "/" + tenant + "/recipe/session/remove";
    List<String> out = new ArrayList<>();
    ok200(
            t.post(
                path,
                "{\"userId\":"
                    + quote(userId)
                    + ",\"revokeSessionsForLinkedAccounts\":true,\"revokeAcrossAllTenants\":"
                    + (tenant == null)
                    + "}"))
        .get("sessionHandlesRevoked")
        .forEach(h -> out.add(h.asText()));
    return out;
  }

  private static String handle(JsonNode created) {
    return created.get("session").get("handle").asText();
  }

  @Test
  void createInTenant_recordsTheTenant_inTheAnswerTheClaimAndTheSessionInformation()
      throws Exception {
    JsonNode n = create("t1", "alice");
    assertThat(n.get("session").get("tenantId").asText()).isEqualTo("t1");
    String access = n.get("accessToken").get("token").asText();
    assertThat(claims(access).get("tId").asText()).isEqualTo("t1");

    JsonNode verified = t.verify(access, n.get("antiCsrfToken").asText(), true);
    assertThat(verified.get("session").get("tenantId").asText()).isEqualTo("t1");

    JsonNode refreshed =
        t.refresh(n.get("refreshToken").get("token").asText(), n.get("antiCsrfToken").asText());
    assertThat(refreshed.get("session").get("tenantId").asText()).isEqualTo("t1");
    assertThat(claims(refreshed.get("accessToken").get("token").asText()).get("tId").asText())
        .isEqualTo("t1");

    JsonNode info = ok200(t.get("/recipe/session?sessionHandle=" + handle(n)));
    assertThat(info.get("tenantId").asText()).isEqualTo("t1");
  }

  @Test
  void listingAndRevokingByUser_areScopedToThePathsTenant_unlessAcrossAllTenants()
      throws Exception {
    String t1 = handle(create("t1", "alice"));
    String t2 = handle(create("t2", "alice"));
    String pub = handle(create(null, "alice"));
    String bob = handle(create("t1", "bob"));

    assertThat(handles("t1", "alice")).containsExactly(t1);
    assertThat(handles("t2", "alice")).containsExactly(t2);
    assertThat(handles("public", "alice")).containsExactly(pub);
    assertThat(handles("t3", "alice")).isEmpty();
    assertThat(handles(null, "alice")).containsExactlyInAnyOrder(t1, t2, pub);
    // No flag and no tenant in the path: the public tenant.
    assertThat(ok200(t.get("/recipe/session/user?userId=alice")).get("sessionHandles").toString())
        .isEqualTo("[\"" + pub + "\"]");

    assertThat(revoke("t1", "alice")).containsExactly(t1);
    assertThat(handles(null, "alice")).containsExactlyInAnyOrder(t2, pub);
    assertThat(handles("t1", "bob")).containsExactly(bob);
    assertThat(revoke(null, "alice")).containsExactlyInAnyOrder(t2, pub);
    assertThat(handles(null, "alice")).isEmpty();
    assertThat(handles(null, "bob")).containsExactly(bob);
  }

  @Test
  void revokeByHandle_andSessionCalls_workWhateverTheSessionsTenant() throws Exception {
    String h = handle(create("t1", "carol"));
    assertThat(
            ok200(
                    t.put(
                        "/recipe/session/data",
                        "{\"sessionHandle\":\"" + h + "\",\"userDataInDatabase\":{\"a\":1}}"))
                .get("status")
                .asText())
        .isEqualTo("OK");
    assertThat(
            ok200(t.post("/recipe/session/remove", "{\"sessionHandles\":[\"" + h + "\"]}"))
                .get("sessionHandlesRevoked")
                .toString())
        .isEqualTo("[\"" + h + "\"]");
    assertThat(handles(null, "carol")).isEmpty();
  }
}
