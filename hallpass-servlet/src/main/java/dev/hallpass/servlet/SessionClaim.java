package dev.hallpass.servlet;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A value kept in the access-token payload under its key, in the SuperTokens format {@code "key":
 * {"v": value, "t": fetchedAtEpochMillis}}, so that both the server and the frontend SDK can check
 * it without a database call. The application supplies a fetcher ({@code userId -> value}); the web
 * layer calls it when a {@link ClaimValidator} finds the value missing, older than its max age, or
 * failing, and stores the fresh value in the session's payload (sending the new access token).
 *
 * <p>Two kinds: {@link BooleanClaim} (e.g. email verified, {@code "st-ev"}) and {@link SetClaim}
 * (e.g. roles, {@code "st-role"}). Instances are immutable and thread-safe.
 */
public abstract sealed class SessionClaim permits BooleanClaim, SetClaim {
  private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
  // Hallpass's own access-token claims: an application claim may not shadow them.
  private static final Set<String> RESERVED =
      Set.of(
          "sub",
          "exp",
          "iat",
          "sessionHandle",
          "refreshTokenHash1",
          "parentRefreshTokenHash1",
          "antiCsrfToken",
          "tId",
          "rsub");

  private final String key;
  private final Duration defaultMaxAge;

  SessionClaim(String key, Duration defaultMaxAge) {
    this.key = checkKey(key);
    this.defaultMaxAge = defaultMaxAge;
  }

  /** The payload key, e.g. {@code "st-ev"}. */
  public final String key() {
    return key;
  }

  /**
   * How old a value may be before validators of this claim re-fetch it (and, if the fetch gives no
   * value, refuse it as expired); empty when values do not age.
   */
  public final Optional<Duration> defaultMaxAge() {
    return Optional.ofNullable(defaultMaxAge);
  }

  /**
   * The value for a user, in its payload form ({@link Boolean} or a {@code List<String>}); null
   * when the fetcher has none.
   */
  abstract Object fetch(String userId);

  /** The stored value in its typed form, or null when absent or of the wrong type. */
  abstract Object read(Object stored);

  static Duration checkMaxAge(Duration maxAge, String option) {
    Objects.requireNonNull(maxAge, option);
    if (maxAge.isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException(option + " must be positive, got " + maxAge);
    }
    return maxAge;
  }

  private static String checkKey(String key) {
    Objects.requireNonNull(key, "key");
    if (!KEY.matcher(key).matches() || RESERVED.contains(key)) {
      throw new IllegalArgumentException(
          "claim key must be 1 to 64 letters, digits, '_', '.', ':' or '-' and not one of "
              + "Hallpass's own claims "
              + RESERVED
              + ", got \""
              + key
              + "\"");
    }
    return key;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "{" + key + "}";
  }
}
