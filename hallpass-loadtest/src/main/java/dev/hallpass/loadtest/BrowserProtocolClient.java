package dev.hallpass.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hallpass.loadtest.Answer.Ok;
import dev.hallpass.loadtest.Answer.ServerError;
import dev.hallpass.loadtest.Answer.Theft;
import dev.hallpass.loadtest.Answer.TryRefresh;
import dev.hallpass.loadtest.Answer.Unauthorised;
import dev.hallpass.loadtest.Answer.Unexpected;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

/**
 * The demo's browser protocol in cookie mode, as {@code supertokens-website} 20.x speaks it: the
 * {@code sAccessToken} cookie (path /) on every call, {@code sRefreshToken} (path
 * /auth/session/refresh) only on the refresh call, the {@code rid} and {@code fdi-version} headers,
 * cookies replaced by every {@code Set-Cookie} (including the access token re-issued on the first
 * call after a refresh) and removed by an empty one. Errors are the session-expired status (401)
 * with {@code {"message": ...}}.
 */
final class BrowserProtocolClient implements SessionApi {
  static final String ACCESS_COOKIE = "sAccessToken";
  static final String REFRESH_COOKIE = "sRefreshToken";
  private static final String REFRESH_PATH = "/auth/session/refresh";

  private final Http http;

  BrowserProtocolClient(Http http) {
    this.http = http;
  }

  @Override
  public Answer create(String userId) throws IOException, InterruptedException {
    return call(
        "sign-in",
        new Tokens(null, null, null),
        http.request("/api/signin")
            .POST(HttpRequest.BodyPublishers.ofString("{\"userName\":" + Http.quote(userId) + "}"))
            .header("content-type", "application/json"),
        false);
  }

  @Override
  public Answer verify(Tokens t) throws IOException, InterruptedException {
    return call("protected call (GET /api/me)", t, http.request("/api/me").GET(), false);
  }

  @Override
  public Answer refresh(Tokens t, String call) throws IOException, InterruptedException {
    Answer a =
        call(
            call,
            t,
            http.request(REFRESH_PATH)
                .POST(HttpRequest.BodyPublishers.noBody())
                .header("rid", "session"),
            true);
    if (a instanceof Ok ok && (ok.tokens() == null || ok.tokens().refresh() == null)) {
      return new Unexpected(call + " answered 200 without a refresh-token cookie");
    }
    return a;
  }

  @Override
  public Answer putData(Tokens t, long n, int browser) throws IOException, InterruptedException {
    return call(
        "session data: update",
        t,
        http.request("/api/session-data")
            .PUT(
                HttpRequest.BodyPublishers.ofString(
                    "{\"n\":" + n + ",\"browser\":" + browser + "}"))
            .header("content-type", "application/json"),
        false);
  }

  @Override
  public Answer getData(Tokens t) throws IOException, InterruptedException {
    return call("session data: read", t, http.request("/api/session-data").GET(), false);
  }

  @Override
  public Answer signOut(Tokens t) throws IOException, InterruptedException {
    Answer a =
        call(
            "sign-out",
            t,
            http.request("/auth/signout").POST(HttpRequest.BodyPublishers.noBody()),
            false);
    if (a instanceof Ok ok) {
      if (ok.tokens() != null && (ok.tokens().access() != null || ok.tokens().refresh() != null)) {
        return new Unexpected("sign-out did not clear the session cookies");
      }
      return new Ok(null, ok.body());
    }
    return a;
  }

  /** The refresh call with the cookies held before sign-out: 401 "unauthorised". */
  @Override
  public Answer probeSignedOut(Tokens before) throws IOException, InterruptedException {
    return refresh(before, "after sign-out: refresh");
  }

  private Answer call(String operation, Tokens jar, HttpRequest.Builder b, boolean refreshPath)
      throws IOException, InterruptedException {
    b.header("rid", refreshPath ? "session" : "anti-csrf")
        .header("fdi-version", "4.1")
        .header("st-auth-mode", "cookie");
    String cookies = cookieHeader(jar, refreshPath);
    if (!cookies.isEmpty()) {
      b.header("Cookie", cookies);
    }
    HttpResponse<String> r = http.send(operation, b.build());
    return classify(
        operation,
        r.statusCode(),
        Http.json(r),
        applySetCookies(jar, r.headers().allValues("set-cookie")));
  }

  /**
   * An answer by HTTP status and the {@code message} of a 401's JSON body; {@code jarAfter}: the
   * cookies after the answer's {@code Set-Cookie} headers.
   */
  static Answer classify(String operation, int status, JsonNode body, Tokens jarAfter) {
    if (status >= 500) {
      return new ServerError(operation, status);
    }
    if (status == 200) {
      return new Ok(jarAfter, body);
    }
    if (status == 401 && body != null) {
      switch (body.path("message").asText("")) {
        case "try refresh token":
          return new TryRefresh();
        case "unauthorised":
          return new Unauthorised();
        case "token theft detected":
          return new Theft(operation);
        default:
          break;
      }
    }
    return new Unexpected("HTTP " + status + " on " + operation);
  }

  /** What a browser sends: the access cookie everywhere, the refresh cookie on its path only. */
  static String cookieHeader(Tokens jar, boolean refreshPath) {
    StringBuilder sb = new StringBuilder();
    if (jar.access() != null) {
      sb.append(ACCESS_COOKIE).append('=').append(jar.access());
    }
    if (refreshPath && jar.refresh() != null) {
      if (sb.length() > 0) {
        sb.append("; ");
      }
      sb.append(REFRESH_COOKIE).append('=').append(jar.refresh());
    }
    return sb.toString();
  }

  /** The jar after the answer's {@code Set-Cookie} headers; an empty value removes a cookie. */
  static Tokens applySetCookies(Tokens jar, List<String> setCookies) {
    Tokens t = jar;
    for (String header : setCookies) {
      int semicolon = header.indexOf(';');
      String pair = (semicolon < 0 ? header : header.substring(0, semicolon)).trim();
      int eq = pair.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String name = pair.substring(0, eq).trim();
      String value = pair.substring(eq + 1).trim();
      if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
        value = value.substring(1, value.length() - 1);
      }
      String v = value.isEmpty() ? null : value;
      if (name.equals(ACCESS_COOKIE)) {
        t = t.withAccess(v);
      } else if (name.equals(REFRESH_COOKIE)) {
        t = t.withRefresh(v);
      }
    }
    return t;
  }
}
