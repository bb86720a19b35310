package dev.hallpass.servlet;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** Checks claim validators against a session's payload, re-fetching and storing values. */
final class Claims {
  private static final System.Logger LOG = System.getLogger(HallpassWeb.class.getName());

  private final Clock clock;
  final List<ClaimValidator> global;

  Claims(Clock clock, List<ClaimValidator> global) {
    this.clock = clock;
    this.global = List.copyOf(global);
  }

  /**
   * Re-fetches what is missing or stale, judges, re-fetches what fails (a value may have changed
   * since it was stored: this lets the request through at once), judges again; stores any fetched
   * value (sending the new access token) before throwing, so that the client holds the latest.
   */
  void check(ResponseBoundSession session, List<ClaimValidator> validators) {
    if (validators.isEmpty()) {
      return;
    }
    Map<String, Object> payload = new LinkedHashMap<>(session.getJWTPayload());
    boolean changed = false;
    Set<String> fetched = new HashSet<>();
    long now = clock.millis();
    for (ClaimValidator v : validators) {
      if (v.shouldRefetch(payload, now) && fetched.add(v.claim().key())) {
        changed |= fetchInto(v.claim(), session.getUserId(), payload, now);
      }
    }
    List<ClaimValidator> failing = failing(validators, payload, now);
    if (!failing.isEmpty()) {
      for (ClaimValidator v : failing) {
        if (fetched.add(v.claim().key())) {
          changed |= fetchInto(v.claim(), session.getUserId(), payload, now);
        }
      }
    }
    if (changed) {
      session.updateJWTPayload(payload);
    }
    List<ClaimValidationError> errors = new ArrayList<>();
    for (ClaimValidator v : validators) {
      Map<String, Object> reason = v.failure(payload, now);
      if (reason != null) {
        errors.add(new ClaimValidationError(v.id(), reason));
      }
    }
    if (!errors.isEmpty()) {
      InvalidClaimException e = new InvalidClaimException(errors);
      LOG.log(System.Logger.Level.DEBUG, "session {0}: {1}", session.getHandle(), e.getMessage());
      throw e;
    }
  }

  /** Fetches and stores now, whatever the payload holds. */
  void fetchAndSet(ResponseBoundSession session, SessionClaim claim) {
    Objects.requireNonNull(claim, "claim");
    Map<String, Object> payload = new LinkedHashMap<>(session.getJWTPayload());
    if (fetchInto(claim, session.getUserId(), payload, clock.millis())) {
      session.updateJWTPayload(payload);
    }
  }

  private static List<ClaimValidator> failing(
      List<ClaimValidator> validators, Map<String, Object> payload, long now) {
    List<ClaimValidator> failing = new ArrayList<>();
    for (ClaimValidator v : validators) {
      if (v.failure(payload, now) != null) {
        failing.add(v);
      }
    }
    return failing;
  }

  /** Puts the fetched value in the payload; false when the fetcher had none. */
  private static boolean fetchInto(
      SessionClaim claim, String userId, Map<String, Object> payload, long now) {
    Object value = claim.fetch(userId);
    if (value == null) {
      return false;
    }
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("v", value);
    entry.put("t", now);
    payload.put(claim.key(), entry);
    return true;
  }

  static String responseBody(InvalidClaimException error) {
    List<Map<String, Object>> list = new ArrayList<>();
    for (ClaimValidationError e : error.errors()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", e.id());
      m.put("reason", e.reason());
      list.add(m);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("message", "invalid claim");
    body.put("claimValidationErrors", list);
    try {
      return Transport.JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
