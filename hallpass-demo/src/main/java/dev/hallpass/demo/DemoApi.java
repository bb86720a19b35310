package dev.hallpass.demo;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallpass.Hallpass;
import dev.hallpass.Session;
import dev.hallpass.SessionSummary;
import dev.hallpass.servlet.BooleanClaim;
import dev.hallpass.servlet.ClaimValidator;
import dev.hallpass.servlet.HallpassWeb;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The demo's JSON API: the part an application writes itself. Sign-in takes only a user name
 * (Hallpass manages sessions, not accounts); everything else needs a session. Hallpass errors are
 * not caught here: the {@code HallpassFilter} answers them.
 */
final class DemoApi extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BODY_BYTES = 16 * 1024;

  private static final int MAX_HANDLE_LENGTH = 128;

  private final transient HallpassWeb web;
  private final transient Hallpass engine;
  private final transient SessionEndings endings;

  /** The demo's stand-in for a user store's "email verified" column. */
  private final transient Set<String> verifiedEmails = ConcurrentHashMap.newKeySet();

  /**
   * "Email verified" in the access token ({@code "st-ev": {"v": ..., "t": ...}}), fetched from the
   * stand-in store when missing or failing; the members area requires it true.
   */
  private final transient ClaimValidator emailVerified =
      BooleanClaim.emailVerified(verifiedEmails::contains).isTrue();

  DemoApi(HallpassWeb web, SessionEndings endings) {
    this.web = web;
    this.engine = web.engine();
    this.endings = endings;
  }

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
    String route = req.getMethod() + " " + (req.getPathInfo() == null ? "" : req.getPathInfo());
    switch (route) {
      case "POST /signin":
        signIn(req, res);
        break;
      case "GET /me":
        me(req, res);
        break;
      case "GET /session-data":
        send(res, web.getSession(req, res, true).getSessionData());
        break;
      case "PUT /session-data":
        updateSessionData(req, res);
        break;
      case "PUT /jwt-payload":
        updateJwtPayload(req, res);
        break;
      case "GET /sessions":
        mySessions(req, res);
        break;
      case "POST /sessions/revoke":
        signOutDevice(req, res);
        break;
      case "POST /signout-everywhere":
        signOutEverywhere(req, res);
        break;
      case "GET /members":
        members(req, res);
        break;
      case "POST /verify-email":
        verifyEmail(req, res);
        break;
      case "GET /session-ending":
        sessionEnding(req, res);
        break;
      default:
        res.setStatus(HttpServletResponse.SC_NOT_FOUND);
        send(res, Map.of("message", "no such API: " + route));
    }
  }

  private void signIn(HttpServletRequest req, HttpServletResponse res) throws IOException {
    Object name = readJson(req) instanceof Map<?, ?> m ? m.get("userName") : null;
    if (!(name instanceof String) || ((String) name).isBlank() || ((String) name).length() > 64) {
      badRequest(res, "userName must be a string of 1 to 64 characters");
      return;
    }
    String userId = ((String) name).trim();
    // Claims in the access token are readable by the page (and anyone holding the token): keep
    // them small and non-secret. Session data stays on the server.
    Session s;
    try {
      s =
          web.createNewSession(
              req,
              res,
              userId,
              Map.of("role", "visitor"),
              Map.of("note", "Hello from the server side. Edit me!"));
    } catch (IllegalArgumentException e) {
      // The engine refuses user ids it cannot take (e.g. a NUL character): the user's input.
      badRequest(res, e.getMessage());
      return;
    }
    send(res, Map.of("userId", s.getUserId()));
  }

  /** The protected API the page calls: answers only with a valid access token. */
  private void me(HttpServletRequest req, HttpServletResponse res) throws IOException {
    Session s = web.getSession(req, res, true);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("userId", s.getUserId());
    out.put("sessionHandle", s.getHandle());
    out.put("jwtPayload", s.getJWTPayload());
    out.put("accessTokenExpiresAt", s.getAccessTokenExpiry().toString());
    send(res, out);
  }

  /**
   * The claim-gated API: only for a verified email address. Without one the web layer answers 403
   * {@code {"message":"invalid claim","claimValidationErrors":[{"id":"st-ev",...}]}}, which the SDK
   * reports to the page as an API_INVALID_CLAIM event.
   */
  private void members(HttpServletRequest req, HttpServletResponse res) throws IOException {
    Session s = web.getSession(req, res, true, true, List.of(emailVerified));
    send(res, Map.of("userId", s.getUserId(), "message", "Welcome to the members area"));
  }

  /**
   * "Verifies" the user's email address: flips the stand-in store only. The session is left as it
   * is on purpose: the next claim-gated call finds {@code st-ev} false, re-fetches it, and goes
   * through with a new access token, as it would after a change made anywhere else.
   */
  private void verifyEmail(HttpServletRequest req, HttpServletResponse res) throws IOException {
    Session s = web.getSession(req, res, true);
    verifiedEmails.add(s.getUserId());
    send(res, Map.of("verified", true));
  }

  private void updateSessionData(HttpServletRequest req, HttpServletResponse res)
      throws IOException {
    Session s = web.getSession(req, res, true);
    Object body = readJson(req);
    if (!(body instanceof Map)) {
      badRequest(res, "session data must be a JSON object of at most 16 KiB");
      return;
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> data = (Map<String, Object>) body;
    s.updateSessionData(data);
    send(res, s.getSessionData());
  }

  /**
   * Replaces the application's claims in the access token with the user's JSON object. The engine
   * refuses reserved claim names and payloads over its limits (2,048 characters as JSON,
   * 4,000-character access tokens) with an IllegalArgumentException: the user's input, so 400 with
   * the engine's message, which names the limit. The new access token and front-token go out with
   * this answer, and the SDK tells the page (ACCESS_TOKEN_PAYLOAD_UPDATED).
   */
  private void updateJwtPayload(HttpServletRequest req, HttpServletResponse res)
      throws IOException {
    Session s = web.getSession(req, res, true);
    Object body = readJson(req);
    if (!(body instanceof Map)) {
      badRequest(res, "the access-token payload must be a JSON object");
      return;
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> payload = (Map<String, Object>) body;
    try {
      s.updateJWTPayload(payload);
    } catch (IllegalArgumentException e) {
      badRequest(res, e.getMessage());
      return;
    }
    send(res, s.getJWTPayload());
  }

  /**
   * The user's devices: each live session with when it began and was last active, and the IP
   * address and browser it was last seen from (the engine records them: {@code
   * recordClientMetadata(true)}).
   */
  private void mySessions(HttpServletRequest req, HttpServletResponse res) throws IOException {
    Session s = web.getSession(req, res, true);
    List<Map<String, Object>> out = new ArrayList<>();
    for (SessionSummary info : engine.getAllSessionsForUser(s.getUserId())) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("handle", info.handle());
      row.put("createdAt", info.createdAt().toString());
      row.put("lastActiveAt", info.lastActiveAt().toString());
      row.put("expiresAt", info.expiresAt().toString());
      row.put("ip", info.lastIp() != null ? info.lastIp() : info.createdIp());
      row.put(
          "userAgent",
          info.lastUserAgent() != null ? info.lastUserAgent() : info.createdUserAgent());
      row.put("current", info.handle().equals(s.getHandle()));
      out.add(row);
    }
    send(res, out);
  }

  /**
   * "Sign out this device": revokes one of the user's own sessions, {@code {"handle": ...}}. A
   * handle that is not one of the caller's live sessions is 404, so nobody can end another user's
   * session by guessing handles.
   */
  private void signOutDevice(HttpServletRequest req, HttpServletResponse res) throws IOException {
    Session s = web.getSession(req, res, true);
    Object handle = readJson(req) instanceof Map<?, ?> m ? m.get("handle") : null;
    boolean mine =
        handle instanceof String
            && engine.getAllSessionsForUser(s.getUserId()).stream()
                .anyMatch(info -> info.handle().equals(handle));
    if (!mine) {
      res.setStatus(HttpServletResponse.SC_NOT_FOUND);
      send(res, Map.of("message", "no such session of yours"));
      return;
    }
    if (handle.equals(s.getHandle())) {
      s.revokeSession(); // this browser: also clears its tokens
    } else {
      engine.revokeSession((String) handle);
      // That browser learns it at its next refresh; its page asks why (sessionEnding).
      endings.ended((String) handle, SessionEndings.Reason.SIGNED_OUT_ELSEWHERE);
    }
    send(res, Map.of("revoked", handle));
  }

  private void signOutEverywhere(HttpServletRequest req, HttpServletResponse res)
      throws IOException {
    Session s = web.getSession(req, res, true);
    List<String> revoked = engine.revokeAllSessionsForUser(s.getUserId());
    for (String handle : revoked) {
      if (!handle.equals(s.getHandle())) {
        // Those browsers learn it at their next refresh; their pages ask why (sessionEnding).
        endings.ended(handle, SessionEndings.Reason.SIGNED_OUT_ELSEWHERE);
      }
    }
    // Already revoked with the others; this also clears this browser's tokens.
    s.revokeSession();
    send(res, Map.of("revoked", revoked.size()));
  }

  /**
   * Why the session {@code ?handle=} ended: {@code {"reason": "token-theft" |
   * "signed-out-elsewhere" | "expired" | "unknown"}}. The page asks after the server refused its
   * session, so this needs no session; it tells only what the demo remembers about a handle (see
   * {@link SessionEndings}).
   */
  private void sessionEnding(HttpServletRequest req, HttpServletResponse res) throws IOException {
    String handle = req.getParameter("handle");
    if (handle == null || handle.isEmpty() || handle.length() > MAX_HANDLE_LENGTH) {
      badRequest(res, "handle must be a session handle");
      return;
    }
    send(res, Map.of("reason", endings.why(handle).wireName()));
  }

  /** The request's JSON body, or null when it is not JSON or longer than 16 KiB. */
  private static Object readJson(HttpServletRequest req) throws IOException {
    byte[] body = req.getInputStream().readNBytes(MAX_BODY_BYTES + 1);
    if (body.length > MAX_BODY_BYTES) {
      return null;
    }
    try {
      return JSON.readValue(body, Object.class);
    } catch (JacksonException e) {
      return null;
    }
  }

  private static void badRequest(HttpServletResponse res, String message) throws IOException {
    res.setStatus(HttpServletResponse.SC_BAD_REQUEST);
    send(res, Map.of("message", message));
  }

  private static void send(HttpServletResponse res, Object body) throws IOException {
    res.setContentType("application/json");
    res.setCharacterEncoding("UTF-8");
    res.setHeader("Cache-Control", "no-store");
    JSON.writeValue(res.getOutputStream(), body);
  }
}
