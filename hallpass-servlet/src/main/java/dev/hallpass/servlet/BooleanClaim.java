package dev.hallpass.servlet;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * A yes/no claim in the access-token payload, such as "email verified" ({@code "st-ev": {"v": true,
 * "t": 1700000000000}}). Its validators answer failures in the format of supertokens-node's {@code
 * BooleanClaim}, which the frontend SDKs understand.
 *
 * <pre>{@code
 * BooleanClaim emailVerified = BooleanClaim.emailVerified(users::isEmailVerified);
 * HallpassWeb web = HallpassWeb.builder(hallpass).requireClaims(emailVerified.isTrue()).build();
 * }</pre>
 */
public final class BooleanClaim extends SessionClaim {
  /** The key the SuperTokens SDKs use for "email verified". */
  public static final String EMAIL_VERIFIED_KEY = "st-ev";

  private final Function<String, Boolean> fetcher;

  private BooleanClaim(String key, Function<String, Boolean> fetcher, Duration defaultMaxAge) {
    super(key, defaultMaxAge);
    this.fetcher = fetcher;
  }

  /**
   * A claim under {@code key} whose value the fetcher gives for a user id (null: no value known,
   * the payload is left as it is). The fetcher runs on request threads; it may call a database.
   *
   * @throws IllegalArgumentException for a key that is not 1 to 64 of {@code [A-Za-z0-9_.:-]} or is
   *     one of Hallpass's own claims
   */
  public static BooleanClaim of(String key, Function<String, Boolean> fetcher) {
    return new BooleanClaim(key, Objects.requireNonNull(fetcher, "fetcher"), null);
  }

  /** The "email verified" claim under the SDKs' key {@value #EMAIL_VERIFIED_KEY}. */
  public static BooleanClaim emailVerified(Function<String, Boolean> fetcher) {
    return of(EMAIL_VERIFIED_KEY, fetcher);
  }

  /**
   * The same claim whose validators re-fetch values older than {@code maxAge} (the SDKs' {@code
   * maxAgeInSeconds}).
   *
   * @throws IllegalArgumentException unless it is positive
   */
  public BooleanClaim withDefaultMaxAge(Duration maxAge) {
    return new BooleanClaim(key(), fetcher, checkMaxAge(maxAge, "defaultMaxAge"));
  }

  /** Requires the value true. */
  public ClaimValidator isTrue() {
    return hasValue(true);
  }

  /** Requires the value false. */
  public ClaimValidator isFalse() {
    return hasValue(false);
  }

  /** Requires the given value. */
  public ClaimValidator hasValue(boolean expected) {
    return new ClaimValidator(
        this,
        key(),
        defaultMaxAge().orElse(null),
        "expectedValue",
        expected,
        "expectedValue",
        actual -> actual.equals(expected));
  }

  @Override
  Object fetch(String userId) {
    return fetcher.apply(userId);
  }

  @Override
  Object read(Object stored) {
    return stored instanceof Boolean b ? b : null;
  }
}
