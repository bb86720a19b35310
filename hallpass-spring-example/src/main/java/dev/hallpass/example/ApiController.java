package dev.hallpass.example;

import dev.hallpass.Session;
import dev.hallpass.servlet.HallpassWeb;
import dev.hallpass.spring.boot.HallpassPrincipal;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** The example's REST API. */
@RestController
class ApiController {

  private final HallpassWeb web;
  private final Users users;

  ApiController(HallpassWeb web, Users users) {
    this.web = web;
    this.users = users;
  }

  /** The sign-in body. */
  record Login(String username, String password) {}

  /** Signs a user in: the session's tokens go back as cookies (or headers, as the SDK asks). */
  @PostMapping("/api/login")
  ResponseEntity<Map<String, Object>> login(
      @RequestBody Login login, HttpServletRequest req, HttpServletResponse res) {
    return users
        .check(login.username(), login.password())
        .<ResponseEntity<Map<String, Object>>>map(
            user -> {
              web.createNewSession(
                  req, res, user.id(), Map.of("roles", user.roles()), Map.of("visits", 0));
              return ResponseEntity.ok(Map.of("userId", user.id()));
            })
        .orElseGet(
            () -> ResponseEntity.status(401).body(Map.of("message", "wrong user or password")));
  }

  /** Any signed-in user: who am I, and my session data (one database read). */
  @GetMapping("/api/me")
  Map<String, Object> me(Session session) {
    Map<String, Object> me = new LinkedHashMap<>();
    me.put("userId", session.getUserId());
    me.put("roles", session.getJWTPayload().get("roles"));
    me.put("sessionData", session.getSessionData());
    return me;
  }

  /** Changes the session's server-side data. */
  @PutMapping("/api/session-data")
  Map<String, Object> sessionData(Session session, @RequestBody Map<String, Object> data) {
    session.updateSessionData(data);
    return Map.of("saved", true);
  }

  /** Only for the ADMIN role (the URL rule in SecurityConfig). */
  @GetMapping("/api/admin/stats")
  Map<String, Object> stats(@AuthenticationPrincipal HallpassPrincipal principal) {
    return Map.of(
        "requestedBy",
        principal.userId(),
        "sessionsOfCaller",
        web.engine().getAllSessionHandlesForUser(principal.userId()).size());
  }

  /** The same rule as a method annotation. */
  @GetMapping("/api/reports")
  @PreAuthorize("hasRole('ADMIN')")
  Map<String, Object> reports() {
    return Map.of("reports", 3);
  }
}
