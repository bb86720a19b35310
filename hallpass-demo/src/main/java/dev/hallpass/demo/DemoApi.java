package dev.hallpass.demo;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallpass.Hallpass;
import dev.hallpass.HallpassException;
import dev.hallpass.Session;
import dev.hallpass.SessionInformation;
import dev.hallpass.servlet.HallpassWeb;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's JSON API: the part an application writes itself. Sign-in takes only a user name
 * (Hallpass manages sessions, not accounts); everything else needs a session. Hallpass errors are
 * not caught here: the {@code HallpassFilter} answers them.
 */
final class DemoApi extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BODY_BYTES = 16 * 1024;

  private final transient HallpassWeb web;
  private final transient Hallpass engine;

  DemoApi(HallpassWeb web) {
    this.web = web;
    this.engine = web.engine();
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
      case "GET /sessions":
        mySessions(req, res);
        break;
      case "POST /signout-everywhere":
        signOutEverywhere(req, res);
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
    Session s = web.createNewSession(req, res, userId, Map.of("role", "visitor"),
        Map.of("note", "Hello from the server side. Edit me!"));
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

  private void mySessions(HttpServletRequest req, HttpServletResponse res) throws IOException {
    Session s = web.getSession(req, res, true);
    List<Map<String, Object>> out = new ArrayList<>();
    for (String handle : engine.getAllSessionHandlesForUser(s.getUserId())) {
      try {
        SessionInformation info = engine.getSessionInformation(handle);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("handle", info.getHandle());
        row.put("createdAt", info.getCreatedAt().toString());
        row.put("expiresAt", info.getExpiresAt().toString());
        row.put("current", handle.equals(s.getHandle()));
        out.add(row);
      } catch (HallpassException gone) {
        // Revoked or expired since it was listed: not "my session" any more.
      }
    }
    send(res, out);
  }

  private void signOutEverywhere(HttpServletRequest req, HttpServletResponse res)
      throws IOException {
    Session s = web.getSession(req, res, true);
    int revoked = engine.revokeAllSessionsForUser(s.getUserId()).size();
    // Already revoked with the others; this also clears this browser's tokens.
    s.revokeSession();
    send(res, Map.of("revoked", revoked));
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
