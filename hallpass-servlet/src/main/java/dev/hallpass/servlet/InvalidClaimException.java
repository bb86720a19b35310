package dev.hallpass.servlet;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A request's session failed required claims. The {@link HallpassFilter} (and {@link
 * HallpassWeb#sendInvalidClaimResponse}) answer it with 403 {@code {"message": "invalid claim",
 * "claimValidationErrors": [...]}}, which the SuperTokens frontend SDKs report as an {@code
 * API_INVALID_CLAIM} event. The message names only the failed ids.
 */
public final class InvalidClaimException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The frontend SDKs' default {@code invalidClaimStatusCode}. */
  public static final int STATUS = 403;

  @SuppressWarnings("serial") // an unmodifiable list of records
  private final List<ClaimValidationError> errors;

  /**
   * A failure of the given validations.
   *
   * @throws IllegalArgumentException when there are none
   */
  public InvalidClaimException(List<ClaimValidationError> errors) {
    super(
        "invalid claims: "
            + errors.stream().map(ClaimValidationError::id).collect(Collectors.joining(", ")));
    if (errors.isEmpty()) {
      throw new IllegalArgumentException("errors must not be empty");
    }
    this.errors = List.copyOf(errors);
  }

  /** The failed validations, in the order the validators were given. */
  public List<ClaimValidationError> errors() {
    return errors;
  }
}
