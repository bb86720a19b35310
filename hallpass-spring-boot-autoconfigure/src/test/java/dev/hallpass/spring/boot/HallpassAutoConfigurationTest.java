package dev.hallpass.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallpass.Hallpass;
import dev.hallpass.Session;
import dev.hallpass.SessionStores;
import dev.hallpass.jdbc.JdbcSessionStores;
import dev.hallpass.servlet.AntiCsrfMode;
import dev.hallpass.servlet.HallpassCorsFilter;
import dev.hallpass.servlet.HallpassFilter;
import dev.hallpass.servlet.HallpassWeb;
import dev.hallpass.spi.SessionStore;
import dev.hallpass.testkit.MutableClock;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Which beans the auto-configuration creates, from which store, with which settings, and which it
 * leaves to the application. Contexts here start no web server (the HTTP behaviour is in the {@code
 * *HttpTest}s).
 */
class HallpassAutoConfigurationTest {

  private static final AutoConfigurations HALLPASS =
      AutoConfigurations.of(
          HallpassAutoConfiguration.class,
          HallpassWebAutoConfiguration.class,
          HallpassHealthAutoConfiguration.class);

  @TempDir Path dir;

  private WebApplicationContextRunner web() {
    return new WebApplicationContextRunner()
        .withConfiguration(HALLPASS)
        .withPropertyValues("hallpass.store.embedded-directory=" + dir);
  }

  @Test
  void noProperties_noDataSource_usesTheEmbeddedH2Store_andBuildsEveryBean() {
    web()
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx.getBean(SessionStore.class).getClass().getName())
                  .isEqualTo("dev.hallpass.jdbc.JdbcSessionStore");
              assertThat(dir.resolve("hallpass.mv.db")).exists();
              assertThat(ctx).hasSingleBean(Hallpass.class).hasSingleBean(HallpassWeb.class);
              assertThat(ctx).hasBean("hallpassFilterRegistration");
              assertThat(ctx).hasBean("hallpassHealthIndicator");
              assertThat(ctx).doesNotHaveBean("hallpassCorsFilterRegistration");
              HallpassWeb w = ctx.getBean(HallpassWeb.class);
              assertThat(w.apiBasePath()).isEqualTo("/auth");
              assertThat(w.sessionExpiredStatusCode()).isEqualTo(401);
              assertThat(w.antiCsrfMode()).isEqualTo(AntiCsrfMode.NONE);
              assertThat(ctx.getBean(Hallpass.class).isAntiCsrfEnabled()).isFalse();
              FilterRegistrationBean<?> r =
                  ctx.getBean("hallpassFilterRegistration", FilterRegistrationBean.class);
              assertThat(r.getFilter()).isInstanceOf(HallpassFilter.class);
              assertThat(r.getOrder()).isLessThan(-100); // before Spring Security's chain
              Session s = ctx.getBean(Hallpass.class).createNewSession("alice", null, null);
              assertThat(ctx.getBean(Hallpass.class).getAllSessionHandlesForUser("alice"))
                  .containsExactly(s.getHandle());
            });
  }

  @Test
  void withADataSource_storesSessionsInIt() {
    JdbcDataSource ds = h2InMemory();
    web()
        .withBean(DataSource.class, () -> ds)
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              ctx.getBean(Hallpass.class).createNewSession("carol", null, null);
              assertThat(
                      count(ds, "SELECT COUNT(*) FROM hallpass_sessions WHERE user_id = 'carol'"))
                  .isEqualTo(1);
              assertThat(dir.resolve("hallpass.mv.db")).doesNotExist();
            });
  }

  @Test
  void withoutHallpassJdbc_keepsSessionsInMemory() {
    web()
        .withClassLoader(new FilteredClassLoader(JdbcSessionStores.class))
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx.getBean(SessionStore.class).getClass().getSimpleName())
                  .isEqualTo("InMemorySessionStore");
            });
  }

  @Test
  void withoutActuatorOrSpringMvc_startsWithoutTheirBeans() {
    web()
        .withClassLoader(
            new FilteredClassLoader(
                "org.springframework.boot.health", "org.springframework.web.servlet"))
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx).hasSingleBean(HallpassWeb.class);
              assertThat(ctx).hasBean("hallpassFilterRegistration");
              assertThat(ctx).doesNotHaveBean("hallpassHealthIndicator");
              assertThat(ctx).doesNotHaveBean("hallpassWebMvcConfigurer");
              assertThat(ctx).doesNotHaveBean("hallpassExceptionResolver");
            });
  }

  @Test
  void corsOrigins_asAYamlList_registerTheCorsFilter() {
    web()
        .withPropertyValues(
            "hallpass.cors.allowed-origins[0]=https://app.example.com",
            "hallpass.cors.allowed-origins[1]=https://admin.example.com")
        .run(ctx -> assertThat(ctx).hasBean("hallpassCorsFilterRegistration"));
    web()
        .withPropertyValues("hallpass.cors.allowed-origins=*")
        .run(
            ctx ->
                assertThat(analyse(ctx.getStartupFailure()).getDescription())
                    .contains("hallpass.cors.allowed-origins"));
  }

  @Test
  void properties_reachTheEngineAndTheWebLayer() {
    MutableClock clock = new MutableClock(Instant.parse("2026-11-30T08:00:00Z"));
    web()
        .withBean(HallpassBuilderCustomizer.class, () -> b -> b.clock(clock))
        .withPropertyValues(
            "hallpass.access-token-validity=10m",
            "hallpass.refresh-token-validity=2h",
            "hallpass.anti-csrf=via-token",
            "hallpass.session-expired-status=440",
            "hallpass.api-base-path=/api/auth",
            "hallpass.cookie.same-site=strict",
            "hallpass.cookie.domain=example.com",
            "hallpass.cors.allowed-origins=https://app.example.com")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              Hallpass engine = ctx.getBean(Hallpass.class);
              assertThat(engine.isAntiCsrfEnabled()).isTrue();
              Session s = engine.createNewSession("dave", null, null);
              assertThat(s.getAccessTokenExpiry()).isEqualTo(clock.instant().plusSeconds(600));
              assertThat(s.getTokens().getRefreshTokenExpiry())
                  .isEqualTo(clock.instant().plus(Duration.ofHours(2)));
              HallpassWeb w = ctx.getBean(HallpassWeb.class);
              assertThat(w.antiCsrfMode()).isEqualTo(AntiCsrfMode.VIA_TOKEN);
              assertThat(w.sessionExpiredStatusCode()).isEqualTo(440);
              assertThat(w.apiBasePath()).isEqualTo("/api/auth");
              assertThat(ctx).hasBean("hallpassCorsFilterRegistration");
            });
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnBeans {
    static final Hallpass ENGINE =
        Hallpass.builder().store(SessionStores.inMemory()).disableBackgroundCleanup().build();

    @Bean
    Hallpass myEngine() {
      return ENGINE;
    }

    @Bean
    HallpassWeb myWeb(Hallpass engine) {
      return HallpassWeb.builder(engine).apiBasePath("/mine").build();
    }

    @Bean
    FilterRegistrationBean<HallpassFilter> hallpassFilterRegistration(HallpassWeb web) {
      FilterRegistrationBean<HallpassFilter> r = new FilterRegistrationBean<>(web.filter());
      r.setOrder(42);
      return r;
    }

    @Bean
    FilterRegistrationBean<HallpassCorsFilter> hallpassCorsFilterRegistration() {
      FilterRegistrationBean<HallpassCorsFilter> r =
          new FilterRegistrationBean<>(new HallpassCorsFilter(List.of("https://mine.example")));
      r.setOrder(43);
      return r;
    }

    @Bean
    HealthIndicator hallpassHealthIndicator() {
      return () -> Health.up().withDetail("mine", true).build();
    }

    @Bean
    WebMvcConfigurer hallpassWebMvcConfigurer() {
      return new WebMvcConfigurer() {};
    }

    @Bean
    HandlerExceptionResolver hallpassExceptionResolver() {
      return (req, res, handler, ex) -> null;
    }
  }

  @Test
  void applicationBeans_replaceEveryDefault() {
    web()
        .withUserConfiguration(OwnBeans.class)
        .withPropertyValues("hallpass.cors.allowed-origins=https://app.example.com")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx.getBean(Hallpass.class)).isSameAs(OwnBeans.ENGINE);
              assertThat(ctx).doesNotHaveBean(SessionStore.class); // not needed, not opened
              assertThat(dir.resolve("hallpass.mv.db")).doesNotExist();
              assertThat(ctx.getBean(HallpassWeb.class).apiBasePath()).isEqualTo("/mine");
              assertThat(ctx.getBean("hallpassFilterRegistration", FilterRegistrationBean.class))
                  .extracting(FilterRegistrationBean::getOrder)
                  .isEqualTo(42);
              assertThat(
                      ctx.getBean("hallpassCorsFilterRegistration", FilterRegistrationBean.class)
                          .getOrder())
                  .isEqualTo(43);
              assertThat(
                      ctx.getBean("hallpassHealthIndicator", HealthIndicator.class)
                          .health()
                          .getDetails())
                  .containsEntry("mine", true);
              assertThat(ctx.getBean("hallpassExceptionResolver"))
                  .isNotInstanceOf(HallpassExceptionResolver.class);
              assertThat(ctx.getBeansOfType(HallpassExceptionResolver.class)).isEmpty();
              assertThat(ctx.getBeansOfType(WebMvcConfigurer.class)).hasSize(1);
            });
  }

  @Test
  void anApplicationStore_isUsedByTheAutoConfiguredEngine() {
    SessionStore mine = SessionStores.inMemory();
    web()
        .withBean(SessionStore.class, () -> mine)
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx.getBean(SessionStore.class)).isSameAs(mine);
              Session s = ctx.getBean(Hallpass.class).createNewSession("erin", null, null);
              assertThat(mine.findSession(s.getHandle())).isPresent();
              assertThat(dir.resolve("hallpass.mv.db")).doesNotExist();
            });
  }

  @Test
  void contextWithoutAWebServer_startsWithTheEngineOnly() {
    new ApplicationContextRunner()
        .withConfiguration(HALLPASS)
        .withPropertyValues("hallpass.store.embedded-directory=" + dir)
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx).hasSingleBean(Hallpass.class);
              assertThat(ctx).doesNotHaveBean(HallpassWeb.class);
              assertThat(ctx).doesNotHaveBean("hallpassFilterRegistration");
            });
  }

  @Test
  void invalidValue_failsStartUp_namingTheProperty() {
    web()
        .withPropertyValues("hallpass.access-token-validity=500ms")
        .run(
            ctx -> {
              FailureAnalysis a = analyse(ctx.getStartupFailure());
              assertThat(a.getDescription())
                  .contains("Invalid Hallpass property hallpass.access-token-validity")
                  .contains("whole number of seconds");
              assertThat(a.getAction()).contains("hallpass.access-token-validity");
            });
    web()
        .withPropertyValues("hallpass.session-expired-status=403")
        .run(
            ctx ->
                assertThat(analyse(ctx.getStartupFailure()).getDescription())
                    .contains("hallpass.session-expired-status"));
    web()
        .withPropertyValues("hallpass.api-base-path=auth")
        .run(
            ctx ->
                assertThat(analyse(ctx.getStartupFailure()).getDescription())
                    .contains("hallpass.api-base-path"));
  }

  @Test
  void conflictingValues_failStartUp_namingBothProperties() {
    web()
        .withPropertyValues("hallpass.cookie.same-site=none", "hallpass.cookie.secure=false")
        .run(
            ctx ->
                assertThat(analyse(ctx.getStartupFailure()).getDescription())
                    .contains("Conflicting Hallpass properties")
                    .contains("hallpass.cookie.same-site")
                    .contains("hallpass.cookie.secure"));
    web()
        .withPropertyValues(
            "hallpass.access-token-validity=2h", "hallpass.refresh-token-validity=1h")
        .run(
            ctx ->
                assertThat(analyse(ctx.getStartupFailure()).getDescription())
                    .contains("hallpass.refresh-token-validity")
                    .contains("hallpass.access-token-validity"));
  }

  @Test
  void health_isUp_whileTheStoreAnswers_andDown_whenItFails() throws Exception {
    JdbcDataSource ds = h2InMemory();
    web()
        .withBean(DataSource.class, () -> ds)
        .run(
            ctx -> {
              HealthIndicator health =
                  ctx.getBean("hallpassHealthIndicator", HealthIndicator.class);
              Health up = health.health();
              assertThat(up.getStatus()).isEqualTo(Status.UP);
              assertThat((Integer) up.getDetails().get("signingKeys")).isPositive();
              try (Connection c = ds.getConnection();
                  Statement st = c.createStatement()) {
                st.execute("DROP TABLE hallpass_signing_keys");
              }
              Health down = health.health();
              assertThat(down.getStatus()).isEqualTo(Status.DOWN);
              assertThat(down.getDetails().get("store").toString()).startsWith("unreachable");
            });
  }

  @Test
  void health_canBeTurnedOff() {
    web()
        .withPropertyValues("management.health.hallpass.enabled=false")
        .run(ctx -> assertThat(ctx).doesNotHaveBean("hallpassHealthIndicator"));
  }

  private static FailureAnalysis analyse(Throwable failure) {
    assertThat(failure).as("start-up failure").isNotNull();
    FailureAnalysis a = new InvalidHallpassPropertyFailureAnalyzer().analyze(failure);
    assertThat(a).as("analysis of " + failure).isNotNull();
    return a;
  }

  private static JdbcDataSource h2InMemory() {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    ds.setUser("sa");
    return ds;
  }

  private static long count(DataSource ds, String sql) throws Exception {
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
