package dev.hallpass.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallpass.testkit.MutableClock;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@link HallpassSecurity} in a real Spring Security filter chain over HTTP: URL rules, {@code
 * PreAuthorize}, {@code AuthenticationPrincipal}, the SDK's 401 answers, the session endpoints
 * under {@code anyRequest().authenticated()}, and Spring Security's CSRF protection (left on) next
 * to Hallpass's VIA_TOKEN anti-CSRF mode, the recommended pairing for cross-site cookies.
 */
@SpringBootTest(
    webEnvironment = WebEnvironment.RANDOM_PORT,
    classes = SpringSecurityHttpTest.App.class,
    properties = {
      "hallpass.anti-csrf=via-token",
      "hallpass.access-token-validity=5m",
      "hallpass.refresh-token-validity=1h",
      "management.endpoint.health.show-details=always"
    })
class SpringSecurityHttpTest {

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @EnableWebSecurity
  @EnableMethodSecurity
  @Import({TestApp.Clocks.class, TestApp.Api.class, App.Secured.class})
  static class App {

    @Bean
    SecurityFilterChain api(HttpSecurity http) throws Exception {
      return http.with(HallpassSecurity.hallpass(), hallpass -> hallpass.rolesClaim("roles"))
          // sign-in is called without a session: Hallpass's check cannot cover it
          .csrf(csrf -> csrf.ignoringRequestMatchers("/api/login"))
          .authorizeHttpRequests(
              a ->
                  a.requestMatchers("/api/login", "/api/public", "/api/optional")
                      .permitAll()
                      .requestMatchers("/actuator/health/**")
                      .permitAll()
                      .requestMatchers("/api/admin/**")
                      .hasRole("ADMIN")
                      .anyRequest()
                      .authenticated())
          .build();
    }

    @RestController
    static class Secured {
      @GetMapping("/api/admin/report")
      Map<String, Object> report() {
        return Map.of("report", "ok");
      }

      @GetMapping("/api/preauthorized")
      @PreAuthorize("hasRole('AUDITOR')")
      Map<String, Object> audit() {
        return Map.of("audit", "ok");
      }

      @GetMapping("/api/principal")
      Map<String, Object> principal(
          @AuthenticationPrincipal HallpassPrincipal principal, Authentication authentication) {
        return Map.of(
            "userId", principal.userId(),
            "name", authentication.getName(),
            "sub", principal.accessTokenPayload().get("sub"),
            "handle", principal.session().getHandle(),
            "authorities", authentication.getAuthorities().toString());
      }
    }
  }

  @LocalServerPort int port;
  @Autowired MutableClock clock;

  /** A browser signed in, holding the anti-CSRF token the way the SDK does. */
  private Browser signedIn(String user, String roles) {
    Browser b = new Browser(port);
    HttpResponse<String> login =
        b.post("/api/login?user=" + user + (roles == null ? "" : "&roles=" + roles), null);
    assertThat(login.statusCode()).isEqualTo(200);
    b.headers.put("anti-csrf", login.headers().firstValue("anti-csrf").orElseThrow());
    return b;
  }

  @Test
  void protectedEndpoint_withoutSession_answers401_inTheSdkShape() {
    HttpResponse<String> res = new Browser(port).get("/api/me");

    assertThat(res.statusCode()).isEqualTo(401);
    assertThat(res.body()).isEqualTo("{\"message\":\"unauthorised\"}");
  }

  @Test
  void roleRule_answers403WithoutTheRole_and200WithIt() {
    HttpResponse<String> user = signedIn("ulla", "USER").get("/api/admin/report");
    assertThat(user.statusCode()).isEqualTo(403);
    assertThat(user.body()).isEqualTo("{\"message\":\"forbidden\"}");

    assertThat(signedIn("ada", "ADMIN").get("/api/admin/report").statusCode()).isEqualTo(200);
    assertThat(signedIn("nobody", null).get("/api/admin/report").statusCode()).isEqualTo(403);
  }

  @Test
  void preAuthorize_usesTheRolesClaim() {
    assertThat(signedIn("ada", "ADMIN").get("/api/preauthorized").statusCode()).isEqualTo(403);
    assertThat(signedIn("otto", "AUDITOR,USER").get("/api/preauthorized").statusCode())
        .isEqualTo(200);
  }

  @Test
  void authenticationPrincipal_exposesUserPayloadAndSession() {
    HttpResponse<String> res = signedIn("paula", "USER").get("/api/principal");

    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.body())
        .contains("\"userId\":\"paula\"")
        .contains("\"name\":\"paula\"")
        .contains("\"sub\":\"paula\"")
        .contains("\"authorities\":\"[ROLE_USER]\"")
        .containsPattern("\"handle\":\"[^\"]+\"");
  }

  @Test
  void expiredAccessToken_answersTryRefresh_andTheRefreshEndpointIsReachable() {
    Browser b = signedIn("rita", "USER");
    clock.advance(Duration.ofMinutes(6));

    HttpResponse<String> expired = b.get("/api/me");
    assertThat(expired.statusCode()).isEqualTo(401);
    assertThat(expired.body()).isEqualTo("{\"message\":\"try refresh token\"}");

    HttpResponse<String> refresh = b.post("/auth/session/refresh", null);
    assertThat(refresh.statusCode()).isEqualTo(200);
    b.headers.put("anti-csrf", refresh.headers().firstValue("anti-csrf").orElseThrow());

    assertThat(b.get("/api/me").statusCode()).isEqualTo(200);
  }

  @Test
  void signOut_isReachable_andEndsTheSession() {
    Browser b = signedIn("sam", "USER");

    assertThat(b.post("/auth/signout", null).statusCode()).isEqualTo(200);
    assertThat(b.get("/api/me").statusCode()).isEqualTo(401);
  }

  @Test
  void sessionRequests_areGuardedByHallpassAntiCsrf_otherRequestsBySpringCsrf() {
    Browser b = signedIn("tina", "USER");

    // No Spring CSRF token: Hallpass's anti-csrf header is what protects the session request.
    assertThat(b.post("/api/data", "{\"note\":\"mine\"}").statusCode()).isEqualTo(200);

    String antiCsrf = b.headers.remove("anti-csrf");
    HttpResponse<String> forged = b.post("/api/data", "{\"note\":\"forged\"}");
    assertThat(forged.statusCode()).isEqualTo(401);
    assertThat(forged.body()).isEqualTo("{\"message\":\"try refresh token\"}");
    b.headers.put("anti-csrf", antiCsrf);
    assertThat(b.get("/api/me").body()).contains("\"note\":\"mine\"");

    // A request without Hallpass tokens keeps Spring Security's CSRF protection.
    assertThat(new Browser(port).post("/api/public", null).statusCode()).isEqualTo(403);
  }

  @Test
  void health_reportsTheStoreAndTheSigningKeys() {
    HttpResponse<String> res = new Browser(port).get("/actuator/health/hallpass");

    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.body()).contains("\"status\":\"UP\"").contains("\"signingKeys\"");
  }
}
