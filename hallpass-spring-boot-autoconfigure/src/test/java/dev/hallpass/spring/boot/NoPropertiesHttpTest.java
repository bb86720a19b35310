package dev.hallpass.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallpass.servlet.HallpassWeb;
import dev.hallpass.spi.SessionStore;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;

/**
 * No {@code hallpass.*} property and no DataSource: the defaults (embedded H2 in ./hallpass-data,
 * API under /auth, 401, Secure SameSite=Lax HttpOnly cookies) serve a sign-in over real HTTP.
 */
@SpringBootTest(
    webEnvironment = WebEnvironment.RANDOM_PORT,
    classes = NoPropertiesHttpTest.App.class)
class NoPropertiesHttpTest {

  @SpringBootConfiguration
  @EnableAutoConfiguration(
      excludeName = {
        "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration"
      })
  @Import(TestApp.Api.class)
  static class App {}

  @LocalServerPort int port;
  @Autowired SessionStore store;
  @Autowired HallpassWeb web;

  @Test
  void defaults_signInAndServeTheSession_fromTheEmbeddedH2Store() {
    assertThat(store.getClass().getName()).isEqualTo("dev.hallpass.jdbc.JdbcSessionStore");
    assertThat(Path.of("hallpass-data", "hallpass.mv.db")).exists();
    assertThat(web.apiBasePath()).isEqualTo("/auth");

    Browser b = new Browser(port);
    HttpResponse<String> login = b.post("/api/login?user=nora", null);
    assertThat(login.statusCode()).isEqualTo(200);
    assertThat(login.headers().allValues("set-cookie"))
        .anyMatch(
            c ->
                c.startsWith("sAccessToken=")
                    && c.contains("HttpOnly")
                    && c.contains("Secure")
                    && c.contains("SameSite=Lax"));
    assertThat(b.get("/api/me").body()).contains("\"userId\":\"nora\"");
    assertThat(b.post("/auth/signout", null).statusCode()).isEqualTo(200);
    assertThat(b.get("/api/me").statusCode()).isEqualTo(401);
  }
}
