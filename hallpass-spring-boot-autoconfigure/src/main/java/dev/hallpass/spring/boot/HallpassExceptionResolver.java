package dev.hallpass.spring.boot;

import dev.hallpass.HallpassException;
import dev.hallpass.servlet.HallpassWeb;
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
 * refresh token" into a 500.
 */
final class HallpassExceptionResolver implements HandlerExceptionResolver, Ordered {

  private final HallpassWeb web;

  HallpassExceptionResolver(HallpassWeb web) {
    this.web = web;
  }

  @Override
  public ModelAndView resolveException(
      HttpServletRequest request, HttpServletResponse response, Object handler, Exception ex) {
    HallpassException error = find(ex);
    if (error == null || response.isCommitted()) {
      return null;
    }
    try {
      web.sendErrorResponse(error, request, response);
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

  private static HallpassException find(Throwable t) {
    for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) {
      if (t instanceof HallpassException h) {
        return h;
      }
    }
    return null;
  }
}
