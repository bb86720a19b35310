package dev.hallpass;

import dev.hallpass.spi.RefreshWrite;
import dev.hallpass.spi.SessionRecord;
import dev.hallpass.spi.SessionStore;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The session engine behind {@link Hallpass}: verification, creation and the store calls. The
 * refresh rules are in {@link Refresher}; tokens in {@link AccessTokens} and {@link RefreshTokens}.
 */
final class Engine implements Hallpass {
  private static final System.Logger LOG = System.getLogger(Engine.class.getName());
  static final int MAX_USER_ID_LENGTH = 512;

  /** The longest application payload, as JSON characters. */
  static final int MAX_PAYLOAD_JSON_LENGTH = 2_048;

  /** Claims that only a session token carries: {@link #createJWT} refuses them. */
  static final Set<String> SESSION_ONLY_CLAIMS =
      Set.of(
          AccessTokens.SESSION_HANDLE,
          AccessTokens.REFRESH_TOKEN_HASH,
          AccessTokens.PARENT_REFRESH_TOKEN_HASH,
          AccessTokens.ANTI_CSRF);

  /** Refresh-token hashes this process confirmed, so a repeated token costs no write. Bounded. */
  private static final int MAX_REMEMBERED_CONFIRMATIONS = 10_000;

  /**
   * After a confirmation failed because the store did, further confirmations are skipped this long
   * (their tokens are accepted unconfirmed), so an outage costs at most one store timeout per pause
   * instead of one per request.
   */
  static final long CONFIRM_PAUSE_MILLIS = 5_000;

  final EngineConfig config;
  final SessionStore store;
  final AccessTokens tokens;
  private final KeyRing keyRing;
  private final TokenCache cache;
  private final Refresher refresher;
  private final Signer signer;
  private final Set<String> confirmed = ConcurrentHashMap.newKeySet();

  /** Set once the store has refused to re-wrap a refresh key (it lacks that method). */
  private volatile boolean refreshKeyRewrapUnsupported;

  /** Until when (engine clock, epoch ms) confirmations are skipped after a store failure. */
  private volatile long confirmPausedUntil = Long.MIN_VALUE;

  private final ScheduledExecutorService sweeper;

  /** Recent revocations pushed by the store, when blacklisting is on and the store has a feed. */
  private final RevokedSet revoked;

  /** The registered listeners; empty costs nothing on the request path. */
  private final SessionListener[] listeners;

  /** Builds the engine from validated settings; loads or creates the signing keys. */
  Engine(EngineConfig config) {
    this.config = config;
    this.store = config.store();
    this.keyRing =
        new KeyRing(
            store,
            config.clock(),
            config.random(),
            config.keyRotationInterval(),
            config.accessTokenValidity(),
            config.keyWrapping(),
            config.accessTokenSigning());
    this.tokens = new AccessTokens(keyRing);
    this.cache =
        config.verifiedTokenCacheSize() > 0
            ? new TokenCache(config.verifiedTokenCacheSize())
            : null;
    this.refresher =
        new Refresher(
            config.refreshGracePeriod(),
            config.lifetime(),
            config.antiCsrf(),
            config.keyWrapping());
    // Overlapping the signature with the store write pays for RSA (a millisecond of CPU), not for
    // HMAC (microseconds, less than handing the work to another thread).
    this.signer =
        config.accessTokenSigning() == AccessTokenSigning.RS256 ? new Signer(tokens) : null;
    this.listeners = config.listeners().toArray(new SessionListener[0]);
    keyRing.signingKey();
    this.revoked =
        config.blacklisting()
            ? store
                .revocationFeed()
                .map(f -> new RevokedSet(f, config.clock(), config.accessTokenValidity()).start())
                .orElse(null)
            : null;
    if (config.cleanupInterval() != null) {
      sweeper =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "hallpass-cleanup");
                t.setDaemon(true);
                return t;
              });
      long ms = config.cleanupInterval().toMillis();
      sweeper.scheduleWithFixedDelay(this::sweepQuietly, ms, ms, TimeUnit.MILLISECONDS);
    } else {
      sweeper = null;
    }
  }

  @Override
  public Session createNewSession(
      String tenantId,
      String userId,
      Map<String, Object> jwtPayload,
      Map<String, Object> sessionData,
      ClientInfo client) {
    validateTenantId(tenantId);
    validateUserId(userId);
    Objects.requireNonNull(client, "client");
    String payloadJson = payloadJson(jwtPayload);
    String dataJson = Json.write(sessionData, "sessionData");
    Map<String, Object> payload = Json.readStored(payloadJson);
    Instant now = now();
    byte[] handleBytes = new byte[16];
    config.random().nextBytes(handleBytes);
    handleBytes[6] = (byte) ((handleBytes[6] & 0x0f) | 0x40); // a version-4 UUID
    handleBytes[8] = (byte) ((handleBytes[8] & 0x3f) | 0x80);
    String handle = RefreshTokens.handle(handleBytes);
    byte[] key = RefreshTokens.newSecret(config.random());
    byte[] secret = RefreshTokens.newSecret(config.random());
    String refreshToken = RefreshTokens.encode(key, handleBytes, secret);
    String refreshHash = Crypto.sha256Hex(refreshToken);
    String csrf = config.antiCsrf() ? RefreshTokens.antiCsrfToken(key, secret) : null;
    long iat = now.getEpochSecond();
    AccessTokens.Claims claims =
        new AccessTokens.Claims(
            userId,
            tenantId,
            handle,
            refreshHash,
            null,
            csrf,
            iat,
            iat + config.accessTokenValidity().getSeconds(),
            payload);
    checkTokenSize(claims);
    Instant expiresAt = config.lifetime().expiry(now, now);
    SessionRecord created =
        SessionRecord.created(
            handle,
            tenantId,
            userId,
            dataJson,
            payloadJson,
            now,
            expiresAt,
            config.keyWrapping().wrap(key, KeyWrapping.Purpose.SESSION_REFRESH_KEY, handle),
            refreshHash);
    if (config.recordClientMetadata()) {
      created = created.withCreatedClient(client.ip(), client.userAgent());
    }
    // RS256: the signature (about a millisecond of CPU) is made while the store inserts, when a
    // core is free; the token is handed out only after the insert succeeded.
    FutureTask<AccessTokens.Verified> signing = null;
    if (signer != null) {
      signer.enter();
      signing = signer.begin(claims);
    }
    try {
      store.insertSession(created);
    } catch (RuntimeException | Error e) {
      if (signing != null) {
        signing.cancel(false);
      }
      throw e;
    } finally {
      if (signer != null) {
        signer.exit();
      }
    }
    AccessTokens.Verified signed =
        signer != null ? signer.finish(signing, claims) : tokens.sign(claims);
    EngineSession session = new EngineSession(this, signed, refreshToken, expiresAt, csrf);
    emit(() -> new SessionEvent.Created(userId, handle, client));
    return session;
  }

  /**
   * Refuses claims whose token, once a refresh adds the parent claim, would be longer than {@link
   * AccessTokens#MAX_ISSUED_LENGTH}.
   */
  void checkTokenSize(AccessTokens.Claims claims) {
    AccessTokens.Claims worst =
        new AccessTokens.Claims(
            claims.userId(),
            claims.tenantId(),
            claims.handle(),
            claims.refreshTokenHash(),
            claims.refreshTokenHash(),
            RefreshTokens.antiCsrfToken(new byte[32], new byte[32]),
            claims.iat(),
            claims.exp(),
            claims.userPayload());
    int length = tokens.signedLength(worst);
    if (length > AccessTokens.MAX_ISSUED_LENGTH) {
      throw new IllegalArgumentException(
          "jwtPayload and userId make an access token of "
              + length
              + " characters; the limit is "
              + AccessTokens.MAX_ISSUED_LENGTH
              + " (browsers drop larger cookies): keep less in jwtPayload");
    }
  }

  @Override
  public Session getSession(String accessToken, String antiCsrfToken, boolean doAntiCsrfCheck) {
    if (accessToken == null || accessToken.isEmpty()) {
      failed(SessionEvent.VerificationFailure.MISSING);
      throw HallpassException.unauthorised("no access token");
    }
    AccessTokens.Verified v = cache == null ? null : cache.get(accessToken);
    if (v == null || v.key.retired) {
      try {
        v = tokens.verify(accessToken);
      } catch (HallpassException e) {
        if (e.getType() == HallpassException.Type.UNAUTHORISED) {
          failed(SessionEvent.VerificationFailure.INVALID);
        }
        throw e;
      }
      if (cache != null) {
        cache.put(v);
      }
    }
    long nowMillis = config.clock().millis();
    if (nowMillis >= v.expEpochSecond * 1000) {
      failed(SessionEvent.VerificationFailure.EXPIRED);
      throw HallpassException.tryRefreshToken("access token expired");
    }
    if (config.antiCsrf() && doAntiCsrfCheck) {
      if (antiCsrfToken == null) {
        failed(SessionEvent.VerificationFailure.ANTI_CSRF);
        throw HallpassException.tryRefreshToken("anti-CSRF token missing");
      }
      if (!Crypto.secretEquals(antiCsrfToken, v.antiCsrfToken)) {
        failed(SessionEvent.VerificationFailure.ANTI_CSRF);
        throw HallpassException.tryRefreshToken("anti-CSRF token does not match");
      }
    }
    // The common request (blacklisting off, no parent claim) allocates nothing more here.
    if (config.blacklisting() && isRevoked(v, nowMillis)) {
      failed(SessionEvent.VerificationFailure.REVOKED);
      throw HallpassException.unauthorised("session has been revoked");
    }
    if (v.parentRefreshTokenHash != null) {
      v = confirm(v, Instant.ofEpochMilli(nowMillis));
    }
    return new EngineSession(this, v, null, null, null);
  }

  /**
   * Blacklisting: from the set of recent revocations while it is known to be complete (no I/O),
   * otherwise (no feed, or one that may have missed something) from the store.
   */
  private boolean isRevoked(AccessTokens.Verified v, long nowMillis) {
    RevokedSet r = revoked;
    if (r != null && r.trusted()) {
      return r.isRevoked(v.handle, nowMillis);
    }
    return !store.isSessionLive(v.handle, v.userId, Instant.ofEpochMilli(nowMillis));
  }

  /** A revocation by this process counts here at once, before any push comes back. */
  private void revokedHere(String handle) {
    if (revoked != null) {
      revoked.revoked(handle, config.clock().millis());
    }
  }

  private List<String> revokedHere(List<String> handles) {
    for (String h : handles) {
      revokedHere(h);
    }
    return handles;
  }

  /**
   * The first use of an access token issued by a refresh: marks its refresh token as received (one
   * store write, once per process) and re-issues the access token without the parent claim, so
   * later requests need no I/O. Tokens of an older generation are accepted as they are.
   */
  private AccessTokens.Verified confirm(AccessTokens.Verified v, Instant now) {
    if (!confirmed.contains(v.refreshTokenHash)) {
      if (now.toEpochMilli() < confirmPausedUntil) {
        return v; // the store failed moments ago: accept unconfirmed, as below
      }
      Refresher.Check c;
      try {
        c = store.confirmRefreshToken(v.handle, v.refreshTokenHash, now) ? null : check(v);
      } catch (HallpassException e) {
        if (e.getType() != HallpassException.Type.GENERAL_ERROR) {
          throw e;
        }
        // The store is failing. The token is authentic and unexpired, which is all an access
        // token needs (blacklisting is off here), so it is answered as it is: not re-issued, so
        // that the client's next request carries the parent claim and the confirmation is tried
        // again. Nothing is lost: while C is unconfirmed, a holder of P gets a new child (rule 3)
        // and this token's next confirmation is then theft (scenario d), as without the outage.
        confirmPausedUntil = now.toEpochMilli() + CONFIRM_PAUSE_MILLIS;
        // No apostrophe in the pattern: MessageFormat would quote the parameters away.
        LOG.log(
            System.Logger.Level.WARNING,
            "the store failed to confirm the refreshed token of session {0} ({1}); accepted it"
                + " unconfirmed, confirmations paused for "
                + CONFIRM_PAUSE_MILLIS
                + " ms",
            v.handle,
            e.getMessage());
        return v;
      }
      if (c != null) {
        if (c instanceof Refresher.Accept) {
          return v;
        }
        forget(v.token);
        if (c instanceof Refresher.ForkedLineage f) {
          revokedHere(f.handle());
          LOG.log(
              System.Logger.Level.WARNING,
              "an access token of a replaced refresh token was used: revoked session {0}",
              f.handle());
          emit(
              () ->
                  new SessionEvent.Revoked(
                      f.userId(),
                      f.handle(),
                      SessionEvent.RevokeReason.THEFT_DETECTED,
                      ClientInfo.UNKNOWN));
          throw HallpassException.tokenTheftDetected(f.userId(), f.handle());
        }
        if (((Refresher.Reject) c).sessionGone()) {
          failed(SessionEvent.VerificationFailure.REVOKED);
          throw HallpassException.unauthorised("session does not exist");
        }
        throw HallpassException.tryRefreshToken("access token of a superseded refresh token");
      }
      if (confirmed.size() >= MAX_REMEMBERED_CONFIRMATIONS) {
        confirmed.clear();
      }
      confirmed.add(v.refreshTokenHash);
    }
    AccessTokens.Verified reissued =
        tokens.sign(v.claims(now.getEpochSecond(), null, v.userPayload()));
    if (cache != null) {
      cache.put(reissued);
    }
    return reissued;
  }

  /** The confirmation rules for a token whose refresh token is not the session's current one. */
  private Refresher.Check check(AccessTokens.Verified v) {
    return store.lockAndDecide(
        v.handle,
        (rec, storeNow) ->
            refresher.check(rec, storeNow, v.userId, v.refreshTokenHash, v.parentRefreshTokenHash));
  }

  @Override
  public Session getSession(
      String accessToken, String antiCsrfToken, boolean doAntiCsrfCheck, boolean checkDatabase) {
    Session s = getSession(accessToken, antiCsrfToken, doAntiCsrfCheck);
    if (!checkDatabase) {
      return s;
    }
    SessionRecord r;
    try {
      r = liveRecord(s.getHandle());
    } catch (HallpassException e) {
      if (e.getType() == HallpassException.Type.UNAUTHORISED) {
        failed(SessionEvent.VerificationFailure.REVOKED);
      }
      throw e;
    }
    if (!r.userId().equals(s.getUserId())) {
      failed(SessionEvent.VerificationFailure.REVOKED);
      throw HallpassException.unauthorised("session does not exist");
    }
    Map<String, Object> stored = Json.readStored(r.jwtPayloadJson());
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
    return refreshSession(refreshToken, antiCsrfToken, doAntiCsrfCheck, ClientInfo.UNKNOWN);
  }

  @Override
  public Session refreshSession(
      String refreshToken, String antiCsrfToken, boolean doAntiCsrfCheck, ClientInfo client) {
    Objects.requireNonNull(client, "client");
    ClientInfo recorded = config.recordClientMetadata() ? client : null;
    RefreshTokens.Parsed presented = RefreshTokens.parse(refreshToken);
    if (presented == null) {
      throw HallpassException.unauthorised("refresh token is missing or malformed");
    }
    String presentedHash = Crypto.sha256Hex(refreshToken);
    long iat = now().getEpochSecond();
    RefreshAttempt attempt;
    if (signer != null) {
      signer.enter();
    }
    try {
      attempt =
          store.lockAndDecide(
              presented.handle,
              (rec, now) ->
                  new RefreshAttempt(
                      refresher.refresh(
                          rec,
                          now,
                          presented,
                          presentedHash,
                          antiCsrfToken,
                          doAntiCsrfCheck,
                          recorded),
                      iat));
    } finally {
      if (signer != null) {
        signer.exit();
      }
    }
    // Committed: only now are tokens handed out.
    Refresher.Verdict verdict = attempt.verdict;
    if (verdict instanceof Refresher.Theft t) {
      revokedHere(t.handle());
      LOG.log(System.Logger.Level.WARNING, "refresh token reuse: revoked session {0}", t.handle());
      emit(
          () ->
              new SessionEvent.Revoked(
                  t.userId(), t.handle(), SessionEvent.RevokeReason.THEFT_DETECTED, client));
      throw HallpassException.tokenTheftDetected(t.userId(), t.handle());
    }
    if (verdict instanceof Refresher.Expired x) {
      emit(() -> new SessionEvent.Revoked(x.userId(), x.handle(), x.reason(), client));
      throw HallpassException.unauthorised("session expired");
    }
    if (verdict instanceof Refresher.Refuse r) {
      throw HallpassException.unauthorised(r.reason());
    }
    Refresher.Issue issue = (Refresher.Issue) verdict;
    AccessTokens.Verified at =
        signer != null
            ? signer.finish(attempt.signing, attempt.claims())
            : tokens.sign(attempt.claims());
    rewrapRefreshKey(issue.session());
    if (issue.write() instanceof RefreshWrite.Rotate) {
      SessionRecord rec = issue.session();
      emit(() -> new SessionEvent.Refreshed(rec.userId(), rec.handle(), client));
    }
    return new EngineSession(
        this, at, issue.refreshToken(), issue.sessionExpiry(), issue.antiCsrfToken());
  }

  /**
   * After a committed refresh: stores the session's refresh key encrypted under the primary
   * key-encryption key when it was stored in plaintext (from before encryption was on) or under an
   * older one. A compare-and-set beside the refresh, not in it: a failure or a lost race changes
   * nothing but leaves the old form for the next refresh, and never fails this one.
   */
  private void rewrapRefreshKey(SessionRecord rec) {
    KeyWrapping wrapping = config.keyWrapping();
    if (!wrapping.enabled()
        || refreshKeyRewrapUnsupported
        || wrapping.isCurrent(rec.refreshKey())) {
      return;
    }
    try {
      String wrapped =
          wrapping.rewrap(
              rec.refreshKey(),
              KeyWrapping.Purpose.SESSION_REFRESH_KEY,
              rec.handle(),
              rec.handle());
      store.replaceRefreshKey(rec.handle(), rec.refreshKey(), wrapped);
    } catch (UnsupportedOperationException e) {
      refreshKeyRewrapUnsupported = true;
      LOG.log(
          System.Logger.Level.WARNING,
          "the session store cannot re-encrypt refresh keys ({0}): sessions stored in plaintext or"
              + " under an older key-encryption key stay so until they end",
          store.getClass().getName());
    } catch (RuntimeException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "could not re-encrypt the refresh key of session "
              + rec.handle()
              + "; retrying at its next refresh",
          e);
    }
  }

  /**
   * One attempt of a refresh transaction: the rule's pure verdict, and the access token's signature
   * begun before the store writes, so that it overlaps the write and commit. A retried or failed
   * attempt's signature is discarded; only the committed attempt's is used.
   */
  private final class RefreshAttempt implements SessionStore.RefreshDecision {
    final Refresher.Verdict verdict;
    private final long iat;
    private AccessTokens.Claims claims;
    private FutureTask<AccessTokens.Verified> signing;

    RefreshAttempt(Refresher.Verdict verdict, long iat) {
      this.verdict = verdict;
      this.iat = iat;
    }

    @Override
    public RefreshWrite write() {
      return verdict.write();
    }

    @Override
    public void beforeWrite() {
      if (signer != null && verdict instanceof Refresher.Issue) {
        signing = signer.begin(claims());
      }
    }

    /** The new access token's claims (for an issuing verdict). */
    AccessTokens.Claims claims() {
      if (claims == null) {
        Refresher.Issue issue = (Refresher.Issue) verdict;
        SessionRecord rec = issue.session();
        claims =
            new AccessTokens.Claims(
                rec.userId(),
                rec.tenantId(),
                rec.handle(),
                issue.refreshHash(),
                issue.parentHash(),
                issue.antiCsrfToken(),
                iat,
                iat + config.accessTokenValidity().getSeconds(),
                Json.readStored(rec.jwtPayloadJson()));
      }
      return claims;
    }
  }

  @Override
  public boolean revokeSession(String sessionHandle) {
    return revoke(requireHandle(sessionHandle), null, SessionEvent.RevokeReason.REVOKED_BY_APP);
  }

  /**
   * Deletes one session and reports it; with listeners and no {@code knownUserId}, reads its user
   * first for the event.
   */
  boolean revoke(String handle, String knownUserId, SessionEvent.RevokeReason reason) {
    if (listeners.length == 0) {
      boolean existed = store.deleteSession(handle);
      revokedHere(handle);
      return existed;
    }
    String userId =
        knownUserId != null
            ? knownUserId
            : store.findSession(handle).map(SessionRecord::userId).orElse(null);
    boolean deleted = store.deleteSession(handle);
    revokedHere(handle);
    if (deleted) {
      emit(() -> new SessionEvent.Revoked(userId, handle, reason, ClientInfo.UNKNOWN));
    }
    return deleted;
  }

  @Override
  public List<String> revokeMultipleSessions(Collection<String> sessionHandles) {
    Objects.requireNonNull(sessionHandles, "sessionHandles");
    List<String> handles = new ArrayList<>(sessionHandles.size());
    for (String h : sessionHandles) {
      handles.add(requireHandle(h));
    }
    if (handles.isEmpty()) {
      return List.of();
    }
    if (listeners.length == 0) {
      return revokedHere(store.deleteSessions(handles));
    }
    Map<String, String> users = new java.util.HashMap<>();
    for (String h : handles) {
      store.findSession(h).ifPresent(r -> users.put(h, r.userId()));
    }
    List<String> deleted = revokedHere(store.deleteSessions(handles));
    for (String h : deleted) {
      emit(
          () ->
              new SessionEvent.Revoked(
                  users.get(h), h, SessionEvent.RevokeReason.REVOKED_BY_APP, ClientInfo.UNKNOWN));
    }
    return deleted;
  }

  @Override
  public List<String> revokeAllSessionsForUser(String userId) {
    validateUserId(userId);
    return revokedByApp(userId, revokedHere(store.deleteSessionsOfUser(userId)));
  }

  /** Reports the sessions of one user that the application revoked. */
  private List<String> revokedByApp(String userId, List<String> deleted) {
    for (String h : deleted) {
      emit(
          () ->
              new SessionEvent.Revoked(
                  userId, h, SessionEvent.RevokeReason.REVOKED_BY_APP, ClientInfo.UNKNOWN));
    }
    return deleted;
  }

  @Override
  public List<SessionSummary> getAllSessionsForUser(String userId) {
    validateUserId(userId);
    List<SessionSummary> out = new ArrayList<>();
    for (SessionRecord r : store.findLiveSessionsOfUser(userId, now())) {
      out.add(
          new SessionSummary(
              r.handle(),
              r.userId(),
              r.tenantId(),
              r.createdAt(),
              r.issuedAt(),
              r.expiresAt(),
              r.createdIp(),
              r.createdUserAgent(),
              r.lastIp(),
              r.lastUserAgent()));
    }
    return out;
  }

  private void failed(SessionEvent.VerificationFailure reason) {
    if (listeners.length > 0) {
      emit(() -> new SessionEvent.VerificationFailed(reason));
    }
  }

  /**
   * Tells every listener; a listener's exception is logged by class and event kind only (its
   * message could carry anything) and never reaches the caller.
   */
  void emit(java.util.function.Supplier<SessionEvent> event) {
    if (listeners.length == 0) {
      return;
    }
    SessionEvent e = event.get();
    for (SessionListener l : listeners) {
      try {
        l.onEvent(e);
      } catch (RuntimeException | LinkageError x) {
        LOG.log(
            System.Logger.Level.WARNING,
            "session listener {0} threw {1} on a {2} event; ignored",
            l.getClass().getName(),
            x.getClass().getName(),
            e.getClass().getSimpleName());
      }
    }
  }

  @Override
  public List<String> getAllSessionHandlesForUser(String userId) {
    validateUserId(userId);
    return store.findLiveHandlesOfUser(userId, now());
  }

  @Override
  public List<String> revokeAllSessionsForUser(String tenantId, String userId) {
    validateTenantId(tenantId);
    validateUserId(userId);
    return revokedByApp(userId, revokedHere(store.deleteSessionsOfUser(tenantId, userId)));
  }

  @Override
  public List<String> getAllSessionHandlesForUser(String tenantId, String userId) {
    validateTenantId(tenantId);
    validateUserId(userId);
    return store.findLiveHandlesOfUser(tenantId, userId, now());
  }

  @Override
  public Map<String, Object> getSessionData(String sessionHandle) {
    String json =
        store
            .findSessionData(requireHandle(sessionHandle), now())
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
    return new SessionInformation(
        r.handle(),
        r.userId(),
        r.tenantId(),
        r.createdAt(),
        r.expiresAt(),
        Json.readStored(r.sessionDataJson()),
        Json.readStored(r.jwtPayloadJson()));
  }

  private SessionRecord liveRecord(String sessionHandle) {
    Instant now = now();
    return store
        .findSession(requireHandle(sessionHandle))
        .filter(r -> r.expiresAt().isAfter(now))
        .orElseThrow(() -> HallpassException.unauthorised("session does not exist"));
  }

  @Override
  public JsonWebKeySet getJwks() {
    return keyRing.jwks();
  }

  @Override
  public String createJWT(Map<String, Object> payload, Duration validity) {
    Objects.requireNonNull(validity, "validity");
    if (config.accessTokenSigning() != AccessTokenSigning.RS256) {
      throw new IllegalStateException(
          "createJWT signs for other services, which verify with the JWKS: it needs"
              + " accessTokenSigning(RS256), and this engine uses "
              + config.accessTokenSigning());
    }
    if (validity.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("validity must be at least 1 second");
    }
    if (payload != null) {
      for (String k : payload.keySet()) {
        if (SESSION_ONLY_CLAIMS.contains(k)) {
          throw new IllegalArgumentException(
              "payload uses the session claim '"
                  + k
                  + "': createJWT makes tokens for other services, never sessions; refused claims: "
                  + new TreeSet<>(SESSION_ONLY_CLAIMS));
        }
      }
    }
    Map<String, Object> claims =
        new LinkedHashMap<>(Json.readStored(Json.write(payload, "payload")));
    long iat = now().getEpochSecond();
    claims.put(AccessTokens.IAT, iat);
    claims.put(AccessTokens.EXP, iat + validity.getSeconds());
    return tokens.signJwt(claims);
  }

  @Override
  public boolean isAntiCsrfEnabled() {
    return config.antiCsrf();
  }

  @Override
  public int cleanUp() {
    int sessions = store.deleteExpiredSessions(now(), config.cleanupBatchSize());
    int keys = keyRing.retireOldKeys();
    if (revoked != null) {
      revoked.forgetExpired();
      store.revocationFeed().ifPresent(f -> f.deleteRevocationsBefore(revoked.forgetBefore()));
    }
    keyRing.signingKey(); // creates the next key ahead of its use
    if (sessions > 0 || keys > 0) {
      LOG.log(
          System.Logger.Level.DEBUG,
          "clean-up removed {0} expired sessions and {1} keys",
          sessions,
          keys);
    }
    return sessions;
  }

  private void sweepQuietly() {
    try {
      cleanUp();
    } catch (RuntimeException e) {
      LOG.log(
          System.Logger.Level.WARNING, "clean-up sweep failed; retrying at the next interval", e);
    }
  }

  @Override
  public void close() {
    if (sweeper != null) {
      sweeper.shutdownNow();
    }
    if (signer != null) {
      signer.close();
    }
    if (revoked != null) {
      revoked.close();
    }
    store.close();
  }

  /** The revocation set, or null (tests). */
  RevokedSet revokedSet() {
    return revoked;
  }

  /** How many signatures were started on another thread (tests). */
  long signaturesBegun() {
    return signer == null ? 0 : signer.begun();
  }

  /** Whether refreshes sign on another thread while the store writes (RS256 only). */
  boolean overlapsSigning() {
    return signer != null;
  }

  void forget(String accessToken) {
    if (cache != null) {
      cache.remove(accessToken);
    }
  }

  Instant now() {
    return config.clock().instant().truncatedTo(ChronoUnit.MILLIS);
  }

  /** The payload as JSON, refusing reserved claim names and payloads over the size limit. */
  String payloadJson(Map<String, Object> payload) {
    if (payload != null) {
      for (String k : payload.keySet()) {
        if (k == null || AccessTokens.RESERVED.contains(k)) {
          throw new IllegalArgumentException(
              "jwtPayload uses the reserved claim name '"
                  + k
                  + "'; reserved: "
                  + new TreeSet<>(AccessTokens.RESERVED));
        }
      }
    }
    String json = Json.write(payload, "jwtPayload");
    if (json.length() > MAX_PAYLOAD_JSON_LENGTH) {
      throw new IllegalArgumentException(
          "jwtPayload is "
              + json.length()
              + " characters as JSON; the limit is "
              + MAX_PAYLOAD_JSON_LENGTH
              + " (it travels in every access token)");
    }
    return json;
  }

  private static String requireHandle(String handle) {
    if (handle == null || handle.isEmpty()) {
      throw new IllegalArgumentException("sessionHandle must be a non-empty string");
    }
    return handle;
  }

  /** See {@link Hallpass#isValidTenantId(String)}. */
  static void validateTenantId(String tenantId) {
    if (!Hallpass.isValidTenantId(tenantId)) {
      throw new IllegalArgumentException(
          "tenantId must be 1 to "
              + Hallpass.MAX_TENANT_ID_LENGTH
              + " characters of a-z, 0-9 and '-'");
    }
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
        if (Character.isHighSurrogate(c)
            && i + 1 < userId.length()
            && Character.isLowSurrogate(userId.charAt(i + 1))) {
          i++;
        } else {
          throw new IllegalArgumentException("userId contains an unpaired surrogate character");
        }
      }
    }
  }
}
