package dev.hallpass.internal;

import dev.hallpass.Hallpass;
import dev.hallpass.HallpassException;
import dev.hallpass.JsonWebKeySet;
import dev.hallpass.Session;
import dev.hallpass.SessionInformation;
import dev.hallpass.spi.RefreshDecision;
import dev.hallpass.spi.SessionRecord;
import dev.hallpass.spi.SessionStore;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** The session engine behind {@link Hallpass}. Internal: use {@link Hallpass#builder()}. */
public final class Engine implements Hallpass {
  private static final System.Logger LOG = System.getLogger(Engine.class.getName());
  static final String DEFAULT_TENANT = "public";
  static final int MAX_USER_ID_LENGTH = 512;

  final EngineConfig config;
  final SessionStore store;
  final AccessTokens tokens;
  private final KeyRing keyRing;
  private final TokenCache cache;
  private final ScheduledExecutorService sweeper;
  /** Signs refreshed access tokens while the store commits; the caller signs when all are busy. */
  private final java.util.concurrent.ThreadPoolExecutor signer;
  private static final int PROCESSORS = Runtime.getRuntime().availableProcessors();
  private final java.util.concurrent.atomic.AtomicInteger refreshesInFlight =
      new java.util.concurrent.atomic.AtomicInteger();

  /** Builds the engine from validated settings; loads or creates the signing keys. */
  public Engine(EngineConfig config) {
    this.config = config;
    this.store = config.store;
    this.keyRing = new KeyRing(store, config.clock, config.random, config.keyRotationInterval,
        config.accessTokenValidity);
    this.tokens = new AccessTokens(keyRing);
    this.cache = config.verifiedTokenCacheSize > 0
        ? new TokenCache(config.verifiedTokenCacheSize) : null;
    keyRing.signingKey();
    signer = new java.util.concurrent.ThreadPoolExecutor(0,
        Runtime.getRuntime().availableProcessors(), 30, TimeUnit.SECONDS,
        new java.util.concurrent.SynchronousQueue<>(), r -> {
          Thread t = new Thread(r, "hallpass-signer");
          t.setDaemon(true);
          return t;
        }, new java.util.concurrent.ThreadPoolExecutor.CallerRunsPolicy());
    if (config.cleanupInterval != null) {
      sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hallpass-cleanup");
        t.setDaemon(true);
        return t;
      });
      long ms = config.cleanupInterval.toMillis();
      sweeper.scheduleWithFixedDelay(this::sweepQuietly, ms, ms, TimeUnit.MILLISECONDS);
    } else {
      sweeper = null;
    }
  }

  @Override
  public Session createNewSession(
      String userId, Map<String, Object> jwtPayload, Map<String, Object> sessionData) {
    validateUserId(userId);
    String payloadJson = payloadJson(jwtPayload);
    String dataJson = Json.write(sessionData, "sessionData");
    Instant now = now();
    byte[] handleBytes = new byte[16];
    config.random.nextBytes(handleBytes);
    handleBytes[6] = (byte) ((handleBytes[6] & 0x0f) | 0x40); // a version-4 UUID
    handleBytes[8] = (byte) ((handleBytes[8] & 0x3f) | 0x80);
    String handle = RefreshTokens.handle(handleBytes);
    byte[] key = RefreshTokens.newSecret(config.random);
    byte[] secret = RefreshTokens.newSecret(config.random);
    String refreshToken = RefreshTokens.encode(key, handleBytes, secret);
    Instant expiresAt = now.plus(config.refreshTokenValidity);
    store.insertSession(new SessionRecord(handle, DEFAULT_TENANT, userId, dataJson, payloadJson,
        now, expiresAt, Crypto.B64URL.encodeToString(key), Crypto.sha256Hex(refreshToken), null,
        null));
    return issue(userId, DEFAULT_TENANT, handle, payloadJson, key, secret, refreshToken, expiresAt,
        now);
  }

  @Override
  public Session getSession(String accessToken, String antiCsrfToken, boolean doAntiCsrfCheck) {
    if (accessToken == null || accessToken.isEmpty()) {
      throw HallpassException.unauthorised("no access token");
    }
    AccessTokens.Verified v = cache == null ? null : cache.get(accessToken);
    if (v == null || v.key.retired) {
      v = tokens.verify(accessToken);
      if (cache != null) {
        cache.put(v);
      }
    }
    long nowMillis = config.clock.millis();
    if (nowMillis >= v.expEpochSecond * 1000) {
      throw HallpassException.tryRefreshToken("access token expired");
    }
    if (config.antiCsrf && doAntiCsrfCheck) {
      if (antiCsrfToken == null) {
        throw HallpassException.tryRefreshToken("anti-CSRF token missing");
      }
      if (!Crypto.secretEquals(antiCsrfToken, v.antiCsrfToken)) {
        throw HallpassException.tryRefreshToken("anti-CSRF token does not match");
      }
    }
    if (config.blacklisting
        && !store.isSessionLive(v.handle, Instant.ofEpochMilli(nowMillis))) {
      throw HallpassException.unauthorised("session has been revoked");
    }
    return new EngineSession(this, v, null, null, null);
  }

  @Override
  public Session getSession(
      String accessToken, String antiCsrfToken, boolean doAntiCsrfCheck, boolean checkDatabase) {
    Session s = getSession(accessToken, antiCsrfToken, doAntiCsrfCheck);
    if (!checkDatabase) {
      return s;
    }
    Map<String, Object> stored = Json.readStored(liveRecord(s.getHandle()).jwtPayloadJson());
    if (!stored.equals(s.getJWTPayload())) {
      ((EngineSession) s).reissue(stored);
    }
    return s;
  }

  @Override
  public Session refreshSession(String refreshToken, String antiCsrfToken) {
    return refreshSession(refreshToken, antiCsrfToken, true);
  }

  @Override
  public Session refreshSession(
      String refreshToken, String antiCsrfToken, boolean doAntiCsrfCheck) {
    RefreshTokens.Parsed presented = RefreshTokens.parse(refreshToken);
    if (presented == null) {
      throw HallpassException.unauthorised("refresh token is missing or malformed");
    }
    Instant now = now();
    String presentedHash = Crypto.sha256Hex(refreshToken);
    // Overlapping only pays while a core is idle; when every core is busy refreshing, the
    // hand-off to the signer costs more than it hides (measured: -12% on 2 threads, 2 cores).
    boolean overlap = refreshesInFlight.incrementAndGet() < PROCESSORS;
    try {
      RefreshOutcome out = new RefreshOutcome(tokens.currentKey(), overlap);
      store.lockAndDecide(presented.handle, rec -> out.decide(
          rec, presented, presentedHash, antiCsrfToken, doAntiCsrfCheck, now));
      if (out.error != null) {
        throw out.error;
      }
      AccessTokens.Verified at;
      if (out.signed == null) {
        at = out.signing.get();
      } else {
        try {
          at = out.signed.join();
        } catch (java.util.concurrent.CompletionException e) {
          throw e.getCause() instanceof RuntimeException ? (RuntimeException) e.getCause()
              : HallpassException.generalError("signing failed", e);
        }
      }
      return new EngineSession(this, at, out.childToken, out.expiresAt, out.antiCsrf);
    } finally {
      refreshesInFlight.decrementAndGet();
    }
  }

  /**
   * What the refresh decision found; filled under the store's lock, read after commit. Once the
   * new tokens are known the access token is signed on another thread, so the RSA work overlaps
   * the store's UPDATE and COMMIT instead of following them.
   */
  private final class RefreshOutcome {
    final SigningKey signingKey;
    final boolean overlap;
    HallpassException error;
    String childToken;
    String antiCsrf;
    Instant expiresAt;
    java.util.function.Supplier<AccessTokens.Verified> signing;
    /** The signature under way on the signer, or null to sign after commit on this thread. */
    java.util.concurrent.CompletableFuture<AccessTokens.Verified> signed;

    RefreshOutcome(SigningKey signingKey, boolean overlap) {
      this.signingKey = signingKey;
      this.overlap = overlap;
    }

    RefreshDecision decide(SessionRecord rec, RefreshTokens.Parsed presented, String presentedHash,
        String antiCsrfToken, boolean doAntiCsrfCheck, Instant now) {
      error = null;
      if (rec == null) {
        error = HallpassException.unauthorised("refresh token is not valid");
        return RefreshDecision.keep();
      }
      if (!rec.expiresAt().isAfter(now)) {
        error = HallpassException.unauthorised("session expired");
        return RefreshDecision.delete();
      }
      byte[] k = Crypto.B64URL_DECODER.decode(rec.refreshKey());
      if (!RefreshTokens.tagValid(k, presented)) {
        // Names a real session but was not issued by us: a forgery, not a replay.
        error = HallpassException.unauthorised("refresh token is not valid");
        return RefreshDecision.keep();
      }
      boolean current = Crypto.secretEquals(presentedHash, rec.currentRefreshHash());
      boolean previousInGrace = !current
          && Crypto.secretEquals(presentedHash, rec.previousRefreshHash())
          && rec.rotatedAt() != null
          && now.isBefore(rec.rotatedAt().plus(config.refreshGracePeriod));
      if (!current && !previousInGrace) {
        error = HallpassException.tokenTheftDetected(rec.userId(), rec.handle());
        return RefreshDecision.delete();
      }
      if (config.antiCsrf && doAntiCsrfCheck && !Crypto.secretEquals(
          antiCsrfToken, RefreshTokens.antiCsrfToken(k, presented.secret))) {
        error = HallpassException.unauthorised("anti-CSRF check failed on refresh");
        return RefreshDecision.keep();
      }
      byte[] childSecret = RefreshTokens.childSecret(k, presented.secret);
      childToken = RefreshTokens.encode(k, presented.handleBytes, childSecret);
      antiCsrf = config.antiCsrf ? RefreshTokens.antiCsrfToken(k, childSecret) : null;
      String childHash = Crypto.sha256Hex(childToken);
      // A racer or a retry (previous token in grace) gets the child that is already current.
      expiresAt = previousInGrace ? rec.expiresAt() : now.plus(config.refreshTokenValidity);
      long iat = now.getEpochSecond();
      String csrf = antiCsrf;
      signing = () -> tokens.sign(signingKey, rec.userId(), rec.tenantId(), rec.handle(),
          childHash, csrf, iat, iat + config.accessTokenValidity.getSeconds(),
          Json.readStored(rec.jwtPayloadJson()));
      signed = overlap
          ? java.util.concurrent.CompletableFuture.supplyAsync(signing, signer) : null;
      return previousInGrace ? RefreshDecision.keep()
          : RefreshDecision.rotate(childHash, presentedHash, now, expiresAt);
    }
  }

  private Session issue(String userId, String tenantId, String handle, String payloadJson,
      byte[] key, byte[] secret, String refreshToken, Instant refreshExpiry, Instant now) {
    String csrf = config.antiCsrf ? RefreshTokens.antiCsrfToken(key, secret) : null;
    long iat = now.getEpochSecond();
    AccessTokens.Verified at = tokens.sign(userId, tenantId, handle,
        Crypto.sha256Hex(refreshToken), csrf, iat, iat + config.accessTokenValidity.getSeconds(),
        Json.readStored(payloadJson));
    return new EngineSession(this, at, refreshToken, refreshExpiry, csrf);
  }

  @Override
  public boolean revokeSession(String sessionHandle) {
    return store.deleteSession(requireHandle(sessionHandle));
  }

  @Override
  public List<String> revokeMultipleSessions(Collection<String> sessionHandles) {
    Objects.requireNonNull(sessionHandles, "sessionHandles");
    List<String> handles = new ArrayList<>(sessionHandles.size());
    for (String h : sessionHandles) {
      handles.add(requireHandle(h));
    }
    return handles.isEmpty() ? List.of() : store.deleteSessions(handles);
  }

  @Override
  public List<String> revokeAllSessionsForUser(String userId) {
    validateUserId(userId);
    return store.deleteSessionsOfUser(userId);
  }

  @Override
  public List<String> getAllSessionHandlesForUser(String userId) {
    validateUserId(userId);
    return store.findLiveHandlesOfUser(userId, now());
  }

  @Override
  public Map<String, Object> getSessionData(String sessionHandle) {
    String json = store.findSessionData(requireHandle(sessionHandle), now())
        .orElseThrow(() -> HallpassException.unauthorised("session does not exist"));
    return Json.readStored(json);
  }

  @Override
  public void updateSessionData(String sessionHandle, Map<String, Object> newSessionData) {
    String json = Json.write(newSessionData, "sessionData");
    if (!store.updateSessionData(requireHandle(sessionHandle), json, now())) {
      throw HallpassException.unauthorised("session does not exist");
    }
  }

  @Override
  public Map<String, Object> getJWTPayload(String sessionHandle) {
    return Json.readStored(liveRecord(sessionHandle).jwtPayloadJson());
  }

  @Override
  public void updateJWTPayload(String sessionHandle, Map<String, Object> newJwtPayload) {
    storePayload(requireHandle(sessionHandle), payloadJson(newJwtPayload));
  }

  void storePayload(String handle, String payloadJson) {
    if (!store.updateJwtPayload(handle, payloadJson, now())) {
      throw HallpassException.unauthorised("session does not exist");
    }
  }

  @Override
  public SessionInformation getSessionInformation(String sessionHandle) {
    SessionRecord r = liveRecord(sessionHandle);
    return new SessionInformation(r.handle(), r.userId(), r.tenantId(), r.createdAt(),
        r.expiresAt(), Json.readStored(r.sessionDataJson()), Json.readStored(r.jwtPayloadJson()));
  }

  private SessionRecord liveRecord(String sessionHandle) {
    Instant now = now();
    return store.findSession(requireHandle(sessionHandle))
        .filter(r -> r.expiresAt().isAfter(now))
        .orElseThrow(() -> HallpassException.unauthorised("session does not exist"));
  }

  @Override
  public JsonWebKeySet getJwks() {
    return keyRing.jwks();
  }

  @Override
  public String createJWT(Map<String, Object> payload, java.time.Duration validity) {
    Objects.requireNonNull(validity, "validity");
    if (validity.compareTo(java.time.Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("validity must be at least 1 second");
    }
    Map<String, Object> claims = new java.util.LinkedHashMap<>(
        Json.readStored(Json.write(payload, "payload")));
    long iat = now().getEpochSecond();
    claims.put(AccessTokens.IAT, iat);
    claims.put(AccessTokens.EXP, iat + validity.getSeconds());
    return tokens.signJwt(claims);
  }

  @Override
  public boolean isAntiCsrfEnabled() {
    return config.antiCsrf;
  }

  @Override
  public int cleanUp() {
    int sessions = store.deleteExpiredSessions(now(), config.cleanupBatchSize);
    int keys = keyRing.retireOldKeys();
    keyRing.signingKey(); // creates the next key ahead of its use
    if (sessions > 0 || keys > 0) {
      LOG.log(System.Logger.Level.DEBUG, "clean-up removed {0} expired sessions and {1} keys",
          sessions, keys);
    }
    return sessions;
  }

  private void sweepQuietly() {
    try {
      cleanUp();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "clean-up sweep failed; retrying at the next interval", e);
    }
  }

  @Override
  public void close() {
    if (sweeper != null) {
      sweeper.shutdownNow();
    }
    signer.shutdown();
    store.close();
  }

  void forget(String accessToken) {
    if (cache != null) {
      cache.remove(accessToken);
    }
  }

  Instant now() {
    return config.clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  String payloadJson(Map<String, Object> payload) {
    if (payload != null) {
      for (String k : payload.keySet()) {
        if (k == null || AccessTokens.RESERVED.contains(k)) {
          throw new IllegalArgumentException("jwtPayload uses the reserved claim name '" + k
              + "'; reserved: " + new java.util.TreeSet<>(AccessTokens.RESERVED));
        }
      }
    }
    return Json.write(payload, "jwtPayload");
  }

  private static String requireHandle(String handle) {
    if (handle == null || handle.isEmpty()) {
      throw new IllegalArgumentException("sessionHandle must be a non-empty string");
    }
    return handle;
  }

  static void validateUserId(String userId) {
    if (userId == null || userId.isEmpty()) {
      throw new IllegalArgumentException("userId must be a non-empty string");
    }
    if (userId.length() > MAX_USER_ID_LENGTH) {
      throw new IllegalArgumentException(
          "userId is longer than " + MAX_USER_ID_LENGTH + " characters");
    }
    for (int i = 0; i < userId.length(); i++) {
      char c = userId.charAt(i);
      if (c == 0) {
        throw new IllegalArgumentException("userId must not contain NUL characters");
      }
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < userId.length()
            && Character.isLowSurrogate(userId.charAt(i + 1))) {
          i++;
        } else {
          throw new IllegalArgumentException("userId contains an unpaired surrogate character");
        }
      }
    }
  }
}
