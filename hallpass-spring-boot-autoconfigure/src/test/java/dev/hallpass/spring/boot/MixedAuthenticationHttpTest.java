package dev.hallpass.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Hallpass next to another authentication (HTTP Basic here): requests carrying Hallpass tokens skip
 * Spring Security's CSRF check, so when those tokens fail, the request must not stay authenticated
 * by the other mechanism; a forged cross-site request could otherwise ride on it.
 */
@SpringBootTest(
    webEnvironment = WebEnvironment.RANDOM_PORT,
    classes = MixedAuthenticationHttpTest.App.class)
class MixedAuthenticationHttpTest {

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @EnableWebSecurity
  @Import({TestApp.Api.class, App.WhoAmI.class})
  static class App {

    @Bean
    SecurityFilterChain api(HttpSecurity http) throws Exception {
      return http.with(HallpassSecurity.hallpass(), Customizer.withDefaults())
          .httpBasic(Customizer.withDefaults())
          .authorizeHttpRequests(a -> a.anyRequest().authenticated())
          .build();
    }

    @Bean
    InMemoryUserDetailsManager users() {
      return new InMemoryUserDetailsManager(
          User.withUsername("basic").password("{noop}basic-password").roles("USER").build());
    }

    @RestController
    static class WhoAmI {
      @PostMapping("/api/whoami")
      Map<String, Object> whoami(Authentication authentication) {
        return Map.of("name", authentication.getName());
      }
    }
  }

  @LocalServerPort int port;

  private static String basic() {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString("basic:basic-password".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void basicAuthentication_stillNeedsSpringsCsrfToken_withoutHallpassTokens() {
    assertThat(new Browser(port).post("/api/whoami", null, "Authorization", basic()).statusCode())
        .isEqualTo(403);
  }

  @Test
  void refusedHallpassTokens_leaveTheRequestUnauthenticated_evenWithOtherCredentials() {
    Browser b = new Browser(port);
    b.cookies.put("sAccessToken", "not-a-valid-token");

    assertThat(b.post("/api/whoami", null, "Authorization", basic()).statusCode()).isEqualTo(401);
  }

  @Test
  void aRefreshTokenAlone_leavesTheRequestUnauthenticated_evenWithOtherCredentials() {
    Browser b = new Browser(port);

    assertThat(
            b.send(
                    "POST",
                    "/api/whoami",
                    null,
                    "Authorization",
                    basic(),
                    "Cookie",
                    "sRefreshToken=planted")
                .statusCode())
        .isEqualTo(401);
  }
}
