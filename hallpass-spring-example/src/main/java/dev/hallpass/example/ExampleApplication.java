package dev.hallpass.example;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A REST API with Hallpass sessions and Spring Security: sign in, a protected endpoint, an admin
 * endpoint with a role rule, session data, sign-out; the page at {@code /} drives it with
 * supertokens-website. See the README's Spring Boot quick start.
 */
// No username/password login through Spring Security here (Hallpass sessions are the
// authentication), so no generated default user either.
@SpringBootApplication(
    excludeName =
        "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration")
public class ExampleApplication {

  /** Starts the application. */
  public static void main(String[] args) {
    SpringApplication.run(ExampleApplication.class, args);
  }
}
