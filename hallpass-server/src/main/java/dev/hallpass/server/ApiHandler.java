package dev.hallpass.server;

import dev.hallpass.Hallpass;
import dev.hallpass.HallpassException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of the API, in one place: routing (with the optional {@code /appid-<app>} and
 * {@code /<tenant>} prefixes), API-key, tenant and {@code cdi-version} checks, error mapping,
 * metrics.
 *
 * <p>Apps and tenants: the only app is {@code public} (a {@code /appid-<other>} prefix is a 400). A
 * tenant prefix must be a valid tenant id ({@link Hallpass#isValidTenantId}) and, when the server
 * was given a tenant list, one of it or {@code public}; otherwise the answer is the 400 a
 * SuperTokens core gives for an unknown tenant, "AppId or tenantId not found". A path without a
 * tenant prefix is the {@code public} tenant.
 *
 * <p>Every route but {@code /hello}, {@code /apiversion} and the JWKS needs an API key when keys
 * are configured, {@code /metrics} included (which also takes it as a bearer token).
 *
 * <p>Error mapping: {@link BadRequest} is 400 with its message; an engine GENERAL_ERROR or any
 * other failure is 500 with a fixed text (the cause is logged, never sent).
 */
final class ApiHandler extends Handler.Abstract {
  private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
  static final String DEFAULT_TENANT = "public";
  private static final String APP_PREFIX = "appid-";
  private static final String BEARER = "Bearer ";

  /**
   * The first path segments of the routes: a tenant with one of these ids could not be told from
   * the route, so they are reserved. The constructor checks that it covers every route.
   */
  private static final Set<String> ROUTE_ROOTS =
      Set.of("", "hello", "apiversion", ".well-known", "metrics", "recipe", "user", "users");

  private static final Set<String> METHODS =
      Set.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS");

  /** One endpoint. */
  interface Endpoint {
    Reply handle(Call call);
  }

  /**
   * An endpoint, whether it needs no API key, and whether it also takes the key as a bearer token
   * ({@code Authorization: Bearer <key>}, as Prometheus sends credentials).
   */
  private record Route(Endpoint endpoint, boolean open, boolean bearer) {}

  private final Map<String, Map<String, Route>> routes = new HashMap<>();

  /** First path segments of the routes: a prefix segment that is none of these is a tenant id. */
  private final Set<String> roots = new HashSet<>();

  private final ApiKeys apiKeys;
  private final Metrics metrics;

  /** The tenants accepted besides {@code public}; empty: any valid tenant id. */
  private final Set<String> tenants;

  ApiHandler(CoreDriverApi api, ApiKeys apiKeys, Metrics metrics, List<String> tenants) {
    this.apiKeys = apiKeys;
    this.metrics = metrics;
    this.tenants = Set.copyOf(tenants);
    open("GET", "/", api::hello);
    open("GET", "/hello", api::hello);
    open("GET", "/apiversion", api::apiVersion);
    open("GET", "/.well-known/jwks.json", api::jwks);
    open("GET", "/recipe/jwt/jwks", api::jwks);
    // Keyed like the API (when keys are configured): the metrics tell how busy the service is
    // and how many thefts it saw.
    add(
        "GET",
        "/metrics",
        new Route(
            call ->
                new Reply(
                    200,
                    Metrics.CONTENT_TYPE,
                    metrics.scrape().getBytes(StandardCharsets.UTF_8),
                    Map.of()),
            false,
            true));
    keyed("POST", "/recipe/session", api::createSession);
    keyed("GET", "/recipe/session", api::sessionInformation);
    keyed("POST", "/recipe/session/verify", api::verifySession);
    keyed("POST", "/recipe/session/refresh", api::refreshSession);
    keyed("POST", "/recipe/session/regenerate", api::regenerateSession);
    keyed("PUT", "/recipe/session/data", api::updateSessionData);
    keyed("PUT", "/recipe/jwt/data", api::updateJwtData);
    keyed("GET", "/recipe/session/user", api::sessionHandlesOfUser);
    keyed("POST", "/recipe/session/remove", api::removeSessions);
    keyed("POST", "/recipe/jwt", api::createJwt);
    keyed("GET", "/user/id", api::userById);
    keyed("GET", "/users/count", api::usersCount);
    keyed("GET", "/recipe/multitenancy/tenant/list/v2", api::tenants);
    if (!ROUTE_ROOTS.containsAll(roots)) {
      throw new IllegalStateException("ROUTE_ROOTS misses some of " + roots);
    }
  }

  /**
   * Whether a tenant id is reserved: one that reads as a route's first segment, or as an app
   * ({@code appid-...}), in a URL path.
   */
  static boolean isReservedTenantId(String tenantId) {
    return ROUTE_ROOTS.contains(tenantId) || tenantId.startsWith(APP_PREFIX);
  }

  private void open(String method, String path, Endpoint e) {
    add(method, path, new Route(e, true, false));
  }

  private void keyed(String method, String path, Endpoint e) {
    add(method, path, new Route(e, false, false));
  }

  private void add(String method, String path, Route r) {
    routes.computeIfAbsent(path, p -> new LinkedHashMap<>()).put(method, r);
    int end = path.indexOf('/', 1);
    roots.add(end < 0 ? path.substring(1) : path.substring(1, end));
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    long start = System.nanoTime();
    String method = request.getMethod();
    String routeTag = "unmatched";
    Reply reply;
    try {
      Target t = target(Request.getPathInContext(request));
      Map<String, Route> byMethod = routes.get(t.path);
      Route route = byMethod == null ? null : byMethod.get(method);
      if (byMethod != null) {
        routeTag = t.path;
      }
      if (byMethod == null) {
        reply = Reply.text(404, "Not found");
      } else if (route == null) {
        reply =
            Reply.text(405, "Method not supported")
                .withHeader("Allow", String.join(", ", new TreeSet<>(byMethod.keySet())));
      } else if (!route.open && !apiKeys.accepts(presentedKey(request, route))) {
        // Before the tenant check: without a key, nothing is learnt about the tenants.
        reply = Reply.text(401, "Invalid API key");
      } else if (!t.appId.equals(DEFAULT_TENANT)) {
        reply =
            Reply.text(
                400,
                "AppId or tenantId not found => this Hallpass server has only the app 'public'");
      } else if (tenantRefusal(t.tenantId) != null) {
        reply =
            Reply.text(
                400,
                "AppId or tenantId not found => tenant "
                    + printable(t.tenantId)
                    + tenantRefusal(t.tenantId));
      } else {
        String cdi = request.getHeaders().get("cdi-version");
        String version = cdi == null ? CoreDriverApi.LATEST_CDI_VERSION : cdi.trim();
        if (!CoreDriverApi.CDI_VERSIONS.contains(version)) {
          reply =
              Reply.text(
                  400,
                  "cdi-version "
                      + printable(cdi)
                      + " not supported; supported: "
                      + String.join(", ", CoreDriverApi.CDI_VERSIONS));
        } else {
          reply = route.endpoint.handle(new Call(request, t.tenantId, version));
        }
      }
    } catch (BadRequest e) {
      reply = Reply.text(400, e.getMessage());
    } catch (HallpassException e) {
      LOG.error("{} {} failed: the session engine reported {}", method, routeTag, e.getType(), e);
      reply = Reply.text(500, "Internal error");
    } catch (RuntimeException e) {
      LOG.error("{} {} failed", method, routeTag, e);
      reply = Reply.text(500, "Internal error");
    }
    write(response, reply, callback);
    long nanos = System.nanoTime() - start;
    metrics.recordRequest(
        routeTag, METHODS.contains(method) ? method : "other", reply.status(), nanos);
    if (LOG.isDebugEnabled()) {
      LOG.debug("{} {} -> {} in {} us", method, routeTag, reply.status(), nanos / 1000);
    }
    return true;
  }

  /** Why a path's tenant is refused, or null when it is accepted. */
  private String tenantRefusal(String tenantId) {
    if (tenantId.equals(DEFAULT_TENANT)) {
      return null;
    }
    if (!Hallpass.isValidTenantId(tenantId)) {
      return " is not a tenant id (1 to 128 characters of a-z, 0-9 and -)";
    }
    if (isReservedTenantId(tenantId)) {
      return " is reserved";
    }
    if (!tenants.isEmpty() && !tenants.contains(tenantId)) {
      return " is not one of this server's tenants (--tenants)";
    }
    return null;
  }

  /** The {@code api-key} header; else, where the route takes it, the bearer token; else null. */
  private static String presentedKey(Request request, Route route) {
    String key = request.getHeaders().get("api-key");
    if (key == null && route.bearer) {
      String auth = request.getHeaders().get(HttpHeader.AUTHORIZATION);
      if (auth != null && auth.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
        key = auth.substring(BEARER.length()).trim();
      }
    }
    return key;
  }

  private static void write(Response response, Reply reply, Callback callback) {
    response.setStatus(reply.status());
    HttpFields.Mutable h = response.getHeaders();
    h.put(HttpHeader.CONTENT_TYPE, reply.contentType());
    if (reply.status() >= 400) {
      // A refused request's body may be left unread; closing says so, where a kept-alive
      // connection that the server then drops makes the client's next request fail unanswered.
      h.put(HttpHeader.CONNECTION, "close");
    }
    reply.headers().forEach(h::put);
    response.write(true, ByteBuffer.wrap(reply.body()), callback);
  }

  /** The route path with the optional app and tenant prefixes taken off. */
  private record Target(String appId, String tenantId, String path) {}

  private Target target(String rawPath) {
    String path = rawPath == null || rawPath.isEmpty() ? "/" : rawPath;
    if (path.length() > 1 && path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    String appId = DEFAULT_TENANT;
    String tenantId = DEFAULT_TENANT;
    String first = firstSegment(path);
    if (first.startsWith(APP_PREFIX)) {
      appId = first.substring(APP_PREFIX.length());
      path = rest(path, first);
      first = firstSegment(path);
    }
    String afterFirst = rest(path, first);
    if (!first.isEmpty() && !roots.contains(first) && !afterFirst.equals("/")) {
      tenantId = first;
      path = afterFirst;
    }
    return new Target(appId, tenantId, path);
  }

  private static String firstSegment(String path) {
    int end = path.indexOf('/', 1);
    return end < 0 ? path.substring(1) : path.substring(1, end);
  }

  private static String rest(String path, String first) {
    String r = path.substring(1 + first.length());
    return r.isEmpty() ? "/" : r;
  }

  /** A header value fit to echo: short, printable ASCII. */
  private static String printable(String s) {
    String t = s.length() > 20 ? s.substring(0, 20) + "..." : s;
    return "'" + t.replaceAll("[^\\x20-\\x7e]", "?") + "'";
  }
}
