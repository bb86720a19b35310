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
 * <p>Map it to {@code /*}, after any CORS filter. Other methods on the two endpoints get 405.
 * Containers that instantiate filters by class name (web.xml) use the no-argument constructor: it
 * takes the {@link HallpassWeb} from the servlet-context attribute {@link #CONTEXT_ATTRIBUTE}.
 */
public final class HallpassFilter implements Filter {

  /** The servlet-context attribute holding the {@link HallpassWeb} for the no-argument form. */
  public static final String CONTEXT_ATTRIBUTE = HallpassWeb.class.getName();

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
        res.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
      } else {
        if (refresh) {
          w.refreshSession(req, res);
        } else {
          // Signing out must work whatever claims the session fails.
          w.getSession(req, res, true, true, List.of()).revokeSession();
        }
        WebEngine.write(res, 200, Transport.json("status", "OK"));
      }
    } catch (IOException | ServletException | RuntimeException e) {
      if (res.isCommitted()) {
        throw e;
      }
      InvalidClaimException invalid = findInvalidClaim(e);
      if (invalid != null) {
        w.sendInvalidClaimResponse(invalid, req, res);
        return;
      }
      HallpassException error = find(e);
      if (error == null) {
        throw e;
      }
      w.sendErrorResponse(error, req, res);
    }
  }

  /** The Hallpass error in an exception's cause chain, if any. */
  private static HallpassException find(Throwable t) {
    for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) {
      if (t instanceof HallpassException) {
        return (HallpassException) t;
      }
    }
    return null;
  }

  /** The invalid-claim failure in an exception's cause chain, if any. */
  static InvalidClaimException findInvalidClaim(Throwable t) {
    for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) {
      if (t instanceof InvalidClaimException i) {
        return i;
      }
    }
    return null;
  }
}
