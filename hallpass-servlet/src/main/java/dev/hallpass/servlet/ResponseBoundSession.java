package dev.hallpass.servlet;

import dev.hallpass.Session;
import dev.hallpass.SessionTokens;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;

/**
 * A core {@link Session} whose changes also reach the client: revoking clears the client's tokens,
 * a new payload sends the new access token and front-token.
 */
final class ResponseBoundSession implements Session {
  private static final System.Logger LOG = System.getLogger(HallpassWeb.class.getName());

  private final Session delegate;
  private final Transport transport;
  private final HttpServletRequest req;
  private final HttpServletResponse res;
  private final TokenTransfer mode;

  ResponseBoundSession(
      Session delegate,
      Transport transport,
      HttpServletRequest req,
      HttpServletResponse res,
      TokenTransfer mode) {
    this.delegate = delegate;
    this.transport = transport;
    this.req = req;
    this.res = res;
    this.mode = mode;
  }

  @Override
  public String getUserId() {
    return delegate.getUserId();
  }

  @Override
  public String getTenantId() {
    return delegate.getTenantId();
  }

  @Override
  public String getHandle() {
    return delegate.getHandle();
  }

  @Override
  public Map<String, Object> getJWTPayload() {
    return delegate.getJWTPayload();
  }

  @Override
  public Map<String, Object> getAccessTokenPayload() {
    return delegate.getAccessTokenPayload();
  }

  @Override
  public String getAccessToken() {
    return delegate.getAccessToken();
  }

  @Override
  public Instant getAccessTokenExpiry() {
    return delegate.getAccessTokenExpiry();
  }

  @Override
  public SessionTokens getTokens() {
    return delegate.getTokens();
  }

  @Override
  public Map<String, Object> getSessionData() {
    return delegate.getSessionData();
  }

  @Override
  public void updateSessionData(Map<String, Object> newSessionData) {
    delegate.updateSessionData(newSessionData);
  }

  /**
   * Also sends the new access token and front-token.
   *
   * @throws IllegalStateException if the response is already committed (nothing is changed then)
   */
  @Override
  public void updateJWTPayload(Map<String, Object> newJwtPayload) {
    if (res.isCommitted()) {
      throw new IllegalStateException(
          "update the JWT payload before writing the response body: "
              + "the response is committed, so the new access token could not be sent");
    }
    delegate.updateJWTPayload(newJwtPayload);
    transport.sendAccessToken(res, delegate, mode);
  }

  /** Also clears the client's tokens, unless the response is already committed. */
  @Override
  public void revokeSession() {
    delegate.revokeSession();
    if (res.isCommitted()) {
      // The session is gone server-side all the same; the client learns it on its next call.
      LOG.log(
          System.Logger.Level.WARNING,
          "session {0} revoked after the response was committed: "
              + "the client's tokens could not be cleared",
          delegate.getHandle());
      return;
    }
    transport.clear(req, res, EnumSet.of(mode));
  }

  @Override
  public String toString() {
    return delegate.toString();
  }
}
