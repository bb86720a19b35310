package dev.hallpass.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hallpass.loadtest.Answer.Ok;
import dev.hallpass.loadtest.Answer.ServerError;
import dev.hallpass.loadtest.Answer.Theft;
import dev.hallpass.loadtest.Answer.TryRefresh;
import dev.hallpass.loadtest.Answer.Unauthorised;
import dev.hallpass.loadtest.Answer.Unexpected;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/**
 * The standalone server's core driver interface, called as a backend SDK calls it ({@code
 * cdi-version: 5.4}, JSON bodies): create, verify, refresh, session data by handle, remove.
 * Anti-CSRF is off (the SDKs' default with SameSite lax cookies).
 */
final class CoreDriverClient implements SessionApi {
  private final Http http;

  CoreDriverClient(Http http) {
    this.http = http;
  }

  @Override
  public Answer create(String userId) throws IOException, InterruptedException {
    HttpResponse<String> r =
        post(
            "create",
            "/public/recipe/session",
            "{\"userId\":"
                + Http.quote(userId)
                + ",\"userDataInJWT\":{\"plan\":\"load\"},\"userDataInDatabase\":{\"n\":0}"
                + ",\"useDynamicSigningKey\":true,\"enableAntiCsrf\":false}");
    JsonNode body = Http.json(r);
    Answer a = classify("create", r, body);
    if (a instanceof Ok) {
      return new Ok(
          new Tokens(
              body.path("accessToken").path("token").asText(null),
              body.path("refreshToken").path("token").asText(null),
              body.path("session").path("handle").asText(null)),
          body);
    }
    return a;
  }

  @Override
  public Answer verify(Tokens t) throws IOException, InterruptedException {
    HttpResponse<String> r =
        post(
            "verify",
            "/recipe/session/verify",
            "{\"accessToken\":"
                + Http.quote(t.access())
                + ",\"doAntiCsrfCheck\":false,\"enableAntiCsrf\":false,\"checkDatabase\":false}");
    JsonNode body = Http.json(r);
    Answer a = classify("verify", r, body);
    if (a instanceof Ok) {
      // The first call after a refresh gets the token re-issued without its parent claim.
      JsonNode reissued = body.path("accessToken").path("token");
      return new Ok(reissued.isTextual() ? t.withAccess(reissued.asText()) : t, body);
    }
    return a;
  }

  @Override
  public Answer refresh(Tokens t, String call) throws IOException, InterruptedException {
    HttpResponse<String> r =
        post(
            call,
            "/recipe/session/refresh",
            "{\"refreshToken\":"
                + Http.quote(t.refresh())
                + ",\"enableAntiCsrf\":false,\"useDynamicSigningKey\":true}");
    JsonNode body = Http.json(r);
    Answer a = classify(call, r, body);
    if (a instanceof Ok) {
      return new Ok(
          new Tokens(
              body.path("accessToken").path("token").asText(null),
              body.path("refreshToken").path("token").asText(null),
              t.handle()),
          body);
    }
    return a;
  }

  @Override
  public Answer putData(Tokens t, long n, int browser) throws IOException, InterruptedException {
    HttpResponse<String> r =
        send(
            "session data: update",
            http.request("/recipe/session/data")
                .PUT(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"sessionHandle\":"
                            + Http.quote(t.handle())
                            + ",\"userDataInDatabase\":{\"n\":"
                            + n
                            + ",\"browser\":"
                            + browser
                            + "}}")));
    JsonNode body = Http.json(r);
    Answer a = classify("session data: update", r, body);
    return a instanceof Ok ? new Ok(t, body) : a;
  }

  @Override
  public Answer getData(Tokens t) throws IOException, InterruptedException {
    HttpResponse<String> r =
        send(
            "session data: read",
            http.request("/recipe/session?sessionHandle=" + encode(t.handle())).GET());
    JsonNode body = Http.json(r);
    Answer a = classify("session data: read", r, body);
    return a instanceof Ok ? new Ok(t, body.path("userDataInDatabase")) : a;
  }

  @Override
  public Answer signOut(Tokens t) throws IOException, InterruptedException {
    HttpResponse<String> r =
        post(
            "remove (sign-out)",
            "/public/recipe/session/remove",
            "{\"sessionHandles\":[" + Http.quote(t.handle()) + "]}");
    JsonNode body = Http.json(r);
    Answer a = classify("remove (sign-out)", r, body);
    if (a instanceof Ok) {
      JsonNode revoked = body.path("sessionHandlesRevoked");
      if (revoked.size() != 1 || !t.handle().equals(revoked.path(0).asText())) {
        return new Unexpected("remove did not name the session as revoked");
      }
      return new Ok(null, body);
    }
    return a;
  }

  /** Both the session's information and a refresh with its last refresh token: UNAUTHORISED. */
  @Override
  public Answer probeSignedOut(Tokens before) throws IOException, InterruptedException {
    HttpResponse<String> r =
        send(
            "after sign-out: read",
            http.request("/recipe/session?sessionHandle=" + encode(before.handle())).GET());
    Answer info = classify("after sign-out: read", r, Http.json(r));
    if (!(info instanceof Unauthorised)) {
      return info;
    }
    return refresh(before, "after sign-out: refresh");
  }

  /** The server's own count of theft verdicts ({@code /metrics}); -1 when it cannot be read. */
  long theftsCountedByServer() throws IOException, InterruptedException {
    HttpResponse<String> r = http.send("metrics", http.request("/metrics").GET().build());
    for (String line : r.body().split("\n")) {
      if (line.startsWith("hallpass_token_thefts_detected_total ")) {
        return (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim());
      }
    }
    return -1;
  }

  private HttpResponse<String> post(String operation, String path, String json)
      throws IOException, InterruptedException {
    return send(operation, http.request(path).POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  private HttpResponse<String> send(String operation, HttpRequest.Builder b)
      throws IOException, InterruptedException {
    return http.send(
        operation,
        b.header("cdi-version", "5.4")
            .header("rid", "session")
            .header("content-type", "application/json")
            .build());
  }

  private static Answer classify(String call, HttpResponse<String> r, JsonNode body) {
    return classify(call, r.statusCode(), body);
  }

  /** An answer by HTTP status and the {@code status} field of its JSON body. */
  static Answer classify(String call, int httpStatus, JsonNode body) {
    if (httpStatus >= 500) {
      return new ServerError(call, httpStatus);
    }
    if (httpStatus != 200 || body == null) {
      return new Unexpected("HTTP " + httpStatus + " on " + call);
    }
    String status = body.path("status").asText("");
    switch (status) {
      case "OK":
        return new Ok(null, body);
      case "TRY_REFRESH_TOKEN":
        return new TryRefresh();
      case "TOKEN_THEFT_DETECTED":
        return new Theft(call);
      case "UNAUTHORISED":
        // verify answers a replaced lineage's token UNAUTHORISED with a message naming theft
        return body.path("message").asText("").contains("theft")
            ? new Theft(call + ", UNAUTHORISED naming theft")
            : new Unauthorised();
      default:
        return new Unexpected("status " + status + " on " + call);
    }
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
