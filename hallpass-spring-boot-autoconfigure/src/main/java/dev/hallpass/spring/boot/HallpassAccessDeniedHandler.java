package dev.hallpass.spring.boot;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.web.access.AccessDeniedHandler;

/**
 * Answers a signed-in user who lacks the authority an endpoint needs: 403 with {@code
 * {"message":"forbidden"}}. The SDKs do not treat 403 as the end of the session (it is not the
 * session-expired status), so the user stays signed in.
 */
final class HallpassAccessDeniedHandler implements AccessDeniedHandler {

  @Override
  public void handle(
      HttpServletRequest request, HttpServletResponse response, AccessDeniedException e)
      throws IOException {
    if (response.isCommitted()) {
      return;
    }
    response.resetBuffer();
    response.setStatus(HttpServletResponse.SC_FORBIDDEN);
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    response
        .getOutputStream()
        .write("{\"message\":\"forbidden\"}".getBytes(StandardCharsets.UTF_8));
  }
}
