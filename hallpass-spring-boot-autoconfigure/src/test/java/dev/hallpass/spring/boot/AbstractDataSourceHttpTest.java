package dev.hallpass.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallpass.spi.SessionStore;
import dev.hallpass.testkit.MutableClock;
import java.time.Duration;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The auto-configuration on the application's DataSource (Spring Boot's HikariCP pool from {@code
 * spring.datasource.url}) of a real database server: sessions land in its tables, and sign-in,
 * protected calls and refresh work over HTTP.
 */
abstract class AbstractDataSourceHttpTest {

  @SpringBootConfiguration
  @EnableAutoConfiguration(
      excludeName = {
        "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration"
      })
  @Import({TestApp.Clocks.class, TestApp.Api.class})
  static class App {}

  @LocalServerPort int port;
  @Autowired MutableClock clock;
  @Autowired DataSource dataSource;
  @Autowired SessionStore store;

  @Test
  void sessions_areStoredInTheApplicationsDatabase_andRefreshWorksOverHttp() {
    assertThat(store.getClass().getName()).isEqualTo("dev.hallpass.jdbc.JdbcSessionStore");
    String user = "u-" + UUID.randomUUID();
    Browser b = new Browser(port);
    assertThat(b.post("/api/login?user=" + user, null).statusCode()).isEqualTo(200);

    Long rows =
        new JdbcTemplate(dataSource)
            .queryForObject(
                "SELECT COUNT(*) FROM hallpass_sessions WHERE user_id = ?", Long.class, user);
    assertThat(rows).isEqualTo(1);
    assertThat(b.get("/api/me").body()).contains("\"userId\":\"" + user + "\"");

    clock.advance(Duration.ofHours(2)); // past the default 1 h access-token validity
    assertThat(b.get("/api/me").body()).isEqualTo("{\"message\":\"try refresh token\"}");
    assertThat(b.post("/auth/session/refresh", null).statusCode()).isEqualTo(200);
    assertThat(b.get("/api/me").statusCode()).isEqualTo(200);

    assertThat(b.post("/auth/signout", null).statusCode()).isEqualTo(200);
    rows =
        new JdbcTemplate(dataSource)
            .queryForObject(
                "SELECT COUNT(*) FROM hallpass_sessions WHERE user_id = ?", Long.class, user);
    assertThat(rows).isZero();
  }
}
