package dev.hallpass.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.data.redis.serializer.RedisSerializer;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;
import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.Session;
import org.springframework.session.SessionRepository;
import org.springframework.session.data.redis.RedisSessionRepository;
import org.springframework.session.jdbc.JdbcIndexedSessionRepository;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The peers' per-request cost: what Spring Session's {@code SessionRepositoryFilter} does for every
 * request that carries a session cookie: find the session by id, touch its lastAccessedTime, read
 * the signed-in user, save. Built without Spring Boot, configured as Boot configures it (JDK
 * serialization of attributes, string keys, REQUIRES_NEW transactions).
 *
 * <p>Requests cycle over {@link Fixtures#TOKEN_POOL} sessions, each holding the user and the same
 * small data as the Hallpass sessions.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SpringSessionBenchmark {

  static final String USER_ATTRIBUTE = "user";

  /** JdbcIndexedSessionRepository on PostgreSQL (database hallpass_bench, Spring's own schema). */
  @State(Scope.Benchmark)
  public static class Jdbc {
    HikariDataSource dataSource;
    JdbcIndexedSessionRepository repository;
    String[] ids;

    @Setup(Level.Trial)
    public void setUp() {
      Services.POSTGRESQL.require();
      HikariConfig config = new HikariConfig();
      config.setPoolName("spring-session-bench");
      config.setJdbcUrl(Services.POSTGRESQL.address());
      config.setMaximumPoolSize(4);
      dataSource = new HikariDataSource(config);
      new ResourceDatabasePopulator(
              new ClassPathResource("org/springframework/session/jdbc/schema-drop-postgresql.sql"),
              new ClassPathResource("org/springframework/session/jdbc/schema-postgresql.sql"))
          .execute(dataSource);
      TransactionTemplate tx =
          new TransactionTemplate(new DataSourceTransactionManager(dataSource));
      tx.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
      repository = new JdbcIndexedSessionRepository(new JdbcTemplate(dataSource), tx);
      ids = createSessions(repository);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      dataSource.close();
    }
  }

  /** RedisSessionRepository over Lettuce, Redis database 5 (flushed before and after). */
  @State(Scope.Benchmark)
  public static class Redis {
    LettuceConnectionFactory connections;
    RedisTemplate<String, Object> template;
    RedisSessionRepository repository;
    String[] ids;

    @Setup(Level.Trial)
    public void setUp() {
      Services.REDIS.require();
      RedisStandaloneConfiguration config =
          new RedisStandaloneConfiguration(Services.REDIS.redisHost(), Services.REDIS.redisPort());
      config.setDatabase(Services.REDIS_DATABASE);
      connections = new LettuceConnectionFactory(config);
      connections.afterPropertiesSet();
      connections.start();
      template = new RedisTemplate<>();
      template.setConnectionFactory(connections);
      template.setKeySerializer(RedisSerializer.string());
      template.setHashKeySerializer(RedisSerializer.string());
      template.afterPropertiesSet();
      flushBenchDatabase();
      repository = new RedisSessionRepository(template);
      repository.setRedisKeyNamespace("hallpass-bench:session");
      ids = createSessions(repository);
    }

    /** FLUSHDB on this connection's database: number 5, ours alone. */
    private void flushBenchDatabase() {
      template.execute(
          (RedisCallback<Void>)
              c -> {
                c.serverCommands().flushDb();
                return null;
              });
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      try {
        flushBenchDatabase();
      } finally {
        connections.destroy();
      }
    }
  }

  static <S extends Session> String[] createSessions(SessionRepository<S> repository) {
    String[] ids = new String[Fixtures.TOKEN_POOL];
    for (int i = 0; i < ids.length; i++) {
      S s = repository.createSession();
      s.setAttribute(FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME, Fixtures.USER_ID);
      s.setAttribute(USER_ATTRIBUTE, Fixtures.USER_ID);
      for (Map.Entry<String, Object> e : Fixtures.SESSION_DATA.entrySet()) {
        s.setAttribute(e.getKey(), e.getValue());
      }
      repository.save(s);
      ids[i] = s.getId();
    }
    return ids;
  }

  /** SessionRepositoryFilter's work for one request, plus reading who the user is. */
  static <S extends Session> Object perRequest(SessionRepository<S> repository, String id) {
    S s = repository.findById(id);
    if (s == null) {
      throw new IllegalStateException("session " + id + " vanished");
    }
    s.setLastAccessedTime(Instant.now());
    Object user = s.getAttribute(USER_ATTRIBUTE);
    repository.save(s);
    return user;
  }

  @Benchmark
  public Object springSessionJdbcPostgres(Jdbc j, Cursor c) {
    return perRequest(j.repository, j.ids[c.next(j.ids.length)]);
  }

  @Benchmark
  public Object springSessionRedis(Redis r, Cursor c) {
    return perRequest(r.repository, r.ids[c.next(r.ids.length)]);
  }
}
