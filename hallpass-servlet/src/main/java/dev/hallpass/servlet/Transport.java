package dev.hallpass.servlet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallpass.HallpassException;
import dev.hallpass.Session;
import dev.hallpass.SessionTokens;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Reads session tokens from requests and writes them to responses, in the cookie and header formats
 * of the SuperTokens frontend SDKs.
 */
final class Transport {
  static final String ACCESS_COOKIE = "sAccessToken";
  static final String REFRESH_COOKIE = "sRefreshToken";

  /**
   * Browsers accept a cookie named so only with Secure, {@code Path=/} and no Domain, and only from
   * the host itself: no sibling sub-domain can set or shadow it.
   */
  static final String HOST_PREFIX = "__Host-";

  static final String ACCESS_HEADER = "st-access-token";
  static final String REFRESH_HEADER = "st-refresh-token";
  static final String FRONT_TOKEN = "front-token";
  static final String ANTI_CSRF = "anti-csrf";
  static final String AUTH_MODE = "st-auth-mode";
  static final String RID = "rid";
  static final String EXPOSE = "Access-Control-Expose-Headers";
  static final String SET_COOKIE = "Set-Cookie";
  static final String REFRESH_PATH = "/session/refresh";
  static final String SIGN_OUT_PATH = "/signout";
  static final Set<TokenTransfer> BOTH = EnumSet.of(TokenTransfer.COOKIE, TokenTransfer.HEADER);

  /** Longer cookie or header values are refused before any parsing (core caps tokens lower). */
  static final int MAX_TOKEN_CHARS = 16 * 1024;

  /**
   * The access-token cookie outlives the token: its expiry is checked from the JWT, and an expired
   * token still tells the server to answer "try refresh" rather than "unauthorised". A year, as
   * browsers cap cookie lifetimes at 400 days.
   */
  private static final Duration ACCESS_COOKIE_LIFETIME = Duration.ofDays(365);

  private static final DateTimeFormatter COOKIE_DATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
          .withZone(ZoneOffset.UTC);
  static final ObjectMapper JSON = new ObjectMapper();

  private final String refreshPath;
  private final SameSite sameSite;
  private final String domain;
  private final String olderDomain;
  private final boolean secure;
  private final boolean hostPrefixed;
  private final Clock clock;
  final String accessCookie;
  final String refreshCookie;

  /**
   * @param domain the cookies' Domain, or null for host-only cookies
   * @param olderDomain the Domain of cookies an earlier configuration set, cleared when they show
   *     up next to ours; null for none
   * @param hostPrefixed whether the cookies are named {@code __Host-...} (then both have {@code
   *     Path=/}, Secure and no Domain: the builder has checked that)
   */
  Transport(
      String apiBasePath,
      SameSite sameSite,
      String domain,
      String olderDomain,
      boolean secure,
      boolean hostPrefixed,
      Clock clock) {
    this.refreshPath = apiBasePath + REFRESH_PATH;
    this.sameSite = sameSite;
    this.domain = domain;
    this.olderDomain = olderDomain;
    this.secure = secure;
    this.hostPrefixed = hostPrefixed;
    this.clock = clock;
    this.accessCookie = hostPrefixed ? HOST_PREFIX + ACCESS_COOKIE : ACCESS_COOKIE;
    this.refreshCookie = hostPrefixed ? HOST_PREFIX + REFRESH_COOKIE : REFRESH_COOKIE;
  }

  /** The older cookie domain to clean up, or null. */
  String olderDomain() {
    return olderDomain;
  }

  // ---- reading ----

  /**
   * The value of the one cookie with this name, or null when there is none.
   *
   * @throws HallpassException {@code duplicate} when the cookie appears more than once (stale
   *     cookies of another path or domain: which one is current cannot be told), UNAUTHORISED when
   *     the value is oversized
   */
  static String cookie(HttpServletRequest req, String name, Supplier<HallpassException> duplicate) {
    List<String> values = cookieValues(req, name);
    if (values.size() > 1) {
      throw duplicate.get();
    }
    String found = values.isEmpty() ? null : values.get(0);
    if (found != null) {
      checkLength(found);
    }
    return found == null || found.isEmpty() ? null : found;
  }

  /**
   * Every value of the cookies with this name, in request order, unjudged (never throws). Cookie
   * headers are split on ';' and each pair on its first '='; names are compared exactly.
   */
  static List<String> cookieValues(HttpServletRequest req, String name) {
    List<String> found = List.of();
    var headers = req.getHeaders("Cookie");
    while (headers != null && headers.hasMoreElements()) {
      String header = headers.nextElement();
      int start = 0;
      while (start < header.length()) {
        int end = header.indexOf(';', start);
        if (end < 0) {
          end = header.length();
        }
        int eq = header.indexOf('=', start);
        if (eq > start && eq < end && header.substring(start, eq).trim().equals(name)) {
          if (found.isEmpty()) {
            found = new ArrayList<>(2);
          }
          found.add(unquote(header.substring(eq + 1, end).trim()));
        }
        start = end + 1;
      }
    }
    return found;
  }

  /**
   * The token of the request's {@code Authorization: Bearer} header, or null without one.
   *
   * @throws HallpassException UNAUTHORISED for several Bearer headers or an oversized one
   */
  static String bearer(HttpServletRequest req) {
    String found = null;
    var headers = req.getHeaders("Authorization");
    while (headers != null && headers.hasMoreElements()) {
      String value = headers.nextElement().trim();
      if (value.regionMatches(true, 0, "Bearer ", 0, 7)) {
        if (found != null) {
          throw HallpassException.unauthorised("more than one Authorization: Bearer header");
        }
        found = value.substring(7).trim();
        checkLength(found);
      }
    }
    return found == null || found.isEmpty() ? null : found;
  }

  /** The {@code st-auth-mode} the client asked for, or null when it named none it knows. */
  static TokenTransfer requestedMode(HttpServletRequest req) {
    String mode = req.getHeader(AUTH_MODE);
    if (mode == null) {
      return null;
    }
    switch (mode.trim().toLowerCase(Locale.ROOT)) {
      case "header":
        return TokenTransfer.HEADER;
      case "cookie":
        return TokenTransfer.COOKIE;
      default:
        return null;
    }
  }

  /** Whether the request names any session token, without judging it (never throws). */
  boolean carriesSessionToken(HttpServletRequest req) {
    return carriesCookie(req) || carriesBearer(req);
  }

  /** Whether the request has a session cookie, without judging it (never throws). */
  boolean carriesCookie(HttpServletRequest req) {
    return !cookieValues(req, accessCookie).isEmpty()
        || !cookieValues(req, refreshCookie).isEmpty();
  }

  /**
   * Whether the request carries more than one access-token or more than one refresh-token cookie
   * (never throws). Browsers send every cookie whose domain and path match, so this means cookies
   * set for another domain or path: the request does not say which one is ours.
   */
  boolean carriesDuplicateCookies(HttpServletRequest req) {
    return cookieValues(req, accessCookie).size() > 1
        || cookieValues(req, refreshCookie).size() > 1;
  }

  /** Whether the request has a Bearer token, without judging it (never throws). */
  static boolean carriesBearer(HttpServletRequest req) {
    var auth = req.getHeaders("Authorization");
    while (auth != null && auth.hasMoreElements()) {
      if (auth.nextElement().trim().regionMatches(true, 0, "Bearer ", 0, 7)) {
        return true;
      }
    }
    return false;
  }

  private static String unquote(String v) {
    return v.length() >= 2 && v.charAt(0) == '"' && v.charAt(v.length() - 1) == '"'
        ? v.substring(1, v.length() - 1)
        : v;
  }

  private static void checkLength(String token) {
    if (token.length() > MAX_TOKEN_CHARS) {
      throw HallpassException.unauthorised(
          "session token longer than " + MAX_TOKEN_CHARS + " characters");
    }
  }

  // ---- writing ----

  /**
   * Sends a new or refreshed session's tokens, its front-token, and (cookie mode, when the
   * anti-CSRF mode uses it) its anti-CSRF token.
   */
  void sendSession(
      HttpServletRequest req,
      HttpServletResponse res,
      Session s,
      TokenTransfer mode,
      boolean sendAntiCsrf) {
    SessionTokens t = s.getTokens();
    sendAccessToken(res, s, mode);
    if (t.getRefreshToken() != null) {
      if (mode == TokenTransfer.COOKIE) {
        setCookie(
            res,
            refreshCookie,
            t.getRefreshToken(),
            refreshCookiePath(req),
            domain,
            t.getRefreshTokenExpiry());
      } else {
        setHeader(res, REFRESH_HEADER, t.getRefreshToken());
      }
    }
    if (sendAntiCsrf && mode == TokenTransfer.COOKIE && t.getAntiCsrfToken() != null) {
      setHeader(res, ANTI_CSRF, t.getAntiCsrfToken());
    }
  }

  /** Sends the session's current access token and its front-token. */
  void sendAccessToken(HttpServletResponse res, Session s, TokenTransfer mode) {
    if (mode == TokenTransfer.COOKIE) {
      setCookie(
          res,
          accessCookie,
          s.getAccessToken(),
          "/",
          domain,
          clock.instant().plus(ACCESS_COOKIE_LIFETIME));
    } else {
      setHeader(res, ACCESS_HEADER, s.getAccessToken());
    }
    setHeader(res, FRONT_TOKEN, frontToken(s));
    res.setHeader("Cache-Control", "no-store");
  }

  /**
   * Tells the client to drop its tokens: expired empty cookies (same path and domain) and/or empty
   * token headers, and {@code front-token: remove}.
   */
  void clear(HttpServletRequest req, HttpServletResponse res, Set<TokenTransfer> modes) {
    if (modes.contains(TokenTransfer.COOKIE)) {
      setCookie(res, accessCookie, "", "/", domain, null);
      setCookie(res, refreshCookie, "", refreshCookiePath(req), domain, null);
    }
    if (modes.contains(TokenTransfer.HEADER)) {
      setHeader(res, ACCESS_HEADER, "");
      setHeader(res, REFRESH_HEADER, "");
    }
    setHeader(res, FRONT_TOKEN, "remove");
  }

  /**
   * Clears the session cookies that an earlier configuration set for {@link #olderDomain()} (same
   * names and paths as ours): expired empty cookies with that Domain. Cookies of our own domain are
   * not touched, and no front-token is sent, so the client keeps its session.
   */
  void clearOlderDomainCookies(HttpServletRequest req, HttpServletResponse res) {
    setCookie(res, accessCookie, "", "/", olderDomain, null);
    setCookie(res, refreshCookie, "", refreshCookiePath(req), olderDomain, null);
    res.setHeader("Cache-Control", "no-store");
  }

  /**
   * The refresh cookie's path: only the refresh endpoint, so that the long-lived token does not
   * travel with every request; {@code /} for {@code __Host-} cookies, which browsers require.
   */
  private String refreshCookiePath(HttpServletRequest req) {
    return hostPrefixed ? "/" : req.getContextPath() + refreshPath;
  }

  /** {@code expires} null clears the cookie; {@code forDomain} null makes it host-only. */
  private void setCookie(
      HttpServletResponse res,
      String name,
      String value,
      String path,
      String forDomain,
      Instant expires) {
    StringBuilder b =
        new StringBuilder(256 + value.length())
            .append(name)
            .append('=')
            .append(value)
            .append("; Path=")
            .append(path);
    if (forDomain != null) {
      b.append("; Domain=").append(forDomain);
    }
    Instant at = expires == null ? Instant.EPOCH : expires;
    // Rounded up: Expires is exact, Max-Age whole seconds.
    long maxAge =
        expires == null ? 0 : Math.max(0, (expires.toEpochMilli() - clock.millis() + 999) / 1000);
    b.append("; Expires=")
        .append(COOKIE_DATE.format(at))
        .append("; Max-Age=")
        .append(maxAge)
        .append("; HttpOnly");
    if (secure) {
      b.append("; Secure");
    }
    b.append("; SameSite=").append(sameSite.attribute());
    addSetCookie(res, name, path, forDomain, b.toString());
  }

  /**
   * Adds a {@code Set-Cookie} header, replacing one this response already sets for the same cookie
   * (name, path and domain): one request may send a token twice, e.g. a re-issued access token and
   * then the one of a new payload, or of a sign-out that clears it; RFC 6265 asks for one per
   * cookie.
   */
  private static void addSetCookie(
      HttpServletResponse res, String name, String path, String domain, String header) {
    Collection<String> existing = res.getHeaders(SET_COOKIE);
    List<String> kept = new ArrayList<>(existing.size());
    boolean replaced = false;
    for (String c : existing) {
      if (sameCookie(c, name, path, domain)) {
        replaced = true;
      } else {
        kept.add(c);
      }
    }
    if (!replaced) {
      res.addHeader(SET_COOKIE, header);
      return;
    }
    kept.add(header);
    res.setHeader(SET_COOKIE, kept.get(0));
    for (int i = 1; i < kept.size(); i++) {
      res.addHeader(SET_COOKIE, kept.get(i));
    }
  }

  private static boolean sameCookie(String setCookie, String name, String path, String domain) {
    if (!setCookie.startsWith(name + "=")) {
      return false;
    }
    String p = null;
    String d = null;
    for (String attribute : setCookie.split(";")) {
      String a = attribute.trim();
      if (a.regionMatches(true, 0, "Path=", 0, 5)) {
        p = a.substring(5);
      } else if (a.regionMatches(true, 0, "Domain=", 0, 7)) {
        d = a.substring(7);
      }
    }
    return path.equals(p) && Objects.equals(domain, d);
  }

  private static void setHeader(HttpServletResponse res, String name, String value) {
    res.setHeader(name, value);
    expose(res, name);
  }

  /** Adds {@code name} to {@code Access-Control-Expose-Headers}, keeping what is there. */
  static void expose(HttpServletResponse res, String name) {
    Set<String> names = new LinkedHashSet<>();
    for (String v : res.getHeaders(EXPOSE)) {
      for (String n : v.split(",")) {
        if (!n.isBlank()) {
          names.add(n.trim().toLowerCase(Locale.ROOT));
        }
      }
    }
    if (names.add(name.toLowerCase(Locale.ROOT))) {
      res.setHeader(EXPOSE, String.join(", ", names));
    }
  }

  /**
   * The {@code front-token} header: standard base64 of the UTF-8 JSON {@code {"uid", "ate" (ms),
   * "up" (the access token's whole payload)}}. The SDK reads {@code up.iat} to estimate clock skew
   * and shows {@code up} as the access-token payload.
   */
  static String frontToken(Session s) {
    Map<String, Object> front = new LinkedHashMap<>();
    front.put("uid", s.getUserId());
    front.put("ate", s.getAccessTokenExpiry().toEpochMilli());
    front.put("up", s.getAccessTokenPayload());
    try {
      return Base64.getEncoder()
          .encodeToString(JSON.writeValueAsString(front).getBytes(StandardCharsets.UTF_8));
    } catch (java.io.IOException e) {
      throw HallpassException.generalError("could not write the front-token", e);
    }
  }

  /** A small JSON object body, e.g. {@code {"message":"unauthorised"}}. */
  static String json(String key, String value) {
    try {
      return JSON.writeValueAsString(java.util.Map.of(key, value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
