package dev.hallpass.spring.boot;

import dev.hallpass.Session;
import java.security.Principal;
import java.util.Map;
import java.util.Objects;

/**
 * The principal of a Spring Security {@code Authentication} made from a Hallpass session ({@link
 * HallpassSecurity}): the user id, the verified access token's payload and the session itself.
 * Inject it with {@code @AuthenticationPrincipal HallpassPrincipal principal}.
 *
 * <p>Reading it never touches the database; {@code session().getSessionData()} does (one call). Its
 * {@code toString} shows the user id and the session handle only, never a token.
 *
 * @param userId the session's user
 * @param accessTokenPayload the whole payload of the verified access token (Hallpass's claims and
 *     the application's), unmodifiable
 * @param session the session, bound to the current response (revoking it also clears the client's
 *     tokens)
 */
public record HallpassPrincipal(
    String userId, Map<String, Object> accessTokenPayload, Session session) implements Principal {

  /** Checks the components are present. */
  public HallpassPrincipal {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(accessTokenPayload, "accessTokenPayload");
    Objects.requireNonNull(session, "session");
  }

  /** The user id (what {@code Authentication.getName()} returns). */
  @Override
  public String getName() {
    return userId;
  }

  /** One claim of the access token, or null. */
  public Object claim(String name) {
    return accessTokenPayload.get(name);
  }

  @Override
  public String toString() {
    return "HallpassPrincipal[userId=" + userId + ", sessionHandle=" + session.getHandle() + "]";
  }
}
