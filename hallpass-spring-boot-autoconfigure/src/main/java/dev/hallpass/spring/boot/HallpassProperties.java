package dev.hallpass.spring.boot;

import dev.hallpass.AccessTokenSigning;
import dev.hallpass.servlet.AntiCsrfMode;
import dev.hallpass.servlet.SameSite;
import dev.hallpass.servlet.TokenTransfer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.convert.DurationUnit;

/**
 * The {@code hallpass.*} settings of the auto-configured engine and web layer. Defaults are the
 * engine's and the web layer's secure ones; an invalid value (or a conflicting combination) stops
 * the application at start-up with a message naming the property.
 *
 * <p>Durations take Spring's forms ({@code 15m}, {@code 1h}, {@code 30d}, ISO-8601 {@code PT15M});
 * a bare number means seconds.
 */
@ConfigurationProperties("hallpass")
public class HallpassProperties {

  /** How long an access token is accepted (whole seconds, at least 1 s). */
  @DurationUnit(ChronoUnit.SECONDS)
  private Duration accessTokenValidity = Duration.ofHours(1);

  /**
   * How long a session lives without a refresh (whole seconds); each refresh extends it. Must be
   * longer than the access-token validity.
   */
  @DurationUnit(ChronoUnit.SECONDS)
  private Duration refreshTokenValidity = Duration.ofDays(100);

  /**
   * How long a just-replaced refresh token is still answered with the same new tokens (racing tabs,
   * quick retries). Default: 30 seconds, or the access-token validity if shorter; 0 turns it off.
   */
  @DurationUnit(ChronoUnit.SECONDS)
  private Duration refreshGracePeriod;

  /**
   * The anti-CSRF check for cookie sessions. Default: NONE with SameSite lax/strict cookies,
   * VIA_CUSTOM_HEADER with SameSite none. VIA_TOKEN also makes the engine issue anti-CSRF tokens.
   */
  private AntiCsrfMode antiCsrf;

  /**
   * Whether every request also checks the store that its session still exists (one database call
   * per request), so that a revoked session's access token stops working at once.
   */
  private boolean accessTokenBlacklisting = false;

  /** How long one signing key signs before the next takes over (at least 1 minute). */
  private Duration signingKeyRotationInterval = Duration.ofDays(7);

  /**
   * Where the refresh (/session/refresh) and sign-out (/signout) endpoints are served; must equal
   * the frontend SDK's apiBasePath.
   */
  private String apiBasePath = "/auth";

  /**
   * The HTTP status of "unauthorised", "try refresh token" and "token theft detected" answers (a
   * 4xx other than 403); give the frontend SDK the same sessionExpiredStatusCode.
   */
  private int sessionExpiredStatus = 401;

  /** Where tokens may travel: cookies, headers, or either as each client asks. */
  private TokenTransfer tokenTransfer = TokenTransfer.ANY;

  /**
   * How access tokens are signed: RS256 (default; public keys in the JWKS, verifiable by other
   * services) or HS256 (a shared secret, much faster; the JWKS is then empty). Tokens of either
   * algorithm signed by the store's keys keep being accepted, so a deployment can switch.
   */
  private AccessTokenSigning accessTokenSigning = AccessTokenSigning.RS256;

  /**
   * Encryption of the stored signing keys and refresh keys (AES-256-GCM under a key-encryption
   * key). Off unless key-file or key-environment-variable is set.
   */
  private final KeyEncryption keyEncryption = new KeyEncryption();

  /** The session cookies. */
  private final Cookie cookie = new Cookie();

  /** Where sessions are stored when the application defines no SessionStore. */
  private final Store store = new Store();

  /** Spring Security integration ({@code HallpassSecurity}). */
  private final Security security = new Security();

  /** CORS for a website on another origin. */
  private final Cors cors = new Cors();

  /** The session cookies' attributes. */
  public static class Cookie {
    /**
     * The cookies' Domain attribute, e.g. ".example.com" to share sessions with sub-domains.
     * Default: none (host-only cookies).
     */
    private String domain;

    /**
     * The Domain attribute of cookies issued before cookie.domain was changed (e.g. ".example.com"
     * after moving to host-only cookies): such cookies are cleared instead of shadowing the new
     * ones. Default: none.
     */
    private String olderDomain;

    /**
     * Whether the cookies are named with the "__Host-" prefix (browsers then refuse them unless
     * Secure, host-only and Path=/). Switching signs everybody out once. Not combinable with
     * cookie.domain, cookie.older-domain or cookie.secure=false.
     */
    private boolean hostPrefixedNames = false;

    /** The cookies' SameSite attribute. */
    private SameSite sameSite = SameSite.LAX;

    /**
     * Whether the cookies carry the Secure attribute. Set false only for development on
     * http://localhost: over plain HTTP anyone on the network path can read the tokens.
     */
    private boolean secure = true;

    public String getDomain() {
      return domain;
    }

    public void setDomain(String domain) {
      this.domain = domain;
    }

    public String getOlderDomain() {
      return olderDomain;
    }

    public void setOlderDomain(String olderDomain) {
      this.olderDomain = olderDomain;
    }

    public boolean isHostPrefixedNames() {
      return hostPrefixedNames;
    }

    public void setHostPrefixedNames(boolean hostPrefixedNames) {
      this.hostPrefixedNames = hostPrefixedNames;
    }

    public SameSite getSameSite() {
      return sameSite;
    }

    public void setSameSite(SameSite sameSite) {
      this.sameSite = sameSite;
    }

    public boolean isSecure() {
      return secure;
    }

    public void setSecure(boolean secure) {
      this.secure = secure;
    }
  }

  /** The session store used when the application defines none. */
  public static class Store {
    /** The directory of the embedded H2 database, used when the application has no DataSource. */
    private Path embeddedDirectory = Path.of("hallpass-data");

    /** The store on the application's DataSource (or the embedded H2 database). */
    private final Jdbc jdbc = new Jdbc();

    /** A Redis store (needs dev.hallpass:hallpass-redis); used when uri or cluster-uris is set. */
    private final Redis redis = new Redis();

    public Jdbc getJdbc() {
      return jdbc;
    }

    public Redis getRedis() {
      return redis;
    }

    public Path getEmbeddedDirectory() {
      return embeddedDirectory;
    }

    public void setEmbeddedDirectory(Path embeddedDirectory) {
      this.embeddedDirectory = embeddedDirectory;
    }
  }

  /**
   * The JDBC store's settings. The pool is always the application's DataSource (or the embedded H2
   * database), so its connection timeout is the pool's own setting (e.g.
   * spring.datasource.hikari.connection-timeout), not Hallpass's.
   */
  public static class Jdbc {
    /**
     * How long a store call waits for each answer of the database (the JDBC network timeout), from
     * 250 ms to 1 hour; a silent connection fails the call and is discarded. Applies to the
     * application's DataSource too; no effect on the embedded H2 database. Default: 5 s.
     */
    private Duration queryTimeout;

    public Duration getQueryTimeout() {
      return queryTimeout;
    }

    public void setQueryTimeout(Duration queryTimeout) {
      this.queryTimeout = queryTimeout;
    }
  }

  /** The Redis store; it takes precedence over the DataSource and the embedded database. */
  public static class Redis {
    /**
     * The Redis server, e.g. redis://host:6379 or rediss://host:6380 (TLS); credentials may be in
     * the URI (they are never logged). Not combinable with cluster-uris.
     */
    private String uri;

    /** Seed nodes of a Redis Cluster, e.g. redis://node1:6379. Not combinable with uri. */
    private List<String> clusterUris = new ArrayList<>();

    /**
     * The prefix of every key Hallpass writes, to share a Redis with other data. Default:
     * "hallpass:".
     */
    private String keyPrefix;

    /** How long one Redis command may take before the call fails. Default: 10 s. */
    private Duration commandTimeout;

    public String getUri() {
      return uri;
    }

    public void setUri(String uri) {
      this.uri = uri;
    }

    public List<String> getClusterUris() {
      return clusterUris;
    }

    public void setClusterUris(List<String> clusterUris) {
      this.clusterUris = clusterUris;
    }

    public String getKeyPrefix() {
      return keyPrefix;
    }

    public void setKeyPrefix(String keyPrefix) {
      this.keyPrefix = keyPrefix;
    }

    public Duration getCommandTimeout() {
      return commandTimeout;
    }

    public void setCommandTimeout(Duration commandTimeout) {
      this.commandTimeout = commandTimeout;
    }
  }

  /**
   * Where the key-encryption key comes from: its base64 text (32 bytes) is read from a file or an
   * environment variable, never from the properties themselves. Set exactly one of key-file and
   * key-environment-variable; older keys (previous primaries, still decrypting until re-encrypted)
   * come from files.
   */
  public static class KeyEncryption {
    /** A file holding the key-encryption key's base64 text, e.g. /run/secrets/hallpass-kek. */
    private Path keyFile;

    /** The name of an environment variable holding the key's base64 text, e.g. HALLPASS_KEK. */
    private String keyEnvironmentVariable;

    /**
     * Files of previous key-encryption keys: values stored under them are still read and
     * re-encrypted under the current key. Keep one until every session stored under it has been
     * refreshed or has expired.
     */
    private List<Path> olderKeyFiles = new ArrayList<>();

    public Path getKeyFile() {
      return keyFile;
    }

    public void setKeyFile(Path keyFile) {
      this.keyFile = keyFile;
    }

    public String getKeyEnvironmentVariable() {
      return keyEnvironmentVariable;
    }

    public void setKeyEnvironmentVariable(String keyEnvironmentVariable) {
      this.keyEnvironmentVariable = keyEnvironmentVariable;
    }

    public List<Path> getOlderKeyFiles() {
      return olderKeyFiles;
    }

    public void setOlderKeyFiles(List<Path> olderKeyFiles) {
      this.olderKeyFiles = olderKeyFiles;
    }
  }

  /** How sessions become Spring Security authentications. */
  public static class Security {
    /** The access-token claim whose value (a string or a list of strings) gives the authorities. */
    private String rolesClaim = "roles";

    /** Put before each role to make its authority, so that hasRole("ADMIN") matches "ADMIN". */
    private String authorityPrefix = "ROLE_";

    public String getRolesClaim() {
      return rolesClaim;
    }

    public void setRolesClaim(String rolesClaim) {
      this.rolesClaim = rolesClaim;
    }

    public String getAuthorityPrefix() {
      return authorityPrefix;
    }

    public void setAuthorityPrefix(String authorityPrefix) {
      this.authorityPrefix = authorityPrefix;
    }
  }

  /** CORS with credentials for the website's origins. */
  public static class Cors {
    /**
     * Origins (scheme, host, optional port) whose pages may call the API with their session, e.g.
     * https://app.example.com. Empty: no CORS filter is registered.
     */
    private List<String> allowedOrigins = new ArrayList<>();

    public List<String> getAllowedOrigins() {
      return allowedOrigins;
    }

    public void setAllowedOrigins(List<String> allowedOrigins) {
      this.allowedOrigins = allowedOrigins;
    }
  }

  public Duration getAccessTokenValidity() {
    return accessTokenValidity;
  }

  public void setAccessTokenValidity(Duration accessTokenValidity) {
    this.accessTokenValidity = accessTokenValidity;
  }

  public Duration getRefreshTokenValidity() {
    return refreshTokenValidity;
  }

  public void setRefreshTokenValidity(Duration refreshTokenValidity) {
    this.refreshTokenValidity = refreshTokenValidity;
  }

  public Duration getRefreshGracePeriod() {
    return refreshGracePeriod;
  }

  public void setRefreshGracePeriod(Duration refreshGracePeriod) {
    this.refreshGracePeriod = refreshGracePeriod;
  }

  public AntiCsrfMode getAntiCsrf() {
    return antiCsrf;
  }

  public void setAntiCsrf(AntiCsrfMode antiCsrf) {
    this.antiCsrf = antiCsrf;
  }

  public boolean isAccessTokenBlacklisting() {
    return accessTokenBlacklisting;
  }

  public void setAccessTokenBlacklisting(boolean accessTokenBlacklisting) {
    this.accessTokenBlacklisting = accessTokenBlacklisting;
  }

  public Duration getSigningKeyRotationInterval() {
    return signingKeyRotationInterval;
  }

  public void setSigningKeyRotationInterval(Duration signingKeyRotationInterval) {
    this.signingKeyRotationInterval = signingKeyRotationInterval;
  }

  public String getApiBasePath() {
    return apiBasePath;
  }

  public void setApiBasePath(String apiBasePath) {
    this.apiBasePath = apiBasePath;
  }

  public int getSessionExpiredStatus() {
    return sessionExpiredStatus;
  }

  public void setSessionExpiredStatus(int sessionExpiredStatus) {
    this.sessionExpiredStatus = sessionExpiredStatus;
  }

  public TokenTransfer getTokenTransfer() {
    return tokenTransfer;
  }

  public void setTokenTransfer(TokenTransfer tokenTransfer) {
    this.tokenTransfer = tokenTransfer;
  }

  public AccessTokenSigning getAccessTokenSigning() {
    return accessTokenSigning;
  }

  public void setAccessTokenSigning(AccessTokenSigning accessTokenSigning) {
    this.accessTokenSigning = accessTokenSigning;
  }

  public KeyEncryption getKeyEncryption() {
    return keyEncryption;
  }

  public Cookie getCookie() {
    return cookie;
  }

  public Store getStore() {
    return store;
  }

  public Security getSecurity() {
    return security;
  }

  public Cors getCors() {
    return cors;
  }
}
