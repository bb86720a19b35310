package dev.hallpass.spring.boot;

import dev.hallpass.servlet.HallpassWeb;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.springframework.context.ApplicationContext;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.annotation.web.configurers.CsrfConfigurer;
import org.springframework.security.config.annotation.web.configurers.ExceptionHandlingConfigurer;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.util.matcher.AnyRequestMatcher;

/**
 * Spring Security from Hallpass sessions: every request carrying a valid session is authenticated
 * with a {@link HallpassPrincipal} (user id, access-token payload, session) and the authorities of
 * its roles claim, so that {@code authorizeHttpRequests} rules, {@code @PreAuthorize} and
 * {@code @AuthenticationPrincipal} work.
 *
 * <pre>{@code
 * @Bean
 * SecurityFilterChain api(HttpSecurity http) throws Exception {
 *   return http
 *       .with(HallpassSecurity.hallpass(), hallpass -> hallpass.rolesClaim("roles"))
 *       .authorizeHttpRequests(a -> a
 *           .requestMatchers("/api/login").permitAll()
 *           .requestMatchers("/api/admin/**").hasRole("ADMIN")
 *           .anyRequest().authenticated())
 *       .build();
 * }
 * }</pre>
 *
 * <p>What it sets up:
 *
 * <ul>
 *   <li>Unauthenticated requests to protected endpoints get the session-expired status with the
 *       SDK's JSON ({@code "try refresh token"} when the access token expired, so the SDK refreshes
 *       and retries; {@code "unauthorised"} otherwise); a missing authority gets 403 {@code
 *       {"message":"forbidden"}}. Both are defaults: an entry point or access-denied handler the
 *       application sets itself wins.
 *   <li>The refresh and sign-out endpoints need no rule: the HallpassFilter serves them before
 *       Spring Security's filter chain.
 *   <li>CSRF: requests that carry Hallpass tokens are protected by Hallpass's anti-CSRF mode
 *       ({@code hallpass.anti-csrf}, checked here for every such request whose method changes
 *       state), so Spring Security's CSRF protection, when it is on, skips them and keeps
 *       protecting every other request (forms of a server-side session, say). Endpoints that the
 *       SDK's page calls without a session, such as sign-in, need {@code
 *       csrf.ignoringRequestMatchers(...)}.
 * </ul>
 *
 * <p>The security context is not stored in an HTTP session: each request is authenticated from its
 * own tokens.
 */
public final class HallpassSecurity extends AbstractHttpConfigurer<HallpassSecurity, HttpSecurity> {

  private HallpassWeb web;
  private String rolesClaim;
  private String authorityPrefix;
  private Function<HallpassPrincipal, Collection<? extends GrantedAuthority>> authorities;
  private boolean antiCsrfCheck = true;

  private HallpassSecurity() {}

  /** The configurer, for {@code http.with(HallpassSecurity.hallpass(), customizer)}. */
  public static HallpassSecurity hallpass() {
    return new HallpassSecurity();
  }

  /**
   * The web layer to use. Default: the application context's {@link HallpassWeb} bean (the
   * auto-configured one).
   */
  public HallpassSecurity web(HallpassWeb web) {
    this.web = Objects.requireNonNull(web, "web");
    return this;
  }

  /**
   * The access-token claim that lists the user's roles (a string or a list of strings). Default
   * {@code hallpass.security.roles-claim}, which defaults to {@code "roles"}.
   *
   * @throws IllegalArgumentException if blank
   */
  public HallpassSecurity rolesClaim(String claim) {
    Objects.requireNonNull(claim, "rolesClaim");
    if (claim.isBlank()) {
      throw new IllegalArgumentException("rolesClaim must not be blank");
    }
    this.rolesClaim = claim;
    return this;
  }

  /**
   * Put before each role to make its authority. Default {@code hallpass.security.authority-prefix},
   * which defaults to {@code "ROLE_"} (so that {@code hasRole("ADMIN")} matches the role {@code
   * "ADMIN"}); {@code ""} for none.
   */
  public HallpassSecurity authorityPrefix(String prefix) {
    this.authorityPrefix = Objects.requireNonNull(prefix, "authorityPrefix");
    return this;
  }

  /**
   * Computes the authorities from the principal instead of the roles claim (e.g. from several
   * claims). Replaces {@link #rolesClaim} and {@link #authorityPrefix}.
   */
  public HallpassSecurity authorities(
      Function<HallpassPrincipal, Collection<? extends GrantedAuthority>> mapper) {
    this.authorities = Objects.requireNonNull(mapper, "authorities");
    return this;
  }

  /**
   * Turns off the anti-CSRF check when authenticating. Dangerous: cookie-session requests that
   * change state are then accepted from any site the cookies reach (SameSite none). Then Spring
   * Security's CSRF protection still applies to them.
   */
  public HallpassSecurity disableAntiCsrfCheck() {
    this.antiCsrfCheck = false;
    return this;
  }

  @Override
  @SuppressWarnings("unchecked") // getConfigurer takes the raw configurer class
  public void init(HttpSecurity http) {
    HallpassWeb w = web();
    ExceptionHandlingConfigurer<HttpSecurity> exceptions =
        http.getConfigurer(ExceptionHandlingConfigurer.class);
    if (exceptions != null) {
      exceptions.defaultAuthenticationEntryPointFor(
          new HallpassAuthenticationEntryPoint(w), AnyRequestMatcher.INSTANCE);
      exceptions.defaultAccessDeniedHandlerFor(
          new HallpassAccessDeniedHandler(), AnyRequestMatcher.INSTANCE);
    }
    CsrfConfigurer<HttpSecurity> csrf = http.getConfigurer(CsrfConfigurer.class);
    if (csrf != null && antiCsrfCheck) {
      csrf.ignoringRequestMatchers(HallpassAuthenticationFilter.HALLPASS_REQUESTS);
    }
  }

  @Override
  public void configure(HttpSecurity http) {
    HallpassAuthenticationFilter filter =
        new HallpassAuthenticationFilter(
            web(), antiCsrfCheck, authorityMapper(), getSecurityContextHolderStrategy());
    http.addFilterBefore(postProcess(filter), AnonymousAuthenticationFilter.class);
  }

  private HallpassWeb web() {
    if (web == null) {
      ApplicationContext context = getBuilder().getSharedObject(ApplicationContext.class);
      if (context == null) {
        throw new IllegalStateException(
            "HallpassSecurity needs a HallpassWeb: call web(...) or define a HallpassWeb bean");
      }
      web = context.getBean(HallpassWeb.class);
    }
    return web;
  }

  private Function<HallpassPrincipal, Collection<? extends GrantedAuthority>> authorityMapper() {
    if (authorities != null) {
      return authorities;
    }
    HallpassProperties.Security defaults = new HallpassProperties.Security();
    ApplicationContext context = getBuilder().getSharedObject(ApplicationContext.class);
    if (context != null) {
      HallpassProperties p = context.getBeanProvider(HallpassProperties.class).getIfAvailable();
      if (p != null) {
        defaults = p.getSecurity();
      }
    }
    String claim = rolesClaim != null ? rolesClaim : defaults.getRolesClaim();
    String prefix = authorityPrefix != null ? authorityPrefix : defaults.getAuthorityPrefix();
    return principal -> roles(principal.claim(claim), prefix);
  }

  /** The authorities of a roles claim: a string, or a list whose strings are the roles. */
  static List<GrantedAuthority> roles(Object claim, String prefix) {
    List<GrantedAuthority> out = new ArrayList<>();
    if (claim instanceof String s && !s.isBlank()) {
      out.add(new SimpleGrantedAuthority(prefix + s));
    } else if (claim instanceof Collection<?> c) {
      for (Object role : c) {
        if (role instanceof String s && !s.isBlank()) {
          out.add(new SimpleGrantedAuthority(prefix + s));
        }
      }
    }
    return out;
  }
}
