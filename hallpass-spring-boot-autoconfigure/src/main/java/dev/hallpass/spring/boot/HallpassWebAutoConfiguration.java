package dev.hallpass.spring.boot;

import static dev.hallpass.spring.boot.InvalidHallpassPropertyException.apply;

import dev.hallpass.Hallpass;
import dev.hallpass.servlet.ClaimValidator;
import dev.hallpass.servlet.HallpassCorsFilter;
import dev.hallpass.servlet.HallpassFilter;
import dev.hallpass.servlet.HallpassWeb;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import java.util.List;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Auto-configures the web layer ({@link HallpassWeb}) in servlet web applications: the {@link
 * HallpassFilter} serving {@code POST {api-base-path}/session/refresh} and {@code POST
 * {api-base-path}/signout} (registered before Spring Security's filter chain, so the two endpoints
 * are reachable whatever the application's rules; they do their own checks), and with Spring MVC:
 * {@link dev.hallpass.Session} controller arguments ({@link HallpassSession}) and the SDK's error
 * answers for {@link dev.hallpass.HallpassException}s that controllers throw. {@link
 * ClaimValidator} beans become the web layer's global claim validators, required of {@code Session}
 * arguments; a failure gets the SDK's 403 {@code "invalid claim"} answer.
 */
@AutoConfiguration(after = HallpassAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({HallpassWeb.class, Filter.class})
@ConditionalOnBean(Hallpass.class)
public class HallpassWebAutoConfiguration {

  /**
   * The order of the {@link HallpassFilter} registration: before Spring Security's filter chain
   * (-100) and after a CORS filter ({@link #CORS_FILTER_ORDER}).
   */
  public static final int FILTER_ORDER = -110;

  /** The order of the {@link HallpassCorsFilter} registration (with {@code hallpass.cors.*}). */
  public static final int CORS_FILTER_ORDER = -120;

  private static final Log LOG = LogFactory.getLog(HallpassWebAutoConfiguration.class);

  /** Creates the auto-configuration (Spring calls this). */
  public HallpassWebAutoConfiguration() {}

  @Bean
  @ConditionalOnMissingBean
  HallpassWeb hallpassWeb(
      Hallpass hallpass,
      HallpassProperties properties,
      ObjectProvider<HallpassWebBuilderCustomizer> customizers,
      ObjectProvider<ClaimValidator> claimValidators) {
    HallpassWeb.Builder b = HallpassWeb.builder(hallpass);
    apply("hallpass.api-base-path", properties.getApiBasePath(), b::apiBasePath);
    apply(
        "hallpass.session-expired-status",
        properties.getSessionExpiredStatus(),
        b::sessionExpiredStatusCode);
    apply("hallpass.anti-csrf", properties.getAntiCsrf(), b::antiCsrf);
    apply("hallpass.token-transfer", properties.getTokenTransfer(), b::tokenTransfer);
    HallpassProperties.Cookie cookie = properties.getCookie();
    apply("hallpass.cookie.domain", blankToNull(cookie.getDomain()), b::cookieDomain);
    apply("hallpass.cookie.same-site", cookie.getSameSite(), b::cookieSameSite);
    apply(
        "hallpass.cookie.older-domain", blankToNull(cookie.getOlderDomain()), b::olderCookieDomain);
    if (cookie.isHostPrefixedNames()) {
      b.useHostPrefixedCookieNames();
    }
    if (!cookie.isSecure()) {
      LOG.warn(
          "hallpass.cookie.secure=false: session cookies travel over plain HTTP too. "
              + "Only for development on http://localhost.");
      b.allowInsecureCookies();
    }
    // ClaimValidator beans: required of every Session controller argument (see HallpassSession).
    claimValidators.orderedStream().forEach(b::requireClaims);
    customizers.orderedStream().forEach(c -> c.customize(b));
    return InvalidHallpassPropertyException.build(b::build);
  }

  @Bean
  @ConditionalOnMissingBean(name = "hallpassFilterRegistration")
  FilterRegistrationBean<HallpassFilter> hallpassFilterRegistration(HallpassWeb web) {
    FilterRegistrationBean<HallpassFilter> r = new FilterRegistrationBean<>(web.filter());
    r.setName("hallpassFilter");
    r.addUrlPatterns("/*");
    r.setDispatcherTypes(DispatcherType.REQUEST);
    r.setOrder(FILTER_ORDER);
    return r;
  }

  @Bean
  @ConditionalOnMissingBean(name = "hallpassCorsFilterRegistration")
  @Conditional(OnCorsOriginsCondition.class)
  FilterRegistrationBean<HallpassCorsFilter> hallpassCorsFilterRegistration(
      HallpassProperties properties) {
    List<String> origins = properties.getCors().getAllowedOrigins();
    HallpassCorsFilter[] filter = new HallpassCorsFilter[1];
    apply("hallpass.cors.allowed-origins", origins, o -> filter[0] = new HallpassCorsFilter(o));
    FilterRegistrationBean<HallpassCorsFilter> r = new FilterRegistrationBean<>(filter[0]);
    r.setName("hallpassCorsFilter");
    r.addUrlPatterns("/*");
    r.setDispatcherTypes(DispatcherType.REQUEST);
    r.setOrder(CORS_FILTER_ORDER);
    return r;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  /** Spring MVC: Session arguments and the error answers. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(WebMvcConfigurer.class)
  static class Mvc {

    @Bean
    @ConditionalOnMissingBean(name = "hallpassWebMvcConfigurer")
    WebMvcConfigurer hallpassWebMvcConfigurer(HallpassWeb web) {
      SessionArgumentResolver resolver = new SessionArgumentResolver(web);
      return new WebMvcConfigurer() {
        @Override
        public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
          resolvers.add(resolver);
        }
      };
    }

    @Bean
    @ConditionalOnMissingBean(name = "hallpassExceptionResolver")
    HallpassExceptionResolver hallpassExceptionResolver(HallpassWeb web) {
      return new HallpassExceptionResolver(web);
    }
  }
}
