package dev.hallpass.servlet;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * CORS for a website on another origin than the API, with credentials (cookies) allowed.
 *
 * <p>Requests from a listed origin get {@code Access-Control-Allow-Origin: <that origin>} and
 * {@code Access-Control-Allow-Credentials: true}; their preflights are answered here (204) and
 * allow the headers the SuperTokens SDKs send ({@link HallpassWeb#CORS_ALLOWED_HEADERS}). Other
 * origins get no CORS headers (their preflights 403), so browsers keep them out. Map it to {@code
 * /*} before the {@link HallpassFilter}. When the website and the API are on different sites (not
 * only different origins), also use {@code cookieSameSite(SameSite.NONE)}.
 */
public final class HallpassCorsFilter implements Filter {
  private static final String METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

  private final Set<String> origins;
  private final String allowedHeaders;

  /**
   * A filter allowing the given origins, e.g. {@code "https://app.example.com"} or {@code
   * "http://localhost:3000"}.
   *
   * @param extraAllowedHeaders request headers of the application's own to allow besides Hallpass's
   * @throws IllegalArgumentException for {@code "*"} (never allowed with credentials) or a value
   *     that is not a scheme, host and optional port
   */
  public HallpassCorsFilter(
      Collection<String> allowedOrigins, Collection<String> extraAllowedHeaders) {
    Set<String> o = new LinkedHashSet<>();
    for (String origin : allowedOrigins) {
      o.add(normalise(origin));
    }
    if (o.isEmpty()) {
      throw new IllegalArgumentException("allowedOrigins must name at least one origin");
    }
    this.origins = Set.copyOf(o);
    Set<String> headers = new LinkedHashSet<>(HallpassWeb.CORS_ALLOWED_HEADERS);
    for (String h : extraAllowedHeaders) {
      if (h == null || !h.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
        throw new IllegalArgumentException("not a header name: " + h);
      }
      headers.add(h.toLowerCase(Locale.ROOT));
    }
    this.allowedHeaders = String.join(", ", headers);
  }

  /** A filter allowing the given origins and Hallpass's headers. */
  public HallpassCorsFilter(Collection<String> allowedOrigins) {
    this(allowedOrigins, Set.of());
  }

  private static String normalise(String origin) {
    if ("*".equals(origin)) {
      throw new IllegalArgumentException(
          "allowedOrigins must not be \"*\": credentialed " + "requests need the exact origin");
    }
    try {
      URI u = new URI(origin);
      boolean bare =
          (u.getRawPath() == null || u.getRawPath().isEmpty())
              && u.getRawQuery() == null
              && u.getRawFragment() == null
              && u.getRawUserInfo() == null;
      if (u.getHost() == null
          || !bare
          || !("http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme()))) {
        throw new IllegalArgumentException("an origin is scheme://host[:port], got " + origin);
      }
      return u.toString().toLowerCase(Locale.ROOT);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("an origin is scheme://host[:port], got " + origin, e);
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
    String origin = req.getHeader("Origin");
    if (origin == null) {
      chain.doFilter(req, res);
      return;
    }
    res.addHeader("Vary", "Origin");
    boolean allowed = origins.contains(origin.toLowerCase(Locale.ROOT));
    boolean preflight =
        "OPTIONS".equals(req.getMethod()) && req.getHeader("Access-Control-Request-Method") != null;
    if (preflight) {
      if (!allowed) {
        res.setStatus(HttpServletResponse.SC_FORBIDDEN);
        return;
      }
      allow(res, origin);
      res.setHeader("Access-Control-Allow-Methods", METHODS);
      res.setHeader("Access-Control-Allow-Headers", allowedHeaders);
      res.setHeader("Access-Control-Max-Age", "600");
      res.setStatus(HttpServletResponse.SC_NO_CONTENT);
      return;
    }
    if (allowed) {
      allow(res, origin);
    }
    chain.doFilter(req, res);
  }

  private static void allow(HttpServletResponse res, String origin) {
    res.setHeader("Access-Control-Allow-Origin", origin);
    res.setHeader("Access-Control-Allow-Credentials", "true");
  }
}
