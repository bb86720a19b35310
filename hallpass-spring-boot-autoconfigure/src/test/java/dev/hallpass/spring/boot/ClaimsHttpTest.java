package dev.hallpass.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallpass.Session;
import dev.hallpass.servlet.BooleanClaim;
import dev.hallpass.servlet.ClaimValidator;
import dev.hallpass.servlet.HallpassWeb;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A {@link ClaimValidator} bean over real HTTP behind Spring Security: required of {@code Session}
 * arguments (403 in the SDK's format), skipped with {@code @HallpassSession(globalClaims = false)},
 * and passed once the value changes server-side; Spring Security's authentication itself ignores
 * claims.
 */
@SpringBootTest(
    webEnvironment = WebEnvironment.RANDOM_PORT,
    classes = ClaimsHttpTest.App.class,
    properties = {"hallpass.access-token-validity=5m", "hallpass.refresh-token-validity=1h"})
class ClaimsHttpTest {

  /** The stand-in user store's "email verified" column. */
  static final Set<String> VERIFIED = ConcurrentHashMap.newKeySet();

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @EnableWebSecurity
  @Import({TestApp.Clocks.class, TestApp.Api.class, App.Claimed.class})
  static class App {

    @Bean
    SecurityFilterChain api(HttpSecurity http) throws Exception {
      return http.with(HallpassSecurity.hallpass(), hallpass -> {})
          .csrf(csrf -> csrf.ignoringRequestMatchers("/api/login"))
          .authorizeHttpRequests(
              a -> a.requestMatchers("/api/login").permitAll().anyRequest().authenticated())
          .build();
    }

    @Bean
    ClaimValidator emailVerified() {
      return BooleanClaim.emailVerified(VERIFIED::contains).isTrue();
    }

    @RestController
    static class Claimed {
      @GetMapping("/api/claimed")
      Map<String, Object> claimed(Session session) {
        return Map.of("userId", session.getUserId());
      }

      @GetMapping("/api/verify-page")
      Map<String, Object> verifyPage(@HallpassSession(globalClaims = false) Session session) {
        return Map.of("userId", session.getUserId());
      }

      @GetMapping("/api/no-session-argument")
      Map<String, Object> noSessionArgument() {
        return Map.of("ok", true);
      }
    }
  }

  @LocalServerPort int port;
  @Autowired ClaimValidator validator;
  @Autowired HallpassWeb web;

  private Browser signedIn(String user) {
    Browser b = new Browser(port);
    assertThat(b.post("/api/login?user=" + user, null).statusCode()).isEqualTo(200);
    return b;
  }

  @Test
  void sessionArgument_withClaimValidatorBeanFailing_answers403InTheSdkFormat() {
    Browser b = signedIn("uma");

    HttpResponse<String> r = b.get("/api/claimed");

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body())
        .isEqualTo(
            "{\"message\":\"invalid claim\",\"claimValidationErrors\":[{\"id\":\"st-ev\","
                + "\"reason\":{\"message\":\"wrong value\",\"expectedValue\":true,"
                + "\"actualValue\":false}}]}");
  }

  @Test
  void sessionArgument_afterTheClaimChanges_passes() {
    Browser b = signedIn("vic");
    assertThat(b.get("/api/claimed").statusCode()).isEqualTo(403);

    VERIFIED.add("vic");

    HttpResponse<String> r = b.get("/api/claimed");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"userId\":\"vic\"}");
    assertThat(r.headers().firstValue("front-token")).as("the new payload is sent").isPresent();
  }

  @Test
  void sessionArgument_withGlobalClaimsOff_skipsTheValidatorBean() {
    Browser b = signedIn("wes");

    assertThat(b.get("/api/verify-page").statusCode()).isEqualTo(200);
    assertThat(b.get("/api/no-session-argument").statusCode())
        .as("Spring Security authenticates without claims")
        .isEqualTo(200);
  }

  @Test
  void claimValidatorBean_isTheWebLayersGlobalValidator() {
    assertThat(web.globalClaimValidators()).containsExactly(validator);
  }
}
