package dev.hallpass.spring.boot;

import static dev.hallpass.spring.boot.InvalidHallpassPropertyException.apply;

import dev.hallpass.Hallpass;
import dev.hallpass.SessionStores;
import dev.hallpass.jdbc.JdbcSessionStores;
import dev.hallpass.servlet.AntiCsrfMode;
import dev.hallpass.spi.SessionStore;
import javax.sql.DataSource;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * Auto-configures the Hallpass engine ({@link Hallpass}) from the {@code hallpass.*} properties and
 * its {@link SessionStore}: on the application's {@link DataSource} when there is exactly one
 * (PostgreSQL, MariaDB/MySQL or H2, through hallpass-jdbc; the tables are created or migrated at
 * start-up), otherwise in an embedded H2 database in {@code hallpass.store.embedded-directory}, or
 * in memory when hallpass-jdbc is not on the class path (sessions are then lost on restart).
 *
 * <p>Each bean steps aside for one the application defines. {@link HallpassBuilderCustomizer} beans
 * adjust the engine's builder.
 */
@AutoConfiguration(
    afterName = {
      "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
      "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration"
    })
@ConditionalOnClass(Hallpass.class)
@EnableConfigurationProperties(HallpassProperties.class)
@Import({
  HallpassAutoConfiguration.DataSourceStore.class,
  HallpassAutoConfiguration.EmbeddedStore.class,
  HallpassAutoConfiguration.InMemoryStore.class
})
public class HallpassAutoConfiguration {

  private static final Log LOG = LogFactory.getLog(HallpassAutoConfiguration.class);

  /** Creates the auto-configuration (Spring calls this). */
  public HallpassAutoConfiguration() {}

  /**
   * The engine: closed with the application context (which also closes its store and stops its
   * clean-up sweep).
   */
  @Bean
  @ConditionalOnMissingBean
  Hallpass hallpass(
      SessionStore hallpassSessionStore,
      HallpassProperties properties,
      ObjectProvider<HallpassBuilderCustomizer> customizers) {
    Hallpass.Builder b = Hallpass.builder().store(hallpassSessionStore);
    apply(
        "hallpass.access-token-validity",
        properties.getAccessTokenValidity(),
        b::accessTokenValidity);
    apply(
        "hallpass.refresh-token-validity",
        properties.getRefreshTokenValidity(),
        b::refreshTokenValidity);
    apply(
        "hallpass.refresh-grace-period", properties.getRefreshGracePeriod(), b::refreshGracePeriod);
    apply(
        "hallpass.signing-key-rotation-interval",
        properties.getSigningKeyRotationInterval(),
        b::signingKeyRotationInterval);
    b.accessTokenBlacklisting(properties.isAccessTokenBlacklisting());
    // One property decides both sides: VIA_TOKEN is the only mode in which the engine mints tokens.
    b.antiCsrf(properties.getAntiCsrf() == AntiCsrfMode.VIA_TOKEN);
    customizers.orderedStream().forEach(c -> c.customize(b));
    return InvalidHallpassPropertyException.build(b::build);
  }

  /** The store on the application's DataSource. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(JdbcSessionStores.class)
  @ConditionalOnSingleCandidate(DataSource.class)
  static class DataSourceStore {
    /** No destroy method: the engine closes its store, and the DataSource is the application's. */
    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean({SessionStore.class, Hallpass.class})
    SessionStore hallpassSessionStore(DataSource dataSource) {
      return JdbcSessionStores.builder().dataSource(dataSource).build();
    }
  }

  /** The embedded H2 store, when the application has no DataSource. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(JdbcSessionStores.class)
  static class EmbeddedStore {
    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean({SessionStore.class, Hallpass.class, DataSource.class})
    SessionStore hallpassSessionStore(HallpassProperties properties) {
      return JdbcSessionStores.embedded(properties.getStore().getEmbeddedDirectory());
    }
  }

  /** Without hallpass-jdbc: sessions in memory (lost on restart, not shared between processes). */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnMissingClass("dev.hallpass.jdbc.JdbcSessionStores")
  static class InMemoryStore {
    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean({SessionStore.class, Hallpass.class})
    SessionStore hallpassSessionStore() {
      LOG.warn(
          "Hallpass keeps sessions in memory: they are lost on restart and not shared between "
              + "instances. Add dev.hallpass:hallpass-jdbc (hallpass-spring-boot-starter has it) "
              + "or define a SessionStore bean.");
      return SessionStores.inMemory();
    }
  }
}
