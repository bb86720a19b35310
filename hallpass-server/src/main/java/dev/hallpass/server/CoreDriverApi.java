package dev.hallpass.server;

import dev.hallpass.Hallpass;
import dev.hallpass.HallpassException;
import dev.hallpass.JsonWebKeySet;
import dev.hallpass.Session;
import dev.hallpass.SessionInformation;
import dev.hallpass.SessionTokens;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The core driver interface's endpoints, each a thin mapping between its JSON and one or two {@link
 * Hallpass} calls. All session logic is the engine's; this class only translates.
 *
 * <p>Results about the caller's credentials are HTTP 200 with a {@code status}; malformed input is
 * a {@link BadRequest}; engine failures (GENERAL_ERROR) propagate to the handler, which answers
 * 500.
 */
final class CoreDriverApi {
  private static final Logger LOG = LoggerFactory.getLogger(CoreDriverApi.class);

  /**
   * The core driver interface versions this server speaks: those of supertokens-node 20 (5.1), 21
   * (5.2), 22 and 23 (5.3) and 24 (5.4). Their session, JWT and JWKS calls send and read the same
   * shapes (README, "Core driver interface versions"), so every endpoint answers all of them alike;
   * {@link Call#cdiVersion()} is where a difference would be keyed.
   */
  static final List<String> CDI_VERSIONS = List.of("5.1", "5.2", "5.3", "5.4");

  /** The version of a request without a {@code cdi-version} header. */
  static final String LATEST_CDI_VERSION = CDI_VERSIONS.get(CDI_VERSIONS.size() - 1);

  static final String OK = "OK";
  static final String TOKEN_THEFT_DETECTED = "TOKEN_THEFT_DETECTED";

  /** {@code /recipe/jwt} validity cap (about 3,000 years): keeps {@code exp} far from overflow. */
  private static final long MAX_JWT_VALIDITY_SECONDS = 100_000_000_000L;

  private final Hallpass hallpass;
  private final Metrics metrics;
  private final Clock clock;
  private final AtomicBoolean staticKeyWarned = new AtomicBoolean();
  private final List<String> listedTenants;

  /**
   * @param tenants the tenants of {@code --tenants} (listed after {@code public}), or empty
   */
  CoreDriverApi(Hallpass hallpass, Metrics metrics, Clock clock, List<String> tenants) {
    this.hallpass = hallpass;
    this.metrics = metrics;
    this.clock = clock;
    Set<String> listed = new LinkedHashSet<>();
    listed.add(Hallpass.DEFAULT_TENANT_ID);
    listed.addAll(tenants);
    this.listedTenants = List.copyOf(listed);
  }

  Reply hello(Call call) {
    return Reply.text(200, "Hello");
  }

  Reply apiVersion(Call call) {
    return Reply.json(Map.of("versions", CDI_VERSIONS));
  }

  /** The JWKS, cacheable until the next key rotation (when the set changes). */
  Reply jwks(Call call) {
    JsonWebKeySet set = hallpass.getJwks();
    long maxAge = Math.max(0, Duration.between(clock.instant(), set.getCacheUntil()).getSeconds());
    return new Reply(
        200,
        Reply.JSON,
        set.toJson().getBytes(StandardCharsets.UTF_8),
        Map.of("Cache-Control", "max-age=" + maxAge));
  }

  /**
   * POST /[tenant/]recipe/session: a new session in the path's tenant. A payload over the engine's
   * limits (2,048 JSON characters, or an access token over 4,000 characters) is a 400 naming the
   * limit, as for every call that sets the payload.
   */
  Reply createSession(Call call) {
    Json in = call.json();
    String userId = in.requiredString("userId");
    Map<String, Object> jwtPayload = in.requiredObject("userDataInJWT");
    Map<String, Object> sessionData = in.requiredObject("userDataInDatabase");
    boolean enableAntiCsrf = in.requiredBoolean("enableAntiCsrf");
    warnIfStaticKeyAsked(in);
    Session s =
        validated(
            () -> hallpass.createNewSession(call.tenantId(), userId, jwtPayload, sessionData));
    return Reply.json(issued(s, enableAntiCsrf));
  }

  /**
   * POST /recipe/session/verify: the SDK asks to check the database, and once for each token issued
   * by a refresh (it carries {@code parentRefreshTokenHash1}): the engine then marks the new
   * refresh token as received and re-issues the access token without that claim, which is returned
   * as {@code accessToken} for the SDK to set. A token of a refresh token that was replaced (two
   * holders of one lineage) revokes the session: answered UNAUTHORISED, since the SDKs read any
   * other status of this call as TRY_REFRESH_TOKEN.
   */
  Reply verifySession(Call call) {
    Json in = call.json();
    String accessToken = in.requiredString("accessToken");
    String antiCsrfToken = in.optionalString("antiCsrfToken");
    boolean doAntiCsrfCheck = in.requiredBoolean("doAntiCsrfCheck");
    boolean enableAntiCsrf = in.requiredBoolean("enableAntiCsrf");
    boolean checkDatabase = in.optionalBoolean("checkDatabase", false);
    try {
      Session s =
          hallpass.getSession(
              accessToken, antiCsrfToken, doAntiCsrfCheck && enableAntiCsrf, checkDatabase);
      metrics.sessionsVerified.increment();
      Map<String, Object> out = status(OK);
      out.put("session", sessionJson(s));
      if (!s.getAccessToken().equals(accessToken)) {
        // Re-issued: without the parent claim (first use after a refresh), or with the payload
        // changed by handle (checkDatabase). The SDK sets this token on its response.
        out.put("accessToken", tokenJson(s.getAccessToken()));
      }
      return Reply.json(out);
    } catch (HallpassException e) {
      return credentialError(e);
    }
  }

  /** POST /recipe/session/refresh: rotates the refresh token; a replay is theft. */
  Reply refreshSession(Call call) {
    Json in = call.json();
    String refreshToken = in.requiredString("refreshToken");
    String antiCsrfToken = in.optionalString("antiCsrfToken");
    boolean enableAntiCsrf = in.requiredBoolean("enableAntiCsrf");
    warnIfStaticKeyAsked(in);
    try {
      Session s = hallpass.refreshSession(refreshToken, antiCsrfToken, enableAntiCsrf);
      return Reply.json(issued(s, enableAntiCsrf));
    } catch (HallpassException e) {
      if (e.getType() == HallpassException.Type.TOKEN_THEFT_DETECTED) {
        Map<String, Object> session = new LinkedHashMap<>();
        session.put("handle", e.getSessionHandle());
        session.put("userId", e.getUserId());
        session.put("recipeUserId", e.getUserId());
        Map<String, Object> out = status(TOKEN_THEFT_DETECTED);
        out.put("session", session);
        return Reply.json(out);
      }
      return credentialError(e);
    }
  }

  /**
   * POST /recipe/session/regenerate: replaces the session's payload and re-signs the access token
   * (same expiry). For a genuine but expired token it only stores the payload and returns no token,
   * as SuperTokens core does: the next refresh carries it.
   */
  Reply regenerateSession(Call call) {
    Json in = call.json();
    String accessToken = in.requiredString("accessToken");
    Map<String, Object> newPayload = in.optionalObject("userDataInJWT");
    try {
      Session s = hallpass.getSession(accessToken, null, false);
      Map<String, Object> payload =
          newPayload != null ? newPayload : hallpass.getJWTPayload(s.getHandle());
      validatedRun(() -> s.updateJWTPayload(payload));
      Map<String, Object> out = status(OK);
      out.put("session", sessionJson(s));
      out.put("accessToken", tokenJson(s.getAccessToken()));
      return Reply.json(out);
    } catch (HallpassException e) {
      if (e.getType() != HallpassException.Type.TRY_REFRESH_TOKEN) {
        return credentialError(e);
      }
    }
    // TRY_REFRESH_TOKEN without an anti-CSRF check: a token this service signed (getSession checks
    // the signature first) that has expired, or one of a refresh token since replaced. Only an
    // expired one may still set the payload; the SDKs know OK and UNAUTHORISED here.
    Map<String, Object> claims = Json.claimsOf(accessToken);
    if (clock.millis() < ((Number) claims.get("exp")).longValue() * 1000) {
      return unauthorised("the access token's refresh token was replaced");
    }
    String handle = (String) claims.get("sessionHandle");
    String userId = (String) claims.get("sub");
    try {
      // The session must still belong to the token's user, as a database check requires.
      if (!hallpass.getSessionInformation(handle).getUserId().equals(userId)) {
        return unauthorised("session does not exist");
      }
      Map<String, Object> payload =
          newPayload != null ? newPayload : hallpass.getJWTPayload(handle);
      validatedRun(() -> hallpass.updateJWTPayload(handle, payload));
      Map<String, Object> session = new LinkedHashMap<>();
      session.put("handle", handle);
      session.put("userId", userId);
      session.put("recipeUserId", claims.get("rsub"));
      session.put("userDataInJWT", payload);
      session.put("tenantId", claims.get("tId"));
      Map<String, Object> out = status(OK);
      out.put("session", session);
      return Reply.json(out);
    } catch (HallpassException e) {
      return credentialError(e);
    }
  }

  /** GET /recipe/session?sessionHandle=: what the store knows. */
  Reply sessionInformation(Call call) {
    String handle = call.requiredQuery("sessionHandle");
    try {
      SessionInformation info = validated(() -> hallpass.getSessionInformation(handle));
      Map<String, Object> out = status(OK);
      out.put("sessionHandle", info.getHandle());
      out.put("userId", info.getUserId());
      out.put("recipeUserId", info.getUserId());
      out.put("expiry", info.getExpiresAt().toEpochMilli());
      out.put("userDataInDatabase", info.getSessionData());
      out.put("userDataInJWT", info.getJWTPayload());
      out.put("timeCreated", info.getCreatedAt().toEpochMilli());
      out.put("tenantId", info.getTenantId());
      return Reply.json(out);
    } catch (HallpassException e) {
      return credentialError(e);
    }
  }

  /** PUT /recipe/session/data: replaces the session data. */
  Reply updateSessionData(Call call) {
    Json in = call.json();
    String handle = in.requiredString("sessionHandle");
    Map<String, Object> data = in.requiredObject("userDataInDatabase");
    try {
      validatedRun(() -> hallpass.updateSessionData(handle, data));
      return Reply.json(status(OK));
    } catch (HallpassException e) {
      return credentialError(e);
    }
  }

  /** PUT /recipe/jwt/data: replaces the access-token payload from the next token on. */
  Reply updateJwtData(Call call) {
    Json in = call.json();
    String handle = in.requiredString("sessionHandle");
    Map<String, Object> payload = in.requiredObject("userDataInJWT");
    try {
      validatedRun(() -> hallpass.updateJWTPayload(handle, payload));
      return Reply.json(status(OK));
    } catch (HallpassException e) {
      return credentialError(e);
    }
  }

  /**
   * GET /[tenant/]recipe/session/user?userId=: the user's live session handles in the path's
   * tenant, or in every tenant with {@code fetchAcrossAllTenants=true} (what the SDKs send, to the
   * path without a tenant, when the application passes no tenant id).
   */
  Reply sessionHandlesOfUser(Call call) {
    String userId = call.requiredQuery("userId");
    // Accepted for the protocol; without account linking a user has one recipe user id.
    call.optionalBooleanQuery("fetchSessionsForAllLinkedAccounts", true);
    boolean acrossTenants = call.optionalBooleanQuery("fetchAcrossAllTenants", false);
    List<String> handles =
        validated(
            () ->
                acrossTenants
                    ? hallpass.getAllSessionHandlesForUser(userId)
                    : hallpass.getAllSessionHandlesForUser(call.tenantId(), userId));
    Map<String, Object> out = status(OK);
    out.put("sessionHandles", handles);
    return Reply.json(out);
  }

  /**
   * POST /[tenant/]recipe/session/remove: by handles (whatever their tenant), or every session of a
   * user in the path's tenant, or in every tenant with {@code revokeAcrossAllTenants: true}.
   */
  Reply removeSessions(Call call) {
    Json in = call.json();
    List<String> handles = in.optionalStringArray("sessionHandles");
    List<String> revoked;
    if (handles != null) {
      revoked = validated(() -> hallpass.revokeMultipleSessions(handles));
    } else if (in.has("userId")) {
      String userId = in.requiredString("userId");
      in.optionalBoolean("revokeSessionsForLinkedAccounts", true);
      boolean acrossTenants = in.optionalBoolean("revokeAcrossAllTenants", false);
      revoked =
          validated(
              () ->
                  acrossTenants
                      ? hallpass.revokeAllSessionsForUser(userId)
                      : hallpass.revokeAllSessionsForUser(call.tenantId(), userId));
    } else {
      throw new BadRequest("Field name 'sessionHandles' or 'userId' is required in JSON input");
    }
    Map<String, Object> out = status(OK);
    out.put("sessionHandlesRevoked", revoked);
    return Reply.json(out);
  }

  /**
   * POST /recipe/jwt: a JWT for other services, signed with the current session key. It must never
   * pass for a session: the engine refuses payloads with the session-only claims ({@code
   * sessionHandle}, {@code refreshTokenHash1}, {@code parentRefreshTokenHash1}, {@code
   * antiCsrfToken}), answered 400 with its reason.
   */
  Reply createJwt(Call call) {
    Json in = call.json();
    Map<String, Object> payload = in.requiredObject("payload");
    long validity = in.requiredLong("validity", 1, MAX_JWT_VALIDITY_SECONDS);
    String algorithm = in.requiredString("algorithm");
    in.optionalString("jwksDomain"); // the issuer is the SDK's business: it sets "iss" itself
    // Signed with the rotating key either way: verifiable while that key is published (see README).
    in.optionalBoolean("useStaticSigningKey", true);
    if (!algorithm.toUpperCase(Locale.ROOT).equals("RS256")) {
      return Reply.json(status("UNSUPPORTED_ALGORITHM_ERROR"));
    }
    String jwt = validated(() -> hallpass.createJWT(payload, Duration.ofSeconds(validity)));
    Map<String, Object> out = status(OK);
    out.put("jwt", jwt);
    return Reply.json(out);
  }

  /** GET /user/id: Hallpass keeps no user accounts, so no user id is known. */
  Reply userById(Call call) {
    call.requiredQuery("userId");
    return Reply.json(status("UNKNOWN_USER_ID_ERROR"));
  }

  /** GET /users/count: no user accounts are kept here. */
  Reply usersCount(Call call) {
    Map<String, Object> out = status(OK);
    out.put("count", 0);
    return Reply.json(out);
  }

  /**
   * GET /recipe/multitenancy/tenant/list/v2: {@code public} and the tenants of {@code --tenants}
   * (without that option any valid tenant id is accepted, and only {@code public} is listed).
   */
  Reply tenants(Call call) {
    List<Map<String, Object>> list = new ArrayList<>();
    for (String id : listedTenants) {
      Map<String, Object> tenant = new LinkedHashMap<>();
      tenant.put("tenantId", id);
      tenant.put("thirdParty", Map.of("providers", List.of()));
      tenant.put("coreConfig", Map.of());
      list.add(tenant);
    }
    Map<String, Object> out = status(OK);
    out.put("tenants", list);
    return Reply.json(out);
  }

  private Map<String, Object> issued(Session s, boolean enableAntiCsrf) {
    SessionTokens t = s.getTokens();
    long createdMillis = issuedAtMillis(t.getAccessToken());
    Map<String, Object> out = status(OK);
    out.put("session", sessionJson(s));
    out.put("accessToken", tokenJson(t.getAccessToken()));
    out.put(
        "refreshToken",
        Map.of(
            "token",
            t.getRefreshToken(),
            "expiry",
            t.getRefreshTokenExpiry().toEpochMilli(),
            "createdTime",
            createdMillis));
    if (enableAntiCsrf && t.getAntiCsrfToken() != null) {
      out.put("antiCsrfToken", t.getAntiCsrfToken());
    }
    return out;
  }

  private static Map<String, Object> sessionJson(Session s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("handle", s.getHandle());
    m.put("userId", s.getUserId());
    m.put("recipeUserId", s.getUserId());
    m.put("userDataInJWT", s.getJWTPayload());
    m.put("tenantId", s.getTenantId());
    return m;
  }

  /** {@code {token, expiry, createdTime}} of an access token this engine just issued. */
  private static Map<String, Object> tokenJson(String accessToken) {
    Map<String, Object> claims = Json.claimsOf(accessToken);
    return Map.of(
        "token",
        accessToken,
        "expiry",
        ((Number) claims.get("exp")).longValue() * 1000,
        "createdTime",
        ((Number) claims.get("iat")).longValue() * 1000);
  }

  private static long issuedAtMillis(String accessToken) {
    return ((Number) Json.claimsOf(accessToken).get("iat")).longValue() * 1000;
  }

  private static Map<String, Object> status(String status) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("status", status);
    return m;
  }

  /**
   * UNAUTHORISED and TRY_REFRESH_TOKEN as results. TOKEN_THEFT_DETECTED outside a refresh (an
   * access token of a replaced refresh token was used; the engine revoked the session) is
   * UNAUTHORISED, the status these calls have for a revoked session. Anything else is not the
   * caller's doing and propagates (500).
   */
  private Reply credentialError(HallpassException e) {
    switch (e.getType()) {
      case TOKEN_THEFT_DETECTED:
        return unauthorised("token theft detected: the session was revoked");
      case UNAUTHORISED:
      case TRY_REFRESH_TOKEN:
        Map<String, Object> out = status(e.getType().name());
        out.put("message", e.getMessage()); // engine messages never hold tokens or data
        return Reply.json(out);
      default:
        throw e;
    }
  }

  private static Reply unauthorised(String message) {
    Map<String, Object> out = status(HallpassException.Type.UNAUTHORISED.name());
    out.put("message", message);
    return Reply.json(out);
  }

  /** Runs an engine call whose IllegalArgumentException means the caller's input is invalid. */
  private static <T> T validated(Supplier<T> call) {
    try {
      return call.get();
    } catch (IllegalArgumentException e) {
      throw new BadRequest(e.getMessage());
    }
  }

  private static void validatedRun(Runnable call) {
    validated(
        () -> {
          call.run();
          return null;
        });
  }

  /**
   * Static access-token signing keys ({@code useDynamicSigningKey: false}) are not supported by the
   * engine: the request is served with the rotating key, and that is logged once.
   */
  private void warnIfStaticKeyAsked(Json in) {
    if (!in.optionalBoolean("useDynamicSigningKey", true)
        && staticKeyWarned.compareAndSet(false, true)) {
      LOG.warn(
          "a client asked for static access-token signing keys; Hallpass signs with its "
              + "rotating keys only (kid d-...), which SDKs configured with "
              + "useDynamicAccessTokenSigningKey=false reject");
    }
  }
}
