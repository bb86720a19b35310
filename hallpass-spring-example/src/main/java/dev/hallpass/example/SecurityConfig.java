package dev.hallpass.example;

import dev.hallpass.spring.boot.HallpassSecurity;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

/** Who may call what: Hallpass authenticates, Spring Security decides. */
@Configuration(proxyBeanMethods = false)
@EnableMethodSecurity
class SecurityConfig {

  @Bean
  SecurityFilterChain api(HttpSecurity http) throws Exception {
    return http.with(HallpassSecurity.hallpass(), hallpass -> {}) // roles from the "roles" claim
        // Sign-in is the one state-changing call made without a session, so Hallpass's anti-CSRF
        // check cannot cover it; it takes JSON only, which a cross-site form cannot send.
        .csrf(csrf -> csrf.ignoringRequestMatchers("/api/login"))
        .authorizeHttpRequests(
            a ->
                a.requestMatchers("/", "/index.html", "/js/**", "/app.css", "/favicon.ico")
                    .permitAll()
                    .requestMatchers("/api/login", "/actuator/health/**")
                    .permitAll()
                    .requestMatchers("/api/admin/**")
                    .hasRole("ADMIN")
                    .anyRequest()
                    .authenticated())
        .build();
  }
}
