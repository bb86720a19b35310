package dev.hallpass.servlet;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * A set of strings in the access-token payload, such as roles ({@code "st-role": {"v": ["admin"],
 * "t": 1700000000000}}) or permissions ({@code "st-perm"}). Its validators answer failures in the
 * format of supertokens-node's {@code PrimitiveArrayClaim}, which the frontend SDKs understand.
 *
 * <pre>{@code
 * SetClaim roles = SetClaim.roles(users::roles).withDefaultMaxAge(Duration.ofMinutes(5));
 * Session s = web.getSession(req, res, true, true, List.of(roles.includes("admin")));
 * }</pre>
 */
public final class SetClaim extends SessionClaim {
  /** The key the SuperTokens SDKs use for roles. */
  public static final String ROLES_KEY = "st-role";

  /** The key the SuperTokens SDKs use for permissions. */
  public static final String PERMISSIONS_KEY = "st-perm";

  private final Function<String, ? extends Collection<String>> fetcher;

  private SetClaim(
      String key, Function<String, ? extends Collection<String>> fetcher, Duration defaultMaxAge) {
    super(key, defaultMaxAge);
    this.fetcher = fetcher;
  }

  /**
   * A claim under {@code key} whose values the fetcher gives for a user id (null: no value known,
   * the payload is left as it is). The fetcher runs on request threads; it may call a database.
   *
   * @throws IllegalArgumentException for a key that is not 1 to 64 of {@code [A-Za-z0-9_.:-]} or is
   *     one of Hallpass's own claims
   */
  public static SetClaim of(String key, Function<String, ? extends Collection<String>> fetcher) {
    return new SetClaim(key, Objects.requireNonNull(fetcher, "fetcher"), null);
  }

  /** The roles claim under the SDKs' key {@value #ROLES_KEY}. */
  public static SetClaim roles(Function<String, ? extends Collection<String>> fetcher) {
    return of(ROLES_KEY, fetcher);
  }

  /** The permissions claim under the SDKs' key {@value #PERMISSIONS_KEY}. */
  public static SetClaim permissions(Function<String, ? extends Collection<String>> fetcher) {
    return of(PERMISSIONS_KEY, fetcher);
  }

  /**
   * The same claim whose validators re-fetch values older than {@code maxAge} (the SDKs' {@code
   * maxAgeInSeconds}).
   *
   * @throws IllegalArgumentException unless it is positive
   */
  public SetClaim withDefaultMaxAge(Duration maxAge) {
    return new SetClaim(key(), fetcher, checkMaxAge(maxAge, "defaultMaxAge"));
  }

  /** Requires the value among the set. */
  public ClaimValidator includes(String value) {
    Objects.requireNonNull(value, "value");
    return validator("expectedToInclude", value, "expectedToInclude", s -> s.contains(value));
  }

  /** Requires the value not among the set. */
  public ClaimValidator excludes(String value) {
    Objects.requireNonNull(value, "value");
    return validator(
        "expectedToNotInclude", value, "expectedToNotInclude", s -> !s.contains(value));
  }

  /** Requires all the values among the set. */
  public ClaimValidator includesAll(Collection<String> values) {
    List<String> all = List.copyOf(values);
    return validator("expectedToInclude", all, "expectedToInclude", s -> s.containsAll(all));
  }

  /** Requires at least one of the values among the set. */
  public ClaimValidator includesAny(Collection<String> values) {
    List<String> any = List.copyOf(values);
    // The missing-value field name follows supertokens-node, which the SDKs were tested against.
    return validator(
        "expectedToIncludeAtLeastOneOf",
        any,
        "expectedToNotInclude",
        s -> any.stream().anyMatch(s::contains));
  }

  /** Requires none of the values among the set. */
  public ClaimValidator excludesAll(Collection<String> values) {
    List<String> none = List.copyOf(values);
    return validator(
        "expectedToNotInclude",
        none,
        "expectedToNotInclude",
        s -> none.stream().noneMatch(s::contains));
  }

  @SuppressWarnings("unchecked")
  private ClaimValidator validator(
      String field,
      Object expected,
      String missingField,
      java.util.function.Predicate<Set<String>> ok) {
    return new ClaimValidator(
        this,
        key(),
        defaultMaxAge().orElse(null),
        field,
        expected,
        missingField,
        actual -> ok.test(Set.copyOf((List<String>) actual)));
  }

  @Override
  Object fetch(String userId) {
    Collection<String> values = fetcher.apply(userId);
    if (values == null) {
      return null;
    }
    // Sorted and without duplicates, so that an unchanged set gives an unchanged payload.
    return values.stream()
        .map(v -> Objects.requireNonNull(v, "claim value"))
        .distinct()
        .sorted()
        .toList();
  }

  @Override
  Object read(Object stored) {
    if (!(stored instanceof List<?> list)) {
      return null;
    }
    for (Object o : list) {
      if (!(o instanceof String)) {
        return null;
      }
    }
    return list;
  }
}
