package dev.hallpass.servlet;

import dev.hallpass.HallpassException;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Objects;

/**
 * Serves the SuperTokens session endpoints and answers Hallpass errors thrown downstream.
 *
 * <ul>
 *   <li>{@code POST {apiBasePath}/session/refresh}: rotates the tokens (200 {@code
 *       {"status":"OK"}});
 *   <li>{@code POST {apiBasePath}/signout}: revokes the session and clears the client's tokens (200
 *       {@code {"status":"OK"}});
 *   <li>any other request passes on; a {@link HallpassException} thrown by the application (also
 *       when wrapped in another exception) is answered by {@link HallpassWeb#sendErrorResponse}, if
 *       the response is not committed yet; an {@link InvalidClaimException} likewise by {@link
 *       HallpassWeb#sendInvalidClaimResponse} (403).
 * </ul>
 *
 * <p>Map it to {@code /*}, after any CORS filter. Other methods on the two endpoints get 405, and a
 * request body over 1,024 bytes gets 413 (both with a JSON {@code message}; nothing is refreshed,
 * revoked or cleared). A refresh carrying duplicate session cookies is answered as {@link
 * HallpassWeb.Builder#olderCookieDomain} describes. Containers that instantiate filters by class
 * name (web.xml) use the no-argument constructor: it takes the {@link HallpassWeb} from the
 * servlet-context attribute {@link #CONTEXT_ATTRIBUTE}.
 */
public final class HallpassFilter implements Filter {

  /** The servlet-context attribute holding the {@link HallpassWeb} for the no-argument form. */
  public static final String CONTEXT_ATTRIBUTE = HallpassWeb.class.getName();

  /**
   * The largest request body the two endpoints accept. They read none: the SDKs send an empty body
   * or {@code {}}. Larger ones get 413 before any token is looked at.
   */
  static final int MAX_BODY_BYTES = 1024;

  /** The answer to a refresh whose duplicate cookies of the older cookie domain were cleared. */
  static final String DUPLICATES_CLEARED =
      "duplicate session cookies of the older cookie domain cleared: refresh again";

  private volatile HallpassWeb web;

  /** A filter for the given web layer. */
  public HallpassFilter(HallpassWeb web) {
    this.web = Objects.requireNonNull(web, "web");
  }

  /**
   * A filter that finds its web layer in the servlet-context attribute {@link #CONTEXT_ATTRIBUTE}
   * (for web.xml).
   */
  public HallpassFilter() {}

  @Override
  public void init(FilterConfig config) throws ServletException {
    if (web == null) {
      Object w = config.getServletContext().getAttribute(CONTEXT_ATTRIBUTE);
      if (!(w instanceof HallpassWeb)) {
        throw new ServletException(
            "HallpassFilter needs a HallpassWeb in the servlet-context "
                + "attribute "
                + CONTEXT_ATTRIBUTE);
      }
      web = (HallpassWeb) w;
    }
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (!(request instanceof HttpServletRequest) || !(response instanceof HttpServletResponse)) {
      chain.doFilter(request, response);
      return;
    }
    HttpServletRequest req = (HttpServletRequest) request;
    HttpServletResponse res = (HttpServletResponse) response;
    HallpassWeb w = web;
    if (w == null) {
      throw new ServletException("HallpassFilter was not initialised");
    }
    String path = req.getRequestURI().substring(req.getContextPath().length());
    boolean refresh = path.equals(w.apiBasePath() + Transport.REFRESH_PATH);
    boolean signOut = path.equals(w.apiBasePath() + Transport.SIGN_OUT_PATH);
    try {
      if (!refresh && !signOut) {
        chain.doFilter(req, res);
      } else if (!"POST".equals(req.getMethod())) {
        res.setHeader("Allow", "POST");
        WebEngine.write(
            res,
            HttpServletResponse.SC_METHOD_NOT_ALLOWED,
            Transport.json("message", "method not allowed: use POST"));
      } else if (bodyTooLarge(req)) {
        // Refused before any token is read: nothing is refreshed, revoked or cleared.
        WebEngine.write(
            res,
            HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE,
            Transport.json(
                "message", "request body too large: at most " + MAX_BODY_BYTES + " bytes"));
      } else if (refresh) {
        w.refreshSession(req, res);
        WebEngine.write(res, 200, Transport.json("status", "OK"));
      } else {
        // Signing out must work whatever claims the session fails.
        w.getSession(req, res, true, true, List.of()).revokeSession();
        WebEngine.write(res, 200, Transport.json("status", "OK"));
      }
    } catch (IOException | ServletException | RuntimeException e) {
      if (res.isCommitted()) {
        throw e;
      }
      if (find(e, DuplicateCookiesCleared.class) != null) {
        // 200 without a front-token: the SDK keeps its session (a 401 would end it). The
        // Set-Cookie headers clearing the older domain's cookies are already on the response.
        WebEngine.write(res, 200, Transport.json("message", DUPLICATES_CLEARED));
        return;
      }
      InvalidClaimException invalid = find(e, InvalidClaimException.class);
      if (invalid != null) {
        w.sendInvalidClaimResponse(invalid, req, res);
        return;
      }
      HallpassException error = find(e, HallpassException.class);
      if (error == null) {
        throw e;
      }
      w.sendErrorResponse(error, req, res);
    }
  }

  /**
   * Whether the body is over {@link #MAX_BODY_BYTES}: by its declared length, or (chunked) by
   * reading at most one byte more than the limit.
   */
  private static boolean bodyTooLarge(HttpServletRequest req) throws IOException {
    long declared = req.getContentLengthLong();
    if (declared >= 0) {
      return declared > MAX_BODY_BYTES;
    }
    return req.getInputStream().readNBytes(MAX_BODY_BYTES + 1).length > MAX_BODY_BYTES;
  }

  /** The exception of this type in an exception's cause chain, if any. */
  private static <T extends Throwable> T find(Throwable t, Class<T> type) {
    for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }
}
