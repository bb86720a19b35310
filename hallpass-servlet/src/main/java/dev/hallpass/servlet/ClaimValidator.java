package dev.hallpass.servlet;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A requirement on a {@link SessionClaim}'s value, made by the claim ({@link
 * BooleanClaim#isTrue()}, {@link SetClaim#includes(String)}, ...). A request that fails it gets 403
 * {@code {"message": "invalid claim", "claimValidationErrors": [{"id": id, "reason": {...}}]}}.
 *
 * <p>Before judging, the web layer re-fetches the claim's value when it is missing from the
 * payload, older than {@link #maxAge()}, or failing, at most once per claim and request. Immutable
 * and thread-safe.
 */
public final class ClaimValidator {
  private final SessionClaim claim;
  private final String id;
  private final Duration maxAge;
  private final String expectedField;
  private final Object expected;
  private final String missingField;
  private final Predicate<Object> ok;

  ClaimValidator(
      SessionClaim claim,
      String id,
      Duration maxAge,
      String expectedField,
      Object expected,
      String missingField,
      Predicate<Object> ok) {
    this.claim = claim;
    this.id = id;
    this.maxAge = maxAge;
    this.expectedField = expectedField;
    this.expected = expected;
    this.missingField = missingField;
    this.ok = ok;
  }

  /** The id in {@code claimValidationErrors}; the claim's key unless set with {@link #withId}. */
  public String id() {
    return id;
  }

  /** The claim this validator reads. */
  public SessionClaim claim() {
    return claim;
  }

  /** How old the value may be; the claim's default max age unless set with {@link #withMaxAge}. */
  public Optional<Duration> maxAge() {
    return Optional.ofNullable(maxAge);
  }

  /**
   * The same requirement on a value at most {@code maxAge} old (the SDKs' {@code maxAgeInSeconds}):
   * an older value is re-fetched, and refused as {@code "expired"} if no fresh one comes.
   *
   * @throws IllegalArgumentException unless it is positive
   */
  public ClaimValidator withMaxAge(Duration maxAge) {
    return new ClaimValidator(
        claim,
        id,
        SessionClaim.checkMaxAge(maxAge, "maxAge"),
        expectedField,
        expected,
        missingField,
        ok);
  }

  /**
   * The same requirement reported under another id.
   *
   * @throws IllegalArgumentException for a blank id
   */
  public ClaimValidator withId(String id) {
    Objects.requireNonNull(id, "id");
    if (id.isBlank()) {
      throw new IllegalArgumentException("id must not be blank");
    }
    return new ClaimValidator(claim, id, maxAge, expectedField, expected, missingField, ok);
  }

  /** Whether the payload's value must be fetched again: missing, unreadable or too old. */
  boolean shouldRefetch(Map<String, Object> payload, long nowMillis) {
    Entry e = Entry.of(claim, payload);
    return e == null || (maxAge != null && nowMillis - e.fetchedAt() > maxAge.toMillis());
  }

  /** The reason the payload fails, in supertokens-node's format; null when it passes. */
  Map<String, Object> failure(Map<String, Object> payload, long nowMillis) {
    Map<String, Object> reason = new LinkedHashMap<>();
    Entry e = Entry.of(claim, payload);
    if (e == null) {
      reason.put("message", "value does not exist");
      reason.put(missingField, expected);
      return Collections.unmodifiableMap(reason);
    }
    long age = nowMillis - e.fetchedAt();
    if (maxAge != null && age > maxAge.toMillis()) {
      reason.put("message", "expired");
      reason.put("ageInSeconds", age / 1000.0);
      reason.put("maxAgeInSeconds", maxAge.toMillis() / 1000.0);
      return Collections.unmodifiableMap(reason);
    }
    if (ok.test(e.value())) {
      return null;
    }
    reason.put("message", "wrong value");
    reason.put(expectedField, expected);
    reason.put("actualValue", e.value());
    return Collections.unmodifiableMap(reason);
  }

  @Override
  public String toString() {
    return "ClaimValidator{id=" + id + ", claim=" + claim.key() + ", maxAge=" + maxAge + "}";
  }

  /** A claim's value and fetch time read from a payload. */
  record Entry(Object value, long fetchedAt) {
    static Entry of(SessionClaim claim, Map<String, Object> payload) {
      if (!(payload.get(claim.key()) instanceof Map<?, ?> m) || !(m.get("t") instanceof Number t)) {
        return null;
      }
      Object value = claim.read(m.get("v"));
      return value == null ? null : new Entry(value, t.longValue());
    }
  }
}
