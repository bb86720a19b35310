package dev.hallpass.servlet;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One failed {@link ClaimValidator}: an element of the 403 answer's {@code claimValidationErrors},
 * {@code {"id": "st-ev", "reason": {"message": "wrong value", "expectedValue": true, "actualValue":
 * false}}}. The reason's {@code message} is {@code "value does not exist"}, {@code "expired"} or
 * {@code "wrong value"}, with the fields supertokens-node sends.
 *
 * @param id the validator's id
 * @param reason the reason, unmodifiable and in order
 */
public record ClaimValidationError(String id, Map<String, Object> reason) {
  /** Copies the reason (keeping its order). */
  public ClaimValidationError {
    Objects.requireNonNull(id, "id");
    reason = Collections.unmodifiableMap(new LinkedHashMap<>(reason));
  }

  /** The reason's {@code message}. */
  public String message() {
    return String.valueOf(reason.get("message"));
  }
}
