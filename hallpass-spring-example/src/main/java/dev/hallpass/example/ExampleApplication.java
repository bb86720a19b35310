package dev.hallpass.example;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A REST API with Hallpass sessions and Spring Security: sign in, a protected endpoint, an admin
 * endpoint with a role rule, session data, sign-out; the page at {@code /} drives it with
 * supertokens-website. Run it with {@code ./mvnw -pl hallpass-spring-example -am spring-boot:run}
 * (see the README's Spring Boot quick start).
 */
@SpringBootApplication
public class ExampleApplication {

  /** Starts the application. */
  public static void main(String[] args) {
    SpringApplication.run(ExampleApplication.class, args);
  }
}
