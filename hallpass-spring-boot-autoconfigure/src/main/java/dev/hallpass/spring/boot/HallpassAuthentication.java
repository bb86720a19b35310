package dev.hallpass.spring.boot;

import java.util.Collection;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;

/**
 * An authenticated Hallpass session. The credentials are not kept: the access token was verified by
 * the engine and is never exposed through the security context.
 */
final class HallpassAuthentication extends AbstractAuthenticationToken {

  private static final long serialVersionUID = 1L;

  private final transient HallpassPrincipal principal;

  HallpassAuthentication(
      HallpassPrincipal principal, Collection<? extends GrantedAuthority> authorities) {
    super(authorities);
    this.principal = principal;
    setAuthenticated(true);
  }

  @Override
  public Object getCredentials() {
    return null;
  }

  @Override
  public HallpassPrincipal getPrincipal() {
    return principal;
  }
}
