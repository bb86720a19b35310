package dev.hallpass.spring.boot;

import static dev.hallpass.spring.boot.InvalidHallpassPropertyException.apply;

import dev.hallpass.Hallpass;
import dev.hallpass.KeyEncryptionKey;
import dev.hallpass.SessionStores;
import dev.hallpass.jdbc.JdbcSessionStores;
import dev.hallpass.redis.RedisSessionStores;
import dev.hallpass.servlet.AntiCsrfMode;
import dev.hallpass.spi.SessionStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Auto-configures the Hallpass engine ({@link Hallpass}) from the {@code hallpass.*} properties and
 * its {@link SessionStore}: on the application's {@link DataSource} when there is exactly one
 * (PostgreSQL, MariaDB/MySQL or H2, through hallpass-jdbc; the tables are created or migrated at
 * start-up), otherwise in an embedded H2 database in {@code hallpass.store.embedded-directory}, or
 * in memory when hallpass-jdbc is not on the class path (sessions are then lost on restart). With
 * hallpass-redis on the class path and {@code hallpass.store.redis.uri} (or {@code cluster-uris})
 * set, the store is in Redis instead.
 *
 * <p>Each bean steps aside for one the application defines. {@link HallpassBuilderCustomizer} beans
 * adjust the engine's builder; with metrics on, the engine's store is wrapped in a timing decorator
 * ({@link HallpassMetricsAutoConfiguration}).
 */
@AutoConfiguration(
    afterName = {
      "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
      "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration"
    })
@ConditionalOnClass(Hallpass.class)
@EnableConfigurationProperties(HallpassProperties.class)
@Import({
  // First: with hallpass.store.redis.* set, Redis wins over the DataSource and embedded stores.
  HallpassAutoConfiguration.RedisStore.class,
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
      ObjectProvider<HallpassBuilderCustomizer> customizers,
      ObjectProvider<SessionStoreDecorator> storeDecorators) {
    SessionStore store = hallpassSessionStore;
    for (SessionStoreDecorator d :
        (Iterable<SessionStoreDecorator>) storeDecorators.orderedStream()::iterator) {
      store = d.decorate(store);
    }
    Hallpass.Builder b = Hallpass.builder().store(store);
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
    b.accessTokenSigning(properties.getAccessTokenSigning());
    applyKeyEncryption(properties.getKeyEncryption(), b);
    // One property decides both sides: VIA_TOKEN is the only mode in which the engine mints tokens.
    b.antiCsrf(properties.getAntiCsrf() == AntiCsrfMode.VIA_TOKEN);
    customizers.orderedStream().forEach(c -> c.customize(b));
    return InvalidHallpassPropertyException.build(b::build);
  }

  /**
   * Reads the key-encryption keys named by the properties. Their values never appear in a message:
   * KeyEncryptionKey's exceptions name the file or variable only.
   */
  private static void applyKeyEncryption(HallpassProperties.KeyEncryption k, Hallpass.Builder b) {
    String file = "hallpass.key-encryption.key-file";
    String env = "hallpass.key-encryption.key-environment-variable";
    String older = "hallpass.key-encryption.older-key-files";
    String envName = k.getKeyEnvironmentVariable();
    boolean hasEnv = envName != null && !envName.isBlank();
    if (k.getKeyFile() != null && hasEnv) {
      throw InvalidHallpassPropertyException.conflict(
          List.of(file, env), "set one of them: each names the primary key-encryption key");
    }
    if (k.getKeyFile() == null && !hasEnv) {
      if (!k.getOlderKeyFiles().isEmpty()) {
        throw InvalidHallpassPropertyException.conflict(
            List.of(older, file, env),
            "older keys need a primary key (key-file or " + "key-environment-variable)");
      }
      return;
    }
    KeyEncryptionKey[] primary = new KeyEncryptionKey[1];
    if (hasEnv) {
      apply(env, envName, n -> primary[0] = KeyEncryptionKey.fromEnvironment(n));
    } else {
      apply(file, k.getKeyFile(), f -> primary[0] = KeyEncryptionKey.fromFile(f));
    }
    List<KeyEncryptionKey> olderKeys = new ArrayList<>();
    for (Path p : k.getOlderKeyFiles()) {
      apply(older, p, f -> olderKeys.add(KeyEncryptionKey.fromFile(f)));
    }
    apply(older, olderKeys, o -> b.keyEncryption(primary[0], o.toArray(new KeyEncryptionKey[0])));
  }

  /**
   * The Redis store, with hallpass-redis on the class path and a Redis URI (or cluster URIs) in the
   * properties.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "dev.hallpass.redis.RedisSessionStores")
  @Conditional(OnRedisStoreCondition.class)
  static class RedisStore {
    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean({SessionStore.class, Hallpass.class})
    SessionStore hallpassSessionStore(HallpassProperties properties) {
      HallpassProperties.Redis r = properties.getStore().getRedis();
      String uri = r.getUri() == null || r.getUri().isBlank() ? null : r.getUri();
      boolean cluster = !r.getClusterUris().isEmpty();
      if (uri != null && cluster) {
        throw InvalidHallpassPropertyException.conflict(
            List.of("hallpass.store.redis.uri", "hallpass.store.redis.cluster-uris"),
            "set one of them");
      }
      RedisSessionStores.Builder b = RedisSessionStores.builder();
      apply("hallpass.store.redis.uri", uri, b::uri);
      if (cluster) {
        apply("hallpass.store.redis.cluster-uris", r.getClusterUris(), b::clusterUris);
      }
      apply("hallpass.store.redis.key-prefix", r.getKeyPrefix(), b::keyPrefix);
      apply("hallpass.store.redis.command-timeout", r.getCommandTimeout(), b::commandTimeout);
      return b.build();
    }
  }

  /**
   * Matches when hallpass-redis is on the class path and hallpass.store.redis.uri or cluster-uris
   * is set. The JDBC stores carry the negation, so the choice does not depend on the order in which
   * the nested configurations are registered.
   */
  static class OnRedisStoreCondition extends SpringBootCondition {
    private final boolean wanted;

    OnRedisStoreCondition() {
      this(true);
    }

    OnRedisStoreCondition(boolean wanted) {
      this.wanted = wanted;
    }

    @Override
    public ConditionOutcome getMatchOutcome(
        ConditionContext context, AnnotatedTypeMetadata metadata) {
      boolean onClassPath =
          org.springframework.util.ClassUtils.isPresent(
              "dev.hallpass.redis.RedisSessionStores", context.getClassLoader());
      Binder binder = Binder.get(context.getEnvironment());
      boolean uri =
          binder
              .bind("hallpass.store.redis.uri", String.class)
              .map(s -> !s.isBlank())
              .orElse(false);
      boolean cluster =
          binder
              .bind("hallpass.store.redis.cluster-uris", Bindable.listOf(String.class))
              .map(l -> !l.isEmpty())
              .orElse(false);
      boolean redis = onClassPath && (uri || cluster);
      String why =
          redis
              ? "hallpass-redis is present and hallpass.store.redis.uri or cluster-uris is set"
              : "hallpass-redis is absent or neither hallpass.store.redis.uri nor cluster-uris is"
                  + " set";
      return redis == wanted ? ConditionOutcome.match(why) : ConditionOutcome.noMatch(why);
    }
  }

  /** The negation of {@link OnRedisStoreCondition}. */
  static final class NotRedisStoreCondition extends OnRedisStoreCondition {
    NotRedisStoreCondition() {
      super(false);
    }
  }

  /** The store on the application's DataSource. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(JdbcSessionStores.class)
  @ConditionalOnSingleCandidate(DataSource.class)
  @Conditional(NotRedisStoreCondition.class)
  static class DataSourceStore {
    /** No destroy method: the engine closes its store, and the DataSource is the application's. */
    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean({SessionStore.class, Hallpass.class})
    SessionStore hallpassSessionStore(DataSource dataSource, HallpassProperties properties) {
      JdbcSessionStores.Builder b = JdbcSessionStores.builder().dataSource(dataSource);
      apply(
          "hallpass.store.jdbc.query-timeout",
          properties.getStore().getJdbc().getQueryTimeout(),
          b::queryTimeout);
      return b.build();
    }
  }

  /** The embedded H2 store, when the application has no DataSource. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(JdbcSessionStores.class)
  @Conditional(NotRedisStoreCondition.class)
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
  @Conditional(NotRedisStoreCondition.class)
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
