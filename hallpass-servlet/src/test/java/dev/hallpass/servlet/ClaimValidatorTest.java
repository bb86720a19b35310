package dev.hallpass.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The reasons of each validator, field by field as supertokens-node writes them. */
class ClaimValidatorTest {
  private static final long NOW = 1_900_000_000_000L;
  private final SetClaim roles = SetClaim.roles(u -> Set.of());

  private static Map<String, Object> payload(Object value, long t) {
    return Map.of("st-role", Map.of("v", value, "t", t));
  }

  private static Map<String, Object> reason(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void setValidators_giveTheNodeReasonFields() {
    Map<String, Object> p = payload(List.of("reader"), NOW);
    assertEquals(
        reason(
            "message",
            "wrong value",
            "expectedToNotInclude",
            "reader",
            "actualValue",
            List.of("reader")),
        roles.excludes("reader").failure(p, NOW));
    assertEquals(
        reason(
            "message",
            "wrong value",
            "expectedToInclude",
            List.of("admin", "reader"),
            "actualValue",
            List.of("reader")),
        roles.includesAll(List.of("admin", "reader")).failure(p, NOW));
    assertEquals(
        reason(
            "message",
            "wrong value",
            "expectedToIncludeAtLeastOneOf",
            List.of("admin", "owner"),
            "actualValue",
            List.of("reader")),
        roles.includesAny(List.of("admin", "owner")).failure(p, NOW));
    assertEquals(
        reason(
            "message",
            "wrong value",
            "expectedToNotInclude",
            List.of("reader"),
            "actualValue",
            List.of("reader")),
        roles.excludesAll(List.of("reader")).failure(p, NOW));
    assertNull(roles.includesAny(List.of("admin", "reader")).failure(p, NOW));
    assertNull(roles.excludesAll(List.of("admin")).failure(p, NOW));
  }

  @Test
  void missingOrMistypedValue_isValueDoesNotExist() {
    Map<String, Object> expected =
        reason("message", "value does not exist", "expectedToNotInclude", List.of("a"));
    assertEquals(expected, roles.includesAny(List.of("a")).failure(Map.of(), NOW));
    assertEquals(
        reason("message", "value does not exist", "expectedToInclude", "a"),
        roles.includes("a").failure(payload("a string, not a list", NOW), NOW));
  }

  @Test
  void maxAge_isExclusive_andRefetchFollowsIt() {
    ClaimValidator v = roles.includes("a").withMaxAge(Duration.ofSeconds(10));
    Map<String, Object> p = payload(List.of("a"), NOW - 10_000);
    assertNull(v.failure(p, NOW));
    assertEquals(false, v.shouldRefetch(p, NOW));
    assertEquals(true, v.shouldRefetch(p, NOW + 1));
    assertEquals(
        reason("message", "expired", "ageInSeconds", 10.001, "maxAgeInSeconds", 10.0),
        v.failure(p, NOW + 1));
  }

  @Test
  void assertClaims_withASessionFromElsewhere_isRefused() throws Exception {
    try (TestApp app = TestApp.start()) {
      dev.hallpass.Session foreign = app.engine.createNewSession("x", Map.of(), Map.of());
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> app.web.assertClaims(foreign, List.of(roles.includes("a"))));
      assertEquals(true, e.getMessage().startsWith("session must be one HallpassWeb returned"));
    }
  }

  @Test
  void invalidClaimException_needsErrors() {
    assertThrows(IllegalArgumentException.class, () -> new InvalidClaimException(List.of()));
  }
}
