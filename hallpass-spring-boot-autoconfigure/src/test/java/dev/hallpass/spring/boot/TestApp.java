package dev.hallpass.spring.boot;

import dev.hallpass.HallpassException;
import dev.hallpass.Session;
import dev.hallpass.servlet.HallpassWeb;
import dev.hallpass.testkit.MutableClock;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Controllers and beans shared by the HTTP tests. */
final class TestApp {
  private TestApp() {}

  /** A clock the tests move, given to the engine and the web layer through the customizers. */
  @Configuration(proxyBeanMethods = false)
  static class Clocks {
    @Bean
    MutableClock clock() {
      return new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    }

    @Bean
    HallpassBuilderCustomizer engineClock(MutableClock clock) {
      return b -> b.clock(clock).disableBackgroundCleanup();
    }

    @Bean
    HallpassWebBuilderCustomizer webClock(MutableClock clock) {
      return b -> b.clock(clock);
    }
  }

  /** A REST API using sessions through the argument resolver. */
  @RestController
  static class Api {
    private final HallpassWeb web;

    Api(HallpassWeb web) {
      this.web = web;
    }

    @PostMapping("/api/login")
    Map<String, Object> login(
        @RequestParam("user") String user,
        @RequestParam(name = "roles", required = false) List<String> roles,
        HttpServletRequest req,
        HttpServletResponse res) {
      Map<String, Object> claims = new LinkedHashMap<>();
      if (roles != null) {
        claims.put("roles", roles);
      }
      Session s = web.createNewSession(req, res, user, claims, Map.of("note", "hello"));
      return Map.of("userId", s.getUserId());
    }

    @GetMapping("/api/me")
    Map<String, Object> me(Session session) {
      return Map.of("userId", session.getUserId(), "data", session.getSessionData());
    }

    @GetMapping("/api/optional")
    Map<String, Object> optional(@HallpassSession(required = false) Session session) {
      return Map.of("signedIn", session != null);
    }

    @PostMapping("/api/data")
    Map<String, Object> data(Session session, @RequestBody Map<String, Object> data) {
      session.updateSessionData(data);
      return Map.of("saved", true);
    }

    @PostMapping("/api/unchecked")
    Map<String, Object> unchecked(@HallpassSession(antiCsrf = false) Session session) {
      return Map.of("userId", session.getUserId());
    }

    @PostMapping("/api/public")
    Map<String, Object> publicPost() {
      return Map.of("ok", true);
    }

    @GetMapping("/api/broken")
    Map<String, Object> broken() {
      throw HallpassException.generalError("the store is down", new IllegalStateException("x"));
    }
  }
}
