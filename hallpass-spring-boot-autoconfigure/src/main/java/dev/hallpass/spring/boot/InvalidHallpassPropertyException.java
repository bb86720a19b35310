package dev.hallpass.spring.boot;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code hallpass.*} value that the engine's or the web layer's builder refused: the builders
 * name their options ({@code accessTokenValidity}), this names the properties ({@code
 * hallpass.access-token-validity}) so that the start-up failure report points at the line to fix.
 */
final class InvalidHallpassPropertyException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** The builders' option names and the properties that set them. */
  private static final Map<String, String> PROPERTY_OF_OPTION = new LinkedHashMap<>();

  static {
    PROPERTY_OF_OPTION.put("accessTokenValidity", "hallpass.access-token-validity");
    PROPERTY_OF_OPTION.put("refreshTokenValidity", "hallpass.refresh-token-validity");
    PROPERTY_OF_OPTION.put("refreshGracePeriod", "hallpass.refresh-grace-period");
    PROPERTY_OF_OPTION.put("signingKeyRotationInterval", "hallpass.signing-key-rotation-interval");
    PROPERTY_OF_OPTION.put("antiCsrf", "hallpass.anti-csrf");
    PROPERTY_OF_OPTION.put("apiBasePath", "hallpass.api-base-path");
    PROPERTY_OF_OPTION.put("sessionExpiredStatusCode", "hallpass.session-expired-status");
    PROPERTY_OF_OPTION.put("cookieDomain", "hallpass.cookie.domain");
    PROPERTY_OF_OPTION.put("cookieSameSite", "hallpass.cookie.same-site");
    PROPERTY_OF_OPTION.put("allowInsecureCookies", "hallpass.cookie.secure");
    PROPERTY_OF_OPTION.put("tokenTransfer", "hallpass.token-transfer");
    PROPERTY_OF_OPTION.put("allowedOrigins", "hallpass.cors.allowed-origins");
    PROPERTY_OF_OPTION.put("olderCookieDomain", "hallpass.cookie.older-domain");
    PROPERTY_OF_OPTION.put("useHostPrefixedCookieNames", "hallpass.cookie.host-prefixed-names");
    PROPERTY_OF_OPTION.put("accessTokenSigning", "hallpass.access-token-signing");
  }

  private static final Pattern WORD = Pattern.compile("[A-Za-z]+");

  private final List<String> properties;
  private final String reason;

  private InvalidHallpassPropertyException(List<String> properties, String reason, Throwable e) {
    super(String.join(", ", properties) + ": " + reason, e);
    this.properties = List.copyOf(properties);
    this.reason = reason;
  }

  /** The properties at fault (one for a refused value, several for a conflict). */
  List<String> properties() {
    return properties;
  }

  /** The builder's own explanation. */
  String reason() {
    return reason;
  }

  /** Properties that cannot be set together (a conflict found here, not by a builder). */
  static InvalidHallpassPropertyException conflict(List<String> properties, String reason) {
    return new InvalidHallpassPropertyException(properties, reason, null);
  }

  /** Applies one property's value to a builder; an IllegalArgumentException names the property. */
  static <T> void apply(String property, T value, Consumer<T> setter) {
    if (value == null) {
      return;
    }
    try {
      setter.accept(value);
    } catch (IllegalArgumentException e) {
      throw new InvalidHallpassPropertyException(List.of(property), e.getMessage(), e);
    }
  }

  /**
   * Runs a builder's {@code build()}; its IllegalStateException (conflicting settings, named by
   * their builder options) names the properties behind those options.
   */
  static <T> T build(Supplier<T> build) {
    try {
      return build.get();
    } catch (IllegalStateException e) {
      String message = String.valueOf(e.getMessage());
      List<String> named = propertiesNamedIn(message);
      if (named.isEmpty()) {
        throw e;
      }
      throw new InvalidHallpassPropertyException(named, message, e);
    }
  }

  private static List<String> propertiesNamedIn(String message) {
    var found = new java.util.LinkedHashSet<String>();
    Matcher m = WORD.matcher(message);
    while (m.find()) {
      String property = PROPERTY_OF_OPTION.get(m.group());
      if (property != null) {
        found.add(property);
      }
    }
    return List.copyOf(found);
  }
}
