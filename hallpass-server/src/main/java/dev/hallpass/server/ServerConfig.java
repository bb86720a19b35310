package dev.hallpass.server;

import dev.hallpass.Hallpass;
import dev.hallpass.KeyEncryptionKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The server's settings. Built only by {@link Cli}, which checks the server's own options; the
 * engine's and the store's builders check theirs ({@link #engineSettings()}). This type checks
 * nothing itself.
 *
 * @param host address to bind
 * @param port port to bind; 0 picks a free one
 * @param databaseUrl JDBC URL, or null for the embedded H2 database in {@code dataDir}
 * @param databaseUser may be null
 * @param databasePassword may be null; never printed
 * @param databasePoolSize connections in the pool (JDBC URL only), or null for the store's default
 * @param databaseTimeout the store's connection and query timeouts (JDBC URL only), or null for the
 *     store's defaults
 * @param dataDir directory of the embedded H2 database
 * @param inMemoryStore keep sessions in this process's memory (tests and trials)
 * @param apiKeys accepted {@code api-key} values; empty means no key is required
 * @param allowUnauthenticated serve without API keys on an address other machines can reach
 * @param tenants the tenant ids accepted besides {@code public}; empty means every valid tenant id
 * @param accessTokenValidity lifetime of an access token
 * @param refreshTokenValidity lifetime of a session without refresh
 * @param signingKeyRotationInterval how long one signing key signs
 * @param refreshGracePeriod how long a just-replaced refresh token still answers with its child, or
 *     null for the engine's default (30 s, or the access-token validity if shorter)
 * @param logLevel SLF4J simple-logger level name
 * @param maxThreads the HTTP thread pool's size
 * @param shutdownTimeout how long a graceful stop waits for in-flight requests
 * @param keyEncryptionKeys the key-encryption key then older ones; empty: stored keys unencrypted
 */
record ServerConfig(
    String host,
    int port,
    String databaseUrl,
    String databaseUser,
    String databasePassword,
    Integer databasePoolSize,
    Duration databaseTimeout,
    Path dataDir,
    boolean inMemoryStore,
    List<String> apiKeys,
    boolean allowUnauthenticated,
    List<String> tenants,
    Duration accessTokenValidity,
    Duration refreshTokenValidity,
    Duration signingKeyRotationInterval,
    Duration refreshGracePeriod,
    String logLevel,
    int maxThreads,
    Duration shutdownTimeout,
    List<KeyEncryptionKey> keyEncryptionKeys) {

  ServerConfig {
    apiKeys = List.copyOf(apiKeys);
    keyEncryptionKeys = List.copyOf(keyEncryptionKeys);
    tenants = List.copyOf(tenants);
  }

  /**
   * The engine's settings (all but the store and the clock). The builder's setters check each value
   * at once ({@link IllegalArgumentException} naming the option); {@link Cli} calls this to report
   * them before anything starts. (Here rather than in {@link HallpassServer}, whose logger must not
   * be created before {@link Main} has set the log level.)
   */
  Hallpass.Builder engineSettings() {
    Hallpass.Builder b =
        Hallpass.builder()
            // The SDK decides per request whether anti-CSRF applies (enableAntiCsrf); tokens always
            // carry one so that either choice can be honoured.
            .antiCsrf(true)
            .accessTokenValidity(accessTokenValidity)
            .refreshTokenValidity(refreshTokenValidity)
            .signingKeyRotationInterval(signingKeyRotationInterval);
    if (refreshGracePeriod != null) {
      b.refreshGracePeriod(refreshGracePeriod);
    }
    if (!keyEncryptionKeys.isEmpty()) {
      b.keyEncryption(
          keyEncryptionKeys.get(0),
          keyEncryptionKeys.subList(1, keyEncryptionKeys.size()).toArray(KeyEncryptionKey[]::new));
    }
    return b;
  }

  /**
   * Which store the settings select, for the start-up log line (no URL parameters, no user info, no
   * password).
   */
  String storeDescription() {
    if (inMemoryStore) {
      return "in-memory (sessions are lost on exit)";
    }
    if (databaseUrl == null) {
      return "embedded H2 in " + dataDir.toAbsolutePath().normalize();
    }
    String url = redactor().scrub(databaseUrl);
    int cut = url.length();
    for (char c : new char[] {'?', ';'}) {
      int i = url.indexOf(c);
      if (i >= 0 && i < cut) {
        cut = i;
      }
    }
    return url.substring(0, cut);
  }

  /**
   * What must never be printed: the database URL's credentials, the database password and the API
   * keys.
   */
  Redactor redactor() {
    List<String> secrets = new ArrayList<>(apiKeys);
    secrets.add(databasePassword);
    return new Redactor(databaseUrl, secrets);
  }

  @Override
  public String toString() {
    return "ServerConfig{host="
        + host
        + ", port="
        + port
        + ", store="
        + storeDescription()
        + ", apiKeys="
        + apiKeys.size()
        + " configured"
        + (allowUnauthenticated ? ", allowUnauthenticated" : "")
        + ", tenants="
        + (tenants.isEmpty() ? "any" : String.join(",", tenants))
        + ", accessTokenValidity="
        + accessTokenValidity
        + ", refreshTokenValidity="
        + refreshTokenValidity
        + ", signingKeyRotationInterval="
        + signingKeyRotationInterval
        + ", refreshGracePeriod="
        + (refreshGracePeriod == null ? "default" : refreshGracePeriod)
        + ", logLevel="
        + logLevel
        + ", maxThreads="
        + maxThreads
        + ", keyEncryption="
        + (keyEncryptionKeys.isEmpty() ? "off" : "kek ids " + keyIds())
        + "}";
  }

  private List<String> keyIds() {
    return keyEncryptionKeys.stream().map(KeyEncryptionKey::id).toList();
  }
}
