package dev.hallpass.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** How each target's answers are read: a theft verdict or a 5xx is never taken for success. */
class ClassifyTest {
  private static final Tokens JAR = new Tokens("a", "r", null);

  private static JsonNode json(String s) throws Exception {
    return Http.JSON.readTree(s);
  }

  @Test
  void coreDriverAnswers_areClassifiedByTheirStatusField() throws Exception {
    assertThat(CoreDriverClient.classify("c", 200, json("{\"status\":\"OK\"}")))
        .isInstanceOf(Answer.Ok.class);
    assertThat(CoreDriverClient.classify("c", 200, json("{\"status\":\"TRY_REFRESH_TOKEN\"}")))
        .isInstanceOf(Answer.TryRefresh.class);
    assertThat(CoreDriverClient.classify("c", 200, json("{\"status\":\"UNAUTHORISED\"}")))
        .isInstanceOf(Answer.Unauthorised.class);
    assertThat(CoreDriverClient.classify("c", 200, json("{\"status\":\"TOKEN_THEFT_DETECTED\"}")))
        .isInstanceOf(Answer.Theft.class);
    // verify answers a replaced lineage's access token so: theft, though the status says otherwise
    assertThat(
            CoreDriverClient.classify(
                "c",
                200,
                json("{\"status\":\"UNAUTHORISED\",\"message\":\"token theft detected\"}")))
        .isInstanceOf(Answer.Theft.class);
    assertThat(CoreDriverClient.classify("c", 503, null))
        .isEqualTo(new Answer.ServerError("c", 503));
    assertThat(CoreDriverClient.classify("c", 400, null)).isInstanceOf(Answer.Unexpected.class);
    assertThat(CoreDriverClient.classify("c", 200, json("{\"status\":\"WEIRD\"}")))
        .isInstanceOf(Answer.Unexpected.class);
  }

  @Test
  void browserProtocolAnswers_areClassifiedByStatusAndMessage() throws Exception {
    assertThat(BrowserProtocolClient.classify("c", 200, json("{}"), JAR))
        .isInstanceOf(Answer.Ok.class);
    assertThat(
            BrowserProtocolClient.classify(
                "c", 401, json("{\"message\":\"try refresh token\"}"), JAR))
        .isInstanceOf(Answer.TryRefresh.class);
    assertThat(
            BrowserProtocolClient.classify("c", 401, json("{\"message\":\"unauthorised\"}"), JAR))
        .isInstanceOf(Answer.Unauthorised.class);
    assertThat(
            BrowserProtocolClient.classify(
                "c", 401, json("{\"message\":\"token theft detected\"}"), JAR))
        .isInstanceOf(Answer.Theft.class);
    assertThat(BrowserProtocolClient.classify("c", 500, null, JAR))
        .isEqualTo(new Answer.ServerError("c", 500));
    assertThat(BrowserProtocolClient.classify("c", 403, json("{}"), JAR))
        .isInstanceOf(Answer.Unexpected.class);
  }
}
