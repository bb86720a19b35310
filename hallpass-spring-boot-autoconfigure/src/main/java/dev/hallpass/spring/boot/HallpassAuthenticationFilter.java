package dev.hallpass.spring.boot;

import dev.hallpass.HallpassException;
import dev.hallpass.Session;
import dev.hallpass.servlet.HallpassWeb;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates a request from its Hallpass session. A request without tokens passes on untouched;
 * one whose tokens fail (expired, invalid, failed anti-CSRF check) passes on unauthenticated, with
 * any authentication it had from elsewhere removed, and the error kept for the entry point (so a
 * protected endpoint answers "try refresh token" and the SDK refreshes, while a public one still
 * works). GENERAL_ERROR (the store failed) propagates: the HallpassFilter answers 500.
 */
final class HallpassAuthenticationFilter extends OncePerRequestFilter {

  /**
   * Requests that carry a Hallpass token (cookie or Bearer header): Hallpass's anti-CSRF mode
   * checks them, so Spring Security's CSRF protection skips them; in exchange, only a valid
   * Hallpass session may authenticate them.
   */
  static final RequestMatcher HALLPASS_REQUESTS = HallpassAuthenticationFilter::carriesTokens;

  private final HallpassWeb web;
  private final boolean antiCsrfCheck;
  private final Function<HallpassPrincipal, Collection<? extends GrantedAuthority>> authorities;
  private final SecurityContextHolderStrategy contexts;

  HallpassAuthenticationFilter(
      HallpassWeb web,
      boolean antiCsrfCheck,
      Function<HallpassPrincipal, Collection<? extends GrantedAuthority>> authorities,
      SecurityContextHolderStrategy contexts) {
    this.web = web;
    this.antiCsrfCheck = antiCsrfCheck;
    this.authorities = authorities;
    this.contexts = contexts;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    Session session = null;
    try {
      // Authentication only: claims are checked where a Session argument is resolved, so that an
      // endpoint may opt out (say, the one that verifies an email address).
      session = web.getSession(request, response, antiCsrfCheck, false, List.of());
    } catch (HallpassException e) {
      if (e.getType() == HallpassException.Type.GENERAL_ERROR) {
        throw e;
      }
      request.setAttribute(RequestAttributes.SESSION_ERROR, e);
      // Tokens were sent and refused: nothing else may authenticate this request (say, a
      // forged cross-site request that also carries a login session cookie).
      contexts.clearContext();
    }
    if (session == null && HALLPASS_REQUESTS.matches(request)) {
      // Only a refresh token, say: exempt from Spring's CSRF check, so authenticated by nothing.
      contexts.clearContext();
    }
    if (session != null) {
      HallpassPrincipal principal =
          new HallpassPrincipal(session.getUserId(), session.getAccessTokenPayload(), session);
      SecurityContext context = contexts.createEmptyContext();
      context.setAuthentication(
          new HallpassAuthentication(principal, authorities.apply(principal)));
      contexts.setContext(context);
      if (antiCsrfCheck) {
        request.setAttribute(RequestAttributes.VERIFIED_SESSION, session);
      }
    }
    chain.doFilter(request, response);
  }

  private static boolean carriesTokens(HttpServletRequest req) {
    var cookies = req.getHeaders("Cookie");
    while (cookies != null && cookies.hasMoreElements()) {
      String c = cookies.nextElement();
      if (c.contains("sAccessToken=") || c.contains("sRefreshToken=")) {
        return true;
      }
    }
    var auth = req.getHeaders("Authorization");
    while (auth != null && auth.hasMoreElements()) {
      if (auth.nextElement().trim().regionMatches(true, 0, "Bearer ", 0, 7)) {
        return true;
      }
    }
    return false;
  }
}
