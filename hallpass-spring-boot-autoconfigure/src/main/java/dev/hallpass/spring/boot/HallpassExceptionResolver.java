package dev.hallpass.spring.boot;

import dev.hallpass.HallpassException;
import dev.hallpass.servlet.HallpassWeb;
import dev.hallpass.servlet.InvalidClaimException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.springframework.core.Ordered;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;

/**
 * Answers {@link HallpassException}s thrown by controllers (and by {@link SessionArgumentResolver})
 * with {@link HallpassWeb#sendErrorResponse}: the session-expired status and the SDK's JSON message
 * for credential errors, 500 {@code {"message":"internal error"}} for GENERAL_ERROR. Runs before
 * {@code @ExceptionHandler} methods, so that an application's catch-all handler cannot turn a "try
 * refresh token" into a 500. {@link InvalidClaimException}s get {@link
 * HallpassWeb#sendInvalidClaimResponse} (403 {@code "invalid claim"}).
 */
final class HallpassExceptionResolver implements HandlerExceptionResolver, Ordered {

  private final HallpassWeb web;

  HallpassExceptionResolver(HallpassWeb web) {
    this.web = web;
  }

  @Override
  public ModelAndView resolveException(
      HttpServletRequest request, HttpServletResponse response, Object handler, Exception ex) {
    if (response.isCommitted()) {
      return null;
    }
    InvalidClaimException invalid = findInvalidClaim(ex);
    HallpassException error = invalid == null ? find(ex) : null;
    if (invalid == null && error == null) {
      return null;
    }
    try {
      if (invalid != null) {
        web.sendInvalidClaimResponse(invalid, request, response);
      } else {
        web.sendErrorResponse(error, request, response);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new ModelAndView(); // empty: the response is complete
  }

  @Override
  public int getOrder() {
    // After Boot's DefaultErrorAttributes (which only records the exception), before the rest.
    return Ordered.HIGHEST_PRECEDENCE + 10;
  }

  private static InvalidClaimException findInvalidClaim(Throwable t) {
    for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) {
      if (t instanceof InvalidClaimException i) {
        return i;
      }
    }
    return null;
  }

  private static HallpassException find(Throwable t) {
    for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) {
      if (t instanceof HallpassException h) {
        return h;
      }
    }
    return null;
  }
}
