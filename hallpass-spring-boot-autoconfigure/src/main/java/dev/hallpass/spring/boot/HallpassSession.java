package dev.hallpass.spring.boot;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Options for a {@link dev.hallpass.Session} controller argument. Without the annotation a {@code
 * Session} argument is required and anti-CSRF checked:
 *
 * <pre>{@code
 * @GetMapping("/api/me")
 * Map<String, Object> me(Session session) { ... }           // no session: the session-expired answer
 *
 * @GetMapping("/api/hello")
 * String hello(@HallpassSession(required = false) Session s) { ... }   // null without tokens
 * }</pre>
 *
 * <p>A request without a valid session gets the session-expired status (401 by default) with the
 * JSON body the SuperTokens SDKs understand ({@code {"message":"unauthorised"}} or {@code
 * {"message":"try refresh token"}}), and the controller is not called.
 *
 * <p>Claims: the session must also pass the global claim validators unless {@link #globalClaims()}
 * is false; for other claims call {@code web.assertClaims(session, List.of(...))} in the
 * controller.
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface HallpassSession {

  /**
   * Whether a request without session tokens is refused (true) or given a null session (false). A
   * token that is present but expired or invalid is refused either way, so that the client
   * refreshes or signs out.
   */
  boolean required() default true;

  /**
   * Whether to apply the configured anti-CSRF check ({@code hallpass.anti-csrf}) to this request
   * (cookie sessions, methods other than GET, HEAD, OPTIONS and TRACE). Turn it off only for
   * endpoints that change nothing.
   */
  boolean antiCsrf() default true;

  /**
   * Whether the session must pass the global claim validators ({@link
   * dev.hallpass.servlet.ClaimValidator} beans, or {@code requireClaims} in a {@link
   * HallpassWebBuilderCustomizer}). A failure gets 403 {@code {"message":"invalid claim",
   * "claimValidationErrors":[...]}} and the controller is not called. Turn it off for endpoints a
   * user must reach before meeting them, such as the one that verifies an email address.
   */
  boolean globalClaims() default true;
}
