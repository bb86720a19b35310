package dev.hallpass.spring.boot;

import dev.hallpass.HallpassException;
import dev.hallpass.servlet.HallpassWeb;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;

/**
 * Answers unauthenticated requests to protected endpoints as the SDKs expect: the session-expired
 * status with {@code {"message":"try refresh token"}} when the request's access token expired (the
 * SDK refreshes and retries), {@code {"message":"unauthorised"}} otherwise.
 */
final class HallpassAuthenticationEntryPoint implements AuthenticationEntryPoint {

  private final HallpassWeb web;

  HallpassAuthenticationEntryPoint(HallpassWeb web) {
    this.web = web;
  }

  @Override
  public void commence(
      HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
      throws IOException {
    Object error = request.getAttribute(RequestAttributes.SESSION_ERROR);
    web.sendErrorResponse(
        error instanceof HallpassException h
            ? h
            : HallpassException.unauthorised("no session for a protected endpoint"),
        request,
        response);
  }
}
