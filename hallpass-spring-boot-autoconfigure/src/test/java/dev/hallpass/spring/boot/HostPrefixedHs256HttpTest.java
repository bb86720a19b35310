package dev.hallpass.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallpass.Hallpass;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;

/**
 * {@code hallpass.cookie.host-prefixed-names} and {@code hallpass.access-token-signing=hs256} over
 * real HTTP: sign-in sets {@code __Host-} cookies (Secure, Path=/, no Domain) holding an HS256
 * access token, and the session works and refreshes with them.
 */
@SpringBootTest(
    webEnvironment = WebEnvironment.RANDOM_PORT,
    classes = HostPrefixedHs256HttpTest.App.class,
    properties = {
      "hallpass.cookie.host-prefixed-names=true",
      "hallpass.access-token-signing=hs256",
      "hallpass.anti-csrf=via-custom-header"
    })
class HostPrefixedHs256HttpTest {

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
  @Autowired Hallpass hallpass;

  @Test
  void signIn_setsHostPrefixedCookies_withAnHs256AccessToken_thatWorkAndRefresh() {
    Browser b = new Browser(port);
    HttpResponse<String> login = b.post("/api/login?user=alice", null, "rid", "session");

    assertThat(login.statusCode()).isEqualTo(200);
    assertThat(b.cookies)
        .containsKeys("__Host-sAccessToken", "__Host-sRefreshToken")
        .doesNotContainKeys("sAccessToken", "sRefreshToken");
    assertThat(login.headers().allValues("set-cookie"))
        .filteredOn(c -> c.startsWith("__Host-"))
        .isNotEmpty()
        .allSatisfy(
            c ->
                assertThat(c)
                    .contains("Secure")
                    .contains("Path=/;")
                    .doesNotContainIgnoringCase("Domain="));
    String jwt = b.cookies.get("__Host-sAccessToken");
    String header =
        new String(
            Base64.getUrlDecoder().decode(jwt.substring(0, jwt.indexOf('.'))),
            StandardCharsets.UTF_8);
    assertThat(header).contains("\"alg\":\"HS256\"");
    assertThat(hallpass.getJwks().getKeyIds()).isEmpty();

    assertThat(b.get("/api/me").body()).contains("\"userId\":\"alice\"");
    String oldRefresh = b.cookies.get("__Host-sRefreshToken");
    HttpResponse<String> refresh = b.post("/auth/session/refresh", null, "rid", "session");
    assertThat(refresh.statusCode()).isEqualTo(200);
    assertThat(b.cookies.get("__Host-sRefreshToken")).isNotEqualTo(oldRefresh);
    assertThat(b.get("/api/me").statusCode()).isEqualTo(200);
  }
}
