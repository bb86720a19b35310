package dev.hallpass.spring.boot;

import dev.hallpass.Session;
import dev.hallpass.servlet.ClaimValidator;
import dev.hallpass.servlet.HallpassWeb;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

/**
 * Resolves {@link Session} controller arguments with {@link HallpassWeb#getSession}: a missing or
 * invalid session throws the HallpassException that {@link HallpassExceptionResolver} answers.
 * Reuses the session the Spring Security filter already verified (with the anti-CSRF check) for
 * this request, so a token is verified (and a re-issued one sent) once. Applies the web layer's
 * global claim validators unless {@link HallpassSession#globalClaims()} is false.
 */
final class SessionArgumentResolver implements HandlerMethodArgumentResolver {

  private final HallpassWeb web;

  SessionArgumentResolver(HallpassWeb web) {
    this.web = web;
  }

  @Override
  public boolean supportsParameter(MethodParameter parameter) {
    return parameter.getParameterType() == Session.class;
  }

  @Override
  public Object resolveArgument(
      MethodParameter parameter,
      ModelAndViewContainer mavContainer,
      NativeWebRequest webRequest,
      WebDataBinderFactory binderFactory) {
    HallpassSession options = parameter.getParameterAnnotation(HallpassSession.class);
    boolean required = options == null || options.required();
    boolean antiCsrf = options == null || options.antiCsrf();
    List<ClaimValidator> claims =
        options == null || options.globalClaims() ? web.globalClaimValidators() : List.of();
    HttpServletRequest req = webRequest.getNativeRequest(HttpServletRequest.class);
    HttpServletResponse res = webRequest.getNativeResponse(HttpServletResponse.class);
    if (req == null || res == null) {
      throw new IllegalStateException("a Hallpass Session argument needs a servlet request");
    }
    if (req.getAttribute(RequestAttributes.VERIFIED_SESSION) instanceof Session verified) {
      web.assertClaims(verified, claims);
      return verified;
    }
    return web.getSession(req, res, antiCsrf, required, claims);
  }
}
