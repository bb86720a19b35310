package dev.hallpass.spring.boot;

/** Request attributes by which the security filter hands its findings to later steps. */
final class RequestAttributes {
  /** The Session the security filter verified, with the anti-CSRF check, for this request. */
  static final String VERIFIED_SESSION = RequestAttributes.class.getName() + ".session";

  /** The HallpassException the security filter got verifying the request's tokens. */
  static final String SESSION_ERROR = RequestAttributes.class.getName() + ".error";

  private RequestAttributes() {}
}
