package dev.hallpass;

import dev.hallpass.spi.RefreshWrite;
import dev.hallpass.spi.SessionRecord;
import dev.hallpass.spi.SessionStore.RefreshDecision;
import java.time.Duration;
import java.time.Instant;

/**
 * The refresh-token rotation rules, as pure functions of a session (as the store read it, locked or
 * compared-and-set) and the store's time.
 *
 * <p>State per session: C (current token, the newest issued), P (the token C was issued for), when
 * C was issued, and whether the client has been seen using C. Presenting C rotates; presenting P
 * within the grace period answers C again; after it, P gets a new child replacing C unless C was
 * confirmed, which makes P theft; anything older is theft. A new token counts as received once the
 * client uses it, so a lost answer is never theft.
 *
 * <p>Nothing here has effects: the store applies {@link RefreshDecision#write()} and commits, and
 * only then does the engine sign tokens from the committed decision. A decision may be computed
 * again when the store retries its transaction.
 */
final class Refresher {
  private final Duration grace;
  private final EngineConfig.Lifetime lifetime;
  private final boolean antiCsrf;
  private final KeyWrapping wrapping;

  Refresher(Duration grace, Duration refreshTokenValidity, boolean antiCsrf) {
    this(
        grace,
        new EngineConfig.Lifetime(refreshTokenValidity, null, null),
        antiCsrf,
        KeyWrapping.disabled());
  }

  Refresher(
      Duration grace, EngineConfig.Lifetime lifetime, boolean antiCsrf, KeyWrapping wrapping) {
    this.grace = grace;
    this.lifetime = lifetime;
    this.antiCsrf = antiCsrf;
    this.wrapping = wrapping;
  }

  /** The outcome of a refresh. */
  sealed interface Verdict extends RefreshDecision {}

  /** How a refresh issued tokens. */
  enum Rule {
    /** The current token was presented: a new child became current. */
    ROTATED,
    /** The parent was presented within the grace period: the current child again. */
    SAME_CHILD,
    /** The parent was presented after the grace period and its child was never used. */
    NEW_CHILD
  }

  /**
   * Tokens to issue once the write is committed.
   *
   * @param session the session as examined (its payload and user are signed into the token)
   * @param refreshToken the refresh token to hand out
   * @param refreshHash its hash, the access token's {@code refreshTokenHash1}
   * @param parentHash the presented token's hash, the access token's {@code
   *     parentRefreshTokenHash1}
   * @param antiCsrfToken the new anti-CSRF token, or null when that protection is off
   * @param sessionExpiry the session's expiry after the write
   */
  record Issue(
      Rule rule,
      SessionRecord session,
      String refreshToken,
      String refreshHash,
      String parentHash,
      String antiCsrfToken,
      Instant sessionExpiry,
      RefreshWrite write)
      implements Verdict {
    @Override
    public String toString() {
      return "Issue{" + rule + ", handle=" + session.handle() + "}";
    }
  }

  /** No session for this token: UNAUTHORISED. Writes {@code write} (delete for an expired one). */
  record Refuse(String reason, RefreshWrite write) implements Verdict {}

  /** An expired session: deleted, UNAUTHORISED; {@code reason} says which limit ended it. */
  record Expired(String userId, String handle, SessionEvent.RevokeReason reason)
      implements Verdict {
    @Override
    public RefreshWrite write() {
      return RefreshWrite.DELETE;
    }
  }

  /** A replayed token: the session is deleted and the caller told TOKEN_THEFT_DETECTED. */
  record Theft(String userId, String handle) implements Verdict {
    @Override
    public RefreshWrite write() {
      return RefreshWrite.DELETE;
    }
  }

  /** The refresh rules for a presented token that parsed, recording no client metadata. */
  Verdict refresh(
      SessionRecord s,
      Instant now,
      RefreshTokens.Parsed presented,
      String presentedHash,
      String antiCsrfToken,
      boolean doAntiCsrfCheck) {
    return refresh(s, now, presented, presentedHash, antiCsrfToken, doAntiCsrfCheck, null);
  }

  /**
   * The refresh rules for a presented token that parsed; {@code client} (null: none) is stored as
   * the session's last client metadata when the token rotates.
   */
  Verdict refresh(
      SessionRecord s,
      Instant now,
      RefreshTokens.Parsed presented,
      String presentedHash,
      String antiCsrfToken,
      boolean doAntiCsrfCheck,
      ClientInfo client) {
    if (s == null) {
      return new Refuse("refresh token is not valid", RefreshWrite.KEEP);
    }
    if (!s.expiresAt().isAfter(now)) {
      return new Expired(
          s.userId(),
          s.handle(),
          lifetime.reason(
              s.createdAt(), s.issuedAt() != null ? s.issuedAt() : s.createdAt(), s.expiresAt()));
    }
    // A key that cannot be unwrapped is a GENERAL_ERROR: the rule throws and nothing is written.
    byte[] key =
        wrapping.unwrap(
            s.refreshKey(), KeyWrapping.Purpose.SESSION_REFRESH_KEY, s.handle(), s.handle());
    if (!RefreshTokens.tagValid(key, presented)) {
      // Names a real session but was not issued by us: a forgery, not a replay.
      return new Refuse("refresh token is not valid", RefreshWrite.KEEP);
    }
    boolean isCurrent = Crypto.secretEquals(presentedHash, s.currentRefreshHash());
    boolean isParent = !isCurrent && Crypto.secretEquals(presentedHash, s.parentRefreshHash());
    Rule rule;
    if (isCurrent) {
      rule = Rule.ROTATED;
    } else if (isParent && s.issuedAt() != null && now.isBefore(s.issuedAt().plus(grace))) {
      rule = Rule.SAME_CHILD;
    } else if (isParent && !s.confirmed()) {
      rule = Rule.NEW_CHILD;
    } else {
      return new Theft(s.userId(), s.handle());
    }
    if (antiCsrf
        && doAntiCsrfCheck
        && !Crypto.secretEquals(
            antiCsrfToken, RefreshTokens.antiCsrfToken(key, presented.secret))) {
      return new Refuse("anti-CSRF check failed on refresh", RefreshWrite.KEEP);
    }
    int index =
        switch (rule) {
          case ROTATED -> 0;
          case SAME_CHILD -> s.childIndex();
          case NEW_CHILD -> s.childIndex() + 1;
        };
    byte[] childSecret = RefreshTokens.childSecret(key, presented.secret, index);
    String child = RefreshTokens.encode(key, presented.handleBytes, childSecret);
    String childHash = Crypto.sha256Hex(child);
    String csrf = antiCsrf ? RefreshTokens.antiCsrfToken(key, childSecret) : null;
    if (rule == Rule.SAME_CHILD) {
      if (!Crypto.secretEquals(childHash, s.currentRefreshHash())) {
        // The stored state does not match the derivation: refuse rather than fork the lineage.
        return new Refuse("refresh state is inconsistent", RefreshWrite.KEEP);
      }
      return new Issue(
          rule, s, child, childHash, presentedHash, csrf, s.expiresAt(), RefreshWrite.KEEP);
    }
    Instant expiresAt = lifetime.expiry(s.createdAt(), now);
    if (!expiresAt.isAfter(now)) {
      // The absolute cap falls exactly now: nothing left to issue.
      return new Expired(s.userId(), s.handle(), SessionEvent.RevokeReason.ABSOLUTE_TIMEOUT);
    }
    return new Issue(
        rule,
        s,
        child,
        childHash,
        presentedHash,
        csrf,
        expiresAt,
        new RefreshWrite.Rotate(
            childHash,
            presentedHash,
            index,
            now,
            expiresAt,
            client == null ? null : client.ip(),
            client == null ? null : client.userAgent()));
  }

  /** What to do with an access token that carries a parent claim and was not confirmed. */
  sealed interface Check extends RefreshDecision {
    @Override
    default RefreshWrite write() {
      return RefreshWrite.KEEP;
    }
  }

  /** The token belongs to the previous generation (an older tab): accept it as it is. */
  record Accept() implements Check {}

  /** The token is no longer usable: TRY_REFRESH_TOKEN, or UNAUTHORISED when the session is gone. */
  record Reject(boolean sessionGone) implements Check {}

  /** Two holders of one lineage: the session is deleted, TOKEN_THEFT_DETECTED. */
  record ForkedLineage(String userId, String handle) implements Check {
    @Override
    public RefreshWrite write() {
      return RefreshWrite.DELETE;
    }
  }

  /**
   * The confirmation rules for an access token whose {@code refreshTokenHash1} is not the session's
   * current token (the store's one-write confirmation did not match).
   */
  Check check(SessionRecord s, Instant now, String userId, String refreshHash, String parentHash) {
    if (s == null || !s.expiresAt().isAfter(now) || !s.userId().equals(userId)) {
      return new Reject(true);
    }
    if (Crypto.secretEquals(refreshHash, s.parentRefreshHash())
        || Crypto.secretEquals(refreshHash, s.currentRefreshHash())) {
      return new Accept();
    }
    if (Crypto.secretEquals(parentHash, s.parentRefreshHash())
        && !Crypto.secretEquals(refreshHash, s.currentRefreshHash())) {
      return new ForkedLineage(s.userId(), s.handle());
    }
    return new Reject(false);
  }
}
