package dev.hallpass;

import dev.hallpass.spi.SessionStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The session engine: creates, verifies, refreshes and revokes login sessions.
 *
 * <p>Built once per application with {@link #builder()} and shared by all threads. Access tokens
 * are JWTs (RS256 by default, or HS256: {@link Builder#accessTokenSigning}) whose verification
 * needs no database call (unless access-token blacklisting is on); refresh tokens are opaque,
 * stored only as hashes, rotated on every refresh, and a replayed one revokes its session ({@link
 * HallpassException.Type#TOKEN_THEFT_DETECTED}).
 *
 * <pre>{@code
 * Hallpass hallpass = Hallpass.builder().store(JdbcSessionStores.embedded()).build();
 * Session s = hallpass.createNewSession("alice", Map.of("role", "admin"), Map.of());
 * Session same = hallpass.getSession(s.getAccessToken(), s.getTokens().getAntiCsrfToken(), true);
 * }</pre>
 */
public interface Hallpass extends AutoCloseable {

  /** The tenant of sessions created without one. */
  String DEFAULT_TENANT_ID = "public";

  /** The longest tenant id. */
  int MAX_TENANT_ID_LENGTH = 128;

  /**
   * Whether this is a valid tenant id: 1 to {@value #MAX_TENANT_ID_LENGTH} characters of {@code
   * a-z}, {@code 0-9} and {@code -} (lower case only, so that a tenant has one spelling, in URL
   * paths too). The calls that take a tenant id reject others with an IllegalArgumentException
   * naming {@code tenantId}.
   */
  static boolean isValidTenantId(String tenantId) {
    if (tenantId == null || tenantId.isEmpty() || tenantId.length() > MAX_TENANT_ID_LENGTH) {
      return false;
    }
    for (int i = 0; i < tenantId.length(); i++) {
      char c = tenantId.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
        return false;
      }
    }
    return true;
  }

  /** A builder with secure defaults; only {@link Builder#store(SessionStore)} is required. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Starts a session: stores it and issues its access, refresh and (when enabled) anti-CSRF tokens.
   *
   * @param userId any non-empty string of at most 512 characters (no NUL)
   * @param jwtPayload claims for the access token (null for none); must not use reserved names, at
   *     most 2,048 characters as JSON, and the whole access token at most 4,000 characters
   * @param sessionData server-side data (null for none)
   * @throws IllegalArgumentException for an invalid user id, a reserved claim, a payload over its
   *     limit, or values that are not JSON-serializable
   * @throws HallpassException GENERAL_ERROR when the store fails
   */
  default Session createNewSession(
      String userId, Map<String, Object> jwtPayload, Map<String, Object> sessionData) {
    return createNewSession(DEFAULT_TENANT_ID, userId, jwtPayload, sessionData);
  }

  /**
   * Starts a session in a tenant: as {@link #createNewSession(String, Map, Map)}, with the tenant
   * recorded with the session and carried in its access tokens ({@code tId} claim, {@link
   * Session#getTenantId()}). Tenants partition the per-user calls that take a tenant id; a session
   * handle identifies a session whatever its tenant.
   *
   * @param tenantId {@value #DEFAULT_TENANT_ID} or another tenant id: 1 to {@value
   *     #MAX_TENANT_ID_LENGTH} characters of {@code a-z}, {@code 0-9} and {@code -}
   * @throws IllegalArgumentException for an invalid tenant id, and as {@link
   *     #createNewSession(String, Map, Map)}
   */
  default Session createNewSession(
      String tenantId,
      String userId,
      Map<String, Object> jwtPayload,
      Map<String, Object> sessionData) {
    return createNewSession(tenantId, userId, jwtPayload, sessionData, ClientInfo.UNKNOWN);
  }

  /**
   * As {@link #createNewSession(String, Map, Map)}, recording the client's IP address and
   * User-Agent with the session when the engine was built with {@code recordClientMetadata(true)}
   * (listeners are given them either way, e.g. for alerts). The web layer and the server call this
   * one.
   */
  default Session createNewSession(
      String userId,
      Map<String, Object> jwtPayload,
      Map<String, Object> sessionData,
      ClientInfo client) {
    return createNewSession(DEFAULT_TENANT_ID, userId, jwtPayload, sessionData, client);
  }

  /**
   * Starts a session in a tenant, recording the client: the two overloads above in one.
   *
   * @throws IllegalArgumentException for an invalid tenant id, and as {@link
   *     #createNewSession(String, Map, Map)}
   */
  Session createNewSession(
      String tenantId,
      String userId,
      Map<String, Object> jwtPayload,
      Map<String, Object> sessionData,
      ClientInfo client);

  /**
   * Verifies an access token. No database call unless access-token blacklisting is on, with one
   * exception: the first use of an access token issued by a refresh (it carries {@code
   * parentRefreshTokenHash1}) marks the new refresh token as received with one store write, and the
   * returned session then holds a re-issued access token without that claim (same expiry), which
   * the caller hands back to the client ({@link Session#getAccessToken()} differs from the token
   * given). Later requests with either token need no I/O.
   *
   * <p>When the store fails (an outage), blacklisting off: tokens are still verified without it,
   * and a token with the parent claim whose confirmation write fails is accepted as it is (not
   * re-issued; that is not an error). The confirmation is tried again on a later request, and for 5
   * seconds after such a failure not at all, so an outage does not cost every request a store
   * timeout. This is safe because such a token may do what any access token may until it expires;
   * theft involving its lineage is detected once the store answers again. Blacklisting on, an
   * outage fails the call with GENERAL_ERROR.
   *
   * <p>Time: the token is accepted while the clock is before its {@code exp} (whole seconds, so at
   * most the access-token validity after the moment it was signed) and expired from {@code exp} on,
   * with no leeway; the engine's own clock decides, so a verifying process whose clock runs ahead
   * of the signing one sees tokens expire earlier by that skew.
   *
   * @param antiCsrfToken the anti-CSRF token the client sent, or null
   * @param doAntiCsrfCheck whether to require it (when anti-CSRF protection is on)
   * @throws HallpassException TRY_REFRESH_TOKEN when the token expired or the anti-CSRF check
   *     failed or the token belongs to a refresh token that has been superseded, UNAUTHORISED when
   *     it is not a valid Hallpass token or (blacklisting on) its session is gone,
   *     TOKEN_THEFT_DETECTED (after revoking the session) for a token whose refresh token was
   *     replaced because another client presented the previous one
   */
  Session getSession(String accessToken, String antiCsrfToken, boolean doAntiCsrfCheck);

  /**
   * Verifies an access token and, when {@code checkDatabase} is true, also reads the session from
   * the store (one database call): a revoked or expired session, or one whose stored user is not
   * the token's {@code sub}, is UNAUTHORISED, and if the session's payload was changed by handle
   * ({@link #updateJWTPayload(String, Map)}) since the token was signed, the returned session
   * carries a new access token (same expiry) with the stored payload. With {@code checkDatabase}
   * false this is {@link #getSession(String, String, boolean)}.
   */
  Session getSession(
      String accessToken, String antiCsrfToken, boolean doAntiCsrfCheck, boolean checkDatabase);

  /**
   * Exchanges a refresh token for new tokens, checking the anti-CSRF token when that protection is
   * on. Same as {@code refreshSession(refreshToken, antiCsrfToken, true)}.
   */
  Session refreshSession(String refreshToken, String antiCsrfToken);

  /**
   * Exchanges a refresh token for new tokens; the presented token stops being current.
   *
   * <p>The rules, with the store's clock: concurrent refreshes with the same token (two tabs, a
   * quick retry) all receive the same new tokens within the refresh grace period. After it, the
   * previous token receives a new refresh token, replacing the one never used (its answer was lost:
   * never theft), until the client is seen using its new tokens; from then on the previous token is
   * theft. Any older token is theft. One store transaction; tokens are signed only after it
   * commits.
   *
   * @throws HallpassException UNAUTHORISED for an unknown, malformed, non-canonical or expired
   *     refresh token or a failed anti-CSRF check, TOKEN_THEFT_DETECTED (after revoking the
   *     session) for a replayed older token, GENERAL_ERROR when the store fails or is closed
   */
  Session refreshSession(String refreshToken, String antiCsrfToken, boolean doAntiCsrfCheck);

  /**
   * As {@link #refreshSession(String, String, boolean)}, recording the client's IP address and
   * User-Agent as the session's last ones when the refresh rotates the token and the engine was
   * built with {@code recordClientMetadata(true)}. An expired session (refresh-token validity,
   * inactivity timeout or absolute lifetime) is deleted and UNAUTHORISED.
   */
  Session refreshSession(
      String refreshToken, String antiCsrfToken, boolean doAntiCsrfCheck, ClientInfo client);

  /** Revokes one session; true if it existed. */
  boolean revokeSession(String sessionHandle);

  /** Revokes the given sessions; returns the handles of those that existed. */
  List<String> revokeMultipleSessions(Collection<String> sessionHandles);

  /** Revokes every session of a user, in every tenant; returns their handles. */
  List<String> revokeAllSessionsForUser(String userId);

  /**
   * Revokes every session of a user in one tenant; returns their handles. Sessions of the same user
   * id in other tenants are kept.
   *
   * @throws IllegalArgumentException for an invalid tenant id or user id
   */
  List<String> revokeAllSessionsForUser(String tenantId, String userId);

  /** The handles of a user's live sessions, in every tenant, oldest first. */
  List<String> getAllSessionHandlesForUser(String userId);

  /**
   * The handles of a user's live sessions in one tenant, oldest first.
   *
   * @throws IllegalArgumentException for an invalid tenant id or user id
   */
  List<String> getAllSessionHandlesForUser(String tenantId, String userId);

  /**
   * A user's live sessions with their times and client metadata, oldest first: what a "your
   * devices" page lists (revoke one with {@link #revokeSession}, after checking it is in this list,
   * so that a user can only revoke their own). One store read for the list and, unless the store
   * answers it in one query, one per session.
   *
   * @throws IllegalArgumentException for an invalid user id
   * @throws HallpassException GENERAL_ERROR when the store fails
   */
  List<SessionSummary> getAllSessionsForUser(String userId);

  /**
   * A session's server-side data (a fresh, modifiable copy).
   *
   * @throws HallpassException UNAUTHORISED if there is no such live session
   */
  Map<String, Object> getSessionData(String sessionHandle);

  /**
   * Replaces a session's server-side data.
   *
   * @throws HallpassException UNAUTHORISED if there is no such live session
   */
  void updateSessionData(String sessionHandle, Map<String, Object> newSessionData);

  /**
   * The claims the session's next access token will carry.
   *
   * @throws HallpassException UNAUTHORISED if there is no such live session
   */
  Map<String, Object> getJWTPayload(String sessionHandle);

  /**
   * Replaces the claims the session's access tokens carry from its next refresh on.
   *
   * @throws HallpassException UNAUTHORISED if there is no such live session
   * @throws IllegalArgumentException for a reserved claim name or a payload over 2,048 characters
   *     as JSON
   */
  void updateJWTPayload(String sessionHandle, Map<String, Object> newJwtPayload);

  /**
   * Everything the store knows about a session.
   *
   * @throws HallpassException UNAUTHORISED if there is no such live session
   */
  SessionInformation getSessionInformation(String sessionHandle);

  /**
   * The public keys that verify access tokens, for clients that verify them themselves. Lists RSA
   * keys only: HS256 keys are secrets and never appear here, so with {@link
   * AccessTokenSigning#HS256} the set holds only RSA keys left from an earlier RS256 setting, until
   * their tokens have expired.
   */
  JsonWebKeySet getJwks();

  /**
   * Signs a JWT with the current session signing key, for other services that trust this issuer's
   * JWKS (the SuperTokens {@code /recipe/jwt} call). It is never a session: the claims only a
   * session token carries ({@code sessionHandle}, {@code refreshTokenHash1}, {@code
   * parentRefreshTokenHash1}, {@code antiCsrfToken}) are refused, and {@link #getSession} rejects
   * the result. {@code iat} and {@code exp} are set from the clock and {@code validity}; the
   * payload's other claims are kept as given.
   *
   * @throws IllegalArgumentException for a validity under 1 second, a session-only claim, or a
   *     payload that is not JSON-serializable
   * @throws IllegalStateException with {@link AccessTokenSigning#HS256}: other services verify with
   *     the JWKS, which holds no HMAC key
   */
  String createJWT(Map<String, Object> payload, Duration validity);

  /** Whether sessions carry an anti-CSRF token (set by {@link Builder#antiCsrf(boolean)}). */
  boolean isAntiCsrfEnabled();

  /**
   * Runs one clean-up sweep now: deletes up to a bounded number of expired sessions and the signing
   * keys whose last token has expired. The background sweep calls the same.
   *
   * @return the number of sessions deleted
   */
  int cleanUp();

  /**
   * Stops the background sweep and closes the store. Calls still running or made afterwards fail
   * with GENERAL_ERROR; none blocks.
   */
  @Override
  void close();

  /**
   * Builds a {@link Hallpass}. Defaults: access tokens valid 1 hour, refresh tokens 100 days,
   * anti-CSRF tokens off (cookies are SameSite; turn them on for cross-site cookies), access-token
   * blacklisting off, signing keys rotated every 7 days, refresh grace period 30 seconds (or the
   * access-token validity if that is shorter), a verified-token cache of 10,000 entries, a clean-up
   * sweep every hour, the system clock and a {@link SecureRandom}, stored keys not encrypted
   * ({@link #keyEncryption}: turn it on to encrypt them), and RS256 access tokens ({@link
   * #accessTokenSigning}).
   *
   * <p>Each setter rejects an invalid value at once ({@link IllegalArgumentException} naming the
   * option); {@link #build()} rejects settings that conflict ({@link IllegalStateException}).
   */
  final class Builder {
    private SessionStore store;
    private Duration accessTokenValidity = Duration.ofHours(1);
    private Duration refreshTokenValidity = Duration.ofDays(100);
    private boolean antiCsrf = false;
    private boolean accessTokenBlacklisting = false;
    private Duration signingKeyRotationInterval = Duration.ofDays(7);
    private Duration refreshGracePeriod; // null: 30 s, or the access-token validity if shorter
    private int verifiedTokenCacheSize = 10_000;
    private Duration cleanupInterval = Duration.ofHours(1);
    private int cleanupBatchSize = 1_000;
    private Clock clock = Clock.systemUTC();
    private SecureRandom secureRandom;
    private KeyEncryptionKey keyEncryptionKey; // null: key encryption off
    private List<KeyEncryptionKey> olderKeyEncryptionKeys = List.of();
    private AccessTokenSigning accessTokenSigning = AccessTokenSigning.RS256;
    private Duration inactivityTimeout; // null: none
    private Duration absoluteTimeout; // null: none
    private boolean recordClientMetadata = false;
    private final List<SessionListener> listeners = new java.util.ArrayList<>();

    private Builder() {}

    /** Where sessions and signing keys live. Required. */
    public Builder store(SessionStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** How long an access token is accepted (whole seconds, at least 1 s). Default 1 hour. */
    public Builder accessTokenValidity(Duration validity) {
      this.accessTokenValidity = wholeSeconds(validity, "accessTokenValidity");
      return this;
    }

    /**
     * How long a session lives without a refresh (whole seconds); each refresh extends it by this
     * much. Must be longer than the access-token validity. Default 100 days. The session is alive
     * while the store's clock is before its expiry; from the expiry on (to the millisecond) its
     * refresh token is UNAUTHORISED and the session is deleted.
     */
    public Builder refreshTokenValidity(Duration validity) {
      this.refreshTokenValidity = wholeSeconds(validity, "refreshTokenValidity");
      return this;
    }

    /**
     * Whether sessions carry an anti-CSRF token that state-changing requests must echo. Default
     * off: session cookies are SameSite, which stops cross-site requests; turn it on when cookies
     * must be sent cross-site (SameSite none). Rotated on refresh.
     */
    public Builder antiCsrf(boolean enabled) {
      this.antiCsrf = enabled;
      return this;
    }

    /**
     * Whether {@code getSession} also checks the store that the session still exists, so that a
     * revoked session's access token fails at once. Costs one database call per request. Default
     * off.
     */
    public Builder accessTokenBlacklisting(boolean enabled) {
      this.accessTokenBlacklisting = enabled;
      return this;
    }

    /**
     * How long one signing key signs before the next takes over (at least 1 minute). Default 7
     * days. A key signs from its start (inclusive) to its end (exclusive); the next key is stored
     * and published a whole interval before it signs; a key stays published and verifying until its
     * end plus the access-token validity (exclusive), after the last token it signed expired, and
     * clean-up deletes it once that moment has passed.
     */
    public Builder signingKeyRotationInterval(Duration interval) {
      Objects.requireNonNull(interval, "signingKeyRotationInterval");
      if (interval.compareTo(Duration.ofMinutes(1)) < 0) {
        throw new IllegalArgumentException("signingKeyRotationInterval must be at least 1 minute");
      }
      this.signingKeyRotationInterval = interval;
      return this;
    }

    /**
     * How long after a refresh the refresh token it replaced is still answered with the same new
     * tokens (racing tabs, quick retries). After it, that token gets a new child while its last one
     * has not been used (a lost answer is never theft), and is theft once the client has used it.
     * Default 30 seconds, or the access-token validity if that is shorter; zero turns it off; it
     * may not be longer than the access-token validity. The same child is answered while the
     * store's clock is before {@code issuedAt + grace}; from that millisecond on, the rules after
     * the grace period apply.
     */
    public Builder refreshGracePeriod(Duration grace) {
      Objects.requireNonNull(grace, "refreshGracePeriod");
      if (grace.isNegative()) {
        throw new IllegalArgumentException("refreshGracePeriod must not be negative");
      }
      this.refreshGracePeriod = grace;
      return this;
    }

    /**
     * How many verified access tokens to remember so that a repeated token is not verified again
     * (rounded up to a power of two; 0 disables the cache; at most 16,777,216). Expiry,
     * blacklisting and key removal are still honoured. Default 10,000.
     */
    public Builder verifiedTokenCacheSize(int entries) {
      if (entries < 0 || entries > (1 << 24)) {
        throw new IllegalArgumentException("verifiedTokenCacheSize must be between 0 and 16777216");
      }
      this.verifiedTokenCacheSize = entries;
      return this;
    }

    /** How often the background clean-up sweep runs (at least 1 second). Default 1 hour. */
    public Builder cleanupInterval(Duration interval) {
      Objects.requireNonNull(interval, "cleanupInterval");
      if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException("cleanupInterval must be at least 1 second");
      }
      this.cleanupInterval = interval;
      return this;
    }

    /** Turns the background clean-up sweep off (call {@link Hallpass#cleanUp()} yourself). */
    public Builder disableBackgroundCleanup() {
      this.cleanupInterval = null;
      return this;
    }

    /** At most how many expired sessions one sweep deletes (at least 1). Default 1,000. */
    public Builder cleanupBatchSize(int sessions) {
      if (sessions < 1) {
        throw new IllegalArgumentException("cleanupBatchSize must be at least 1");
      }
      this.cleanupBatchSize = sessions;
      return this;
    }

    /**
     * The clock for access-token times and expiry checks. Default {@link Clock#systemUTC()}.
     * Refresh grace periods and session expiry at refresh are measured on the store's clock, shared
     * by every process (for SQL stores, the database server's), so skew between processes cannot
     * change a refresh verdict. Access-token expiry has no leeway: each process judges it on this
     * clock, so a process whose clock runs ahead by some skew treats tokens as expired that much
     * earlier (the client then refreshes); keep process clocks synchronised (NTP).
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The source of handles, tokens and keys. Default a new {@link SecureRandom}. */
    public Builder secureRandom(SecureRandom random) {
      this.secureRandom = Objects.requireNonNull(random, "secureRandom");
      return this;
    }

    /**
     * How access tokens are signed. Default {@link AccessTokenSigning#RS256}: needed whenever
     * something other than processes sharing this store verifies tokens (the SuperTokens backend
     * SDKs, hallpass-server, any JWKS client). {@link AccessTokenSigning#HS256} signs and verifies
     * in microseconds instead of about a millisecond to sign, for an application that only verifies
     * its own tokens in process; its keys are never in the JWKS, and {@link Hallpass#createJWT} is
     * refused.
     *
     * <p>Either way the engine verifies tokens of both algorithms signed by keys in its store, so a
     * running deployment can switch (restart each process with the other setting): tokens issued
     * before keep working until they expire. Every process must run a Hallpass version that knows
     * HS256 before any of them turns it on.
     */
    public Builder accessTokenSigning(AccessTokenSigning signing) {
      this.accessTokenSigning = Objects.requireNonNull(signing, "accessTokenSigning");
      return this;
    }

    /**
     * Encrypts every signing private key and every session's refresh key before it reaches the
     * store (AES-256-GCM under {@code primary}), so that someone who reads the database cannot sign
     * access tokens or forge refresh tokens. Default off.
     *
     * <p>Each stored value names the key-encryption key (KEK) it was encrypted under ({@link
     * KeyEncryptionKey#id()}) and is bound to its row (session handle; signing key id, generation
     * and public key): a value copied to another row fails to decrypt. Values found encrypted under
     * one of {@code older} are still read, and are re-encrypted under {@code primary}: signing keys
     * when this engine starts (and at each clean-up sweep), a session's refresh key at its next
     * refresh. So an older KEK must stay configured until every session stored under it has been
     * refreshed or has expired (at most the refresh-token validity after {@code primary} took
     * over); removing it earlier makes those sessions fail with GENERAL_ERROR.
     *
     * <p>It protects against reading the database (a dump, a backup, a replica), not against
     * writing it: plaintext values stored before encryption was turned on are accepted and
     * re-encrypted the same way (migration). The reverse is refused: an engine without this option
     * that finds an encrypted value fails with GENERAL_ERROR naming this option, never using
     * ciphertext as a key. Turn it on (and change {@code primary}) in every process sharing the
     * store at once: an older process cannot read what a newer one encrypted. Rotating: first give
     * every process the new KEK in {@code older}, then make it the primary.
     *
     * @param primary the KEK that encrypts
     * @param older KEKs that may still decrypt (previous primaries)
     * @throws IllegalArgumentException if a key is given twice
     */
    public Builder keyEncryption(KeyEncryptionKey primary, KeyEncryptionKey... older) {
      Objects.requireNonNull(primary, "keyEncryption primary");
      Objects.requireNonNull(older, "keyEncryption older");
      List<KeyEncryptionKey> olderList = new java.util.ArrayList<>(older.length);
      java.util.Set<String> ids = new java.util.HashSet<>();
      ids.add(primary.id());
      for (KeyEncryptionKey k : older) {
        Objects.requireNonNull(k, "keyEncryption older");
        if (!ids.add(k.id())) {
          throw new IllegalArgumentException(
              "keyEncryption: key-encryption key " + k.id() + " is given twice");
        }
        olderList.add(k);
      }
      this.keyEncryptionKey = primary;
      this.olderKeyEncryptionKeys = List.copyOf(olderList);
      return this;
    }

    /**
     * Creates the engine: loads (or creates) the signing keys and starts the clean-up sweep.
     *
     * @throws IllegalStateException when the store is missing or settings conflict; the message
     *     names the options
     * @throws HallpassException GENERAL_ERROR when the store fails
     */
    /**
     * Expires a session that has not been refreshed for this long (measured on refresh: from
     * creation, then from each refresh that rotates the token). Default: none, beyond {@link
     * #refreshTokenValidity}. Whole seconds; {@code build()} requires it to be longer than the
     * access-token validity and at most the refresh-token validity. An expired session is
     * UNAUTHORISED on refresh, deleted then (listeners: {@code IDLE_TIMEOUT}) or by the sweep.
     */
    public Builder inactivityTimeout(Duration timeout) {
      this.inactivityTimeout = wholeSeconds(timeout, "inactivityTimeout");
      return this;
    }

    /**
     * Caps a session's whole life, counted from its creation, however often it is refreshed.
     * Default: none. Whole seconds; {@code build()} requires it to be longer than the access-token
     * validity. An access token issued before the cap may be used until its own expiry (at most the
     * access-token validity later) unless blacklisting is on.
     */
    public Builder absoluteTimeout(Duration timeout) {
      this.absoluteTimeout = wholeSeconds(timeout, "absoluteTimeout");
      return this;
    }

    /**
     * Stores the client's IP address and User-Agent with each session, at creation and at each
     * refresh, for {@link Hallpass#getAllSessionsForUser} ("your devices") and listeners. Off by
     * default: both are personal data (GDPR and similar laws), so turn it on only with a purpose
     * and say so in your privacy notice; they are deleted with the session. The web layer takes the
     * address from the connection, or from {@code X-Forwarded-For} only behind a proxy it is told
     * to trust.
     */
    public Builder recordClientMetadata(boolean enabled) {
      this.recordClientMetadata = enabled;
      return this;
    }

    /**
     * Adds a listener of session events (created, refreshed, revoked with the reason, failed
     * verifications); may be called several times. See {@link SessionListener} for the guarantees.
     */
    public Builder listener(SessionListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    public Hallpass build() {
      if (store == null) {
        throw new IllegalStateException("store is required, e.g. store(SessionStores.inMemory())");
      }
      if (refreshTokenValidity.compareTo(accessTokenValidity) <= 0) {
        throw new IllegalStateException(
            "refreshTokenValidity ("
                + refreshTokenValidity
                + ") must be longer than "
                + "accessTokenValidity ("
                + accessTokenValidity
                + ")");
      }
      Duration grace =
          refreshGracePeriod != null
              ? refreshGracePeriod
              : (accessTokenValidity.compareTo(Duration.ofSeconds(30)) < 0
                  ? accessTokenValidity
                  : Duration.ofSeconds(30));
      if (grace.compareTo(accessTokenValidity) > 0) {
        throw new IllegalStateException(
            "refreshGracePeriod ("
                + grace
                + ") must not be longer than accessTokenValidity ("
                + accessTokenValidity
                + ")");
      }
      if (inactivityTimeout != null) {
        if (inactivityTimeout.compareTo(refreshTokenValidity) > 0) {
          throw new IllegalStateException(
              "inactivityTimeout ("
                  + inactivityTimeout
                  + ") must not be longer than refreshTokenValidity ("
                  + refreshTokenValidity
                  + ")");
        }
        if (inactivityTimeout.compareTo(accessTokenValidity) <= 0) {
          throw new IllegalStateException(
              "inactivityTimeout ("
                  + inactivityTimeout
                  + ") must be longer than accessTokenValidity ("
                  + accessTokenValidity
                  + ")");
        }
      }
      if (absoluteTimeout != null && absoluteTimeout.compareTo(accessTokenValidity) <= 0) {
        throw new IllegalStateException(
            "absoluteTimeout ("
                + absoluteTimeout
                + ") must be longer than accessTokenValidity ("
                + accessTokenValidity
                + ")");
      }
      SecureRandom random = secureRandom != null ? secureRandom : new SecureRandom();
      return new Engine(
          new EngineConfig(
              store,
              accessTokenValidity,
              refreshTokenValidity,
              antiCsrf,
              accessTokenBlacklisting,
              signingKeyRotationInterval,
              grace,
              verifiedTokenCacheSize,
              cleanupInterval,
              cleanupBatchSize,
              clock,
              random,
              keyEncryptionKey == null
                  ? KeyWrapping.disabled()
                  : KeyWrapping.of(keyEncryptionKey, olderKeyEncryptionKeys, random),
              accessTokenSigning,
              new EngineConfig.Lifetime(refreshTokenValidity, inactivityTimeout, absoluteTimeout),
              recordClientMetadata,
              List.copyOf(listeners)));
    }

    private static Duration wholeSeconds(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.compareTo(Duration.ofSeconds(1)) < 0 || d.getNano() != 0) {
        throw new IllegalArgumentException(
            name + " must be a whole number of seconds, at least 1 s");
      }
      return d;
    }
  }
}
