package dev.hallpass.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallpass.Hallpass;
import dev.hallpass.JsonWebKeySet;
import dev.hallpass.Session;
import dev.hallpass.jdbc.JdbcSessionStores;
import dev.hallpass.redis.RedisSessionStores;
import dev.hallpass.spi.SessionStore;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/** What every benchmark builds the same way: the user, payloads, engines, stores and tokens. */
final class Fixtures {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String USER_ID = "bench-user-0001";

  /** Claims an application typically adds to its access tokens. */
  static final Map<String, Object> JWT_PAYLOAD = orderedMap("role", "admin", "org", "acme");

  /** Small server-side data: what Spring Session gets as attributes too. */
  static final Map<String, Object> SESSION_DATA = orderedMap("theme", "dark", "cartItems", 3);

  /**
   * How many distinct sessions the cold benchmarks cycle through: enough that nothing is warm by
   * accident, few enough that signing them in set-up takes well under a second.
   */
  static final int TOKEN_POOL = 256;

  private Fixtures() {}

  /** The databases the write benchmarks run on, by their {@code @Param} names. */
  enum Db {
    H2(null),
    POSTGRESQL(Services.POSTGRESQL),
    MARIADB(Services.MARIADB),
    /** hallpass-redis on one Redis server, database 5 (the benchmarks' own). */
    REDIS(Services.REDIS);

    final Services server;

    Db(Services server) {
      this.server = server;
    }

    static Db of(String param) {
      return valueOf(param.toUpperCase(java.util.Locale.ROOT));
    }
  }

  /**
   * A store; H2 lives in {@code h2Dir} (a fresh directory), the servers in their database, Redis in
   * database 5, emptied first.
   */
  static SessionStore store(Db db, Path h2Dir, int poolSize) {
    if (db == Db.H2) {
      return JdbcSessionStores.embedded(h2Dir);
    }
    db.server.require();
    if (db == Db.REDIS) {
      flushRedisDatabase();
      return RedisSessionStores.builder().uri(redisUri()).keyPrefix("hallpass-bench:").build();
    }
    SessionStore store =
        JdbcSessionStores.builder().jdbcUrl(db.server.address()).maximumPoolSize(poolSize).build();
    // Each trial starts from an empty, compact table, as Spring Session's (whose schema is
    // recreated at set-up) does. DELETE is not enough: it leaves the dead row versions of earlier
    // trials (hundreds of thousands after a few refresh runs) for VACUUM, and with autovacuum off,
    // as on this machine's PostgreSQL, every later lookup by handle wades through them.
    execute(db.server.address(), "TRUNCATE TABLE hallpass_sessions");
    return store;
  }

  /** The benchmarks' Redis database (5). */
  static String redisUri() {
    return "redis://"
        + Services.REDIS.redisHost()
        + ":"
        + Services.REDIS.redisPort()
        + "/"
        + Services.REDIS_DATABASE;
  }

  /** FLUSHDB on the benchmarks' Redis database (5), ours alone: each trial starts empty. */
  static void flushRedisDatabase() {
    RedisClient client = RedisClient.create(redisUri());
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      c.sync().flushdb();
    } finally {
      client.shutdown(java.time.Duration.ZERO, java.time.Duration.ofSeconds(2));
    }
  }

  /**
   * An engine as the benchmarks run it: anti-CSRF tokens on (so every figure includes their
   * derivation and check), no background sweep to disturb the measurement.
   */
  static Hallpass.Builder engine(SessionStore store) {
    return Hallpass.builder().store(store).antiCsrf(true).disableBackgroundCleanup();
  }

  /** {@code n} sessions of the benchmark user: their access and anti-CSRF tokens. */
  static final class TokenPool {
    final String[] accessTokens;
    final String[] antiCsrfTokens;

    TokenPool(Hallpass engine, int n) {
      accessTokens = new String[n];
      antiCsrfTokens = new String[n];
      for (int i = 0; i < n; i++) {
        Session s = engine.createNewSession(USER_ID, JWT_PAYLOAD, SESSION_DATA);
        accessTokens[i] = s.getAccessToken();
        antiCsrfTokens[i] = s.getTokens().getAntiCsrfToken();
      }
    }

    int size() {
      return accessTokens.length;
    }
  }

  /** The key that signed {@code accessToken}, read from the engine's published JWKS. */
  static RSAPublicKey publicKey(JsonWebKeySet jwks, String accessToken) {
    try {
      String header = accessToken.substring(0, accessToken.indexOf('.'));
      String kid = JSON.readTree(Base64.getUrlDecoder().decode(header)).get("kid").asText();
      for (JsonNode k : JSON.readTree(jwks.toJson()).get("keys")) {
        if (kid.equals(k.get("kid").asText())) {
          BigInteger n = new BigInteger(1, Base64.getUrlDecoder().decode(k.get("n").asText()));
          BigInteger e = new BigInteger(1, Base64.getUrlDecoder().decode(k.get("e").asText()));
          return (RSAPublicKey)
              KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e));
        }
      }
      throw new IllegalStateException("the JWKS lacks the token's key " + kid);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static Path newTempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteRecursively(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void execute(String jdbcUrl, String... sql) {
    try (Connection c = DriverManager.getConnection(jdbcUrl);
        Statement st = c.createStatement()) {
      for (String s : sql) {
        st.execute(s);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("benchmark set-up failed: " + e.getMessage(), e);
    }
  }

  /** Closes each resource, even when one fails; null entries are skipped. */
  static void closeAll(AutoCloseable... resources) {
    RuntimeException first = null;
    for (AutoCloseable r : resources) {
      try {
        if (r != null) {
          r.close();
        }
      } catch (Exception e) {
        if (first == null) {
          first = new IllegalStateException("closing " + r + " failed", e);
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private static Map<String, Object> orderedMap(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return java.util.Collections.unmodifiableMap(m);
  }
}
