package dev.hallpass.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallpass.Hallpass;
import dev.hallpass.Session;
import dev.hallpass.spi.SessionStore;
import dev.hallpass.spi.SigningKeyRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/**
 * The engine and web options added after the starter's first version, as {@code hallpass.*}
 * properties: access-token signing, key encryption from files or an environment variable, the older
 * cookie domain and {@code __Host-} cookie names, the JDBC query timeout; and the start-up failures
 * naming the properties of invalid or conflicting values. Contexts here start no web server ({@link
 * HostPrefixedHs256HttpTest} covers the cookies over HTTP).
 */
class EngineAndCookiePropertiesTest {

  private static final AutoConfigurations HALLPASS =
      AutoConfigurations.of(HallpassAutoConfiguration.class, HallpassWebAutoConfiguration.class);

  @TempDir Path dir;

  private WebApplicationContextRunner web() {
    return new WebApplicationContextRunner()
        .withConfiguration(HALLPASS)
        .withPropertyValues("hallpass.store.embedded-directory=" + dir);
  }

  private Path keyFile(String name) throws Exception {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    Path f = dir.resolve(name);
    Files.writeString(f, Base64.getEncoder().encodeToString(key) + "\n");
    return f;
  }

  private static String header(String jwt) {
    return new String(
        Base64.getUrlDecoder().decode(jwt.substring(0, jwt.indexOf('.'))), StandardCharsets.UTF_8);
  }

  @Test
  void accessTokenSigningHs256_signsWithHs256_andLeavesTheJwksEmpty() {
    web()
        .withPropertyValues("hallpass.access-token-signing=hs256")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              Hallpass h = ctx.getBean(Hallpass.class);
              Session s = h.createNewSession("alice", Map.of(), Map.of());
              assertThat(header(s.getAccessToken())).contains("\"alg\":\"HS256\"");
              assertThat(h.getJwks().getKeyIds()).isEmpty();
            });
  }

  @Test
  void defaultSigning_isRs256_withItsKeyInTheJwks() {
    web()
        .run(
            ctx -> {
              Hallpass h = ctx.getBean(Hallpass.class);
              Session s = h.createNewSession("alice", Map.of(), Map.of());
              assertThat(header(s.getAccessToken())).contains("\"alg\":\"RS256\"");
              assertThat(h.getJwks().getKeyIds()).isNotEmpty();
            });
  }

  @Test
  void keyFile_wrapsTheStoredSigningKeys_andOlderKeyFilesAreAccepted() throws Exception {
    Path primary = keyFile("kek");
    Path older = keyFile("kek-old");
    web()
        .withPropertyValues(
            "hallpass.key-encryption.key-file=" + primary,
            "hallpass.key-encryption.older-key-files=" + older)
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              Hallpass h = ctx.getBean(Hallpass.class);
              Session s = h.createNewSession("alice", Map.of(), Map.of());
              assertThat(h.getSession(s.getAccessToken(), null, false).getUserId())
                  .isEqualTo("alice");
              List<SigningKeyRecord> keys = ctx.getBean(SessionStore.class).loadSigningKeys();
              assertThat(keys).isNotEmpty();
              assertThat(keys)
                  .allSatisfy(k -> assertThat(k.privateKeyPkcs8()).startsWith("hpkek1:"));
            });
  }

  @Test
  void withoutKeyEncryption_theStoredSigningKeysArePlain() {
    web()
        .run(
            ctx ->
                assertThat(ctx.getBean(SessionStore.class).loadSigningKeys())
                    .isNotEmpty()
                    .allSatisfy(k -> assertThat(k.privateKeyPkcs8()).doesNotStartWith("hpkek1:")));
  }

  @Test
  void keyEnvironmentVariable_thatIsNotSet_failsStartUp_namingThePropertyAndTheVariable() {
    String name = "HALLPASS_TEST_UNSET_" + UUID.randomUUID().toString().replace('-', '_');
    web()
        .withPropertyValues("hallpass.key-encryption.key-environment-variable=" + name)
        .run(
            ctx ->
                assertThat(analyse(ctx.getStartupFailure()).getDescription())
                    .contains("hallpass.key-encryption.key-environment-variable")
                    .contains(name + " is not set"));
  }

  @Test
  void keyFile_notHoldingAKey_failsStartUp_namingThePropertyButNotTheContent() throws Exception {
    Path bad = dir.resolve("bad-kek");
    Files.writeString(bad, "c2VjcmV0LWJ1dC1zaG9ydA==");
    web()
        .withPropertyValues("hallpass.key-encryption.key-file=" + bad)
        .run(
            ctx -> {
              FailureAnalysis a = analyse(ctx.getStartupFailure());
              assertThat(a.getDescription())
                  .contains("hallpass.key-encryption.key-file")
                  .doesNotContain("c2VjcmV0LWJ1dC1zaG9ydA");
            });
  }

  @Test
  void keyFileAndKeyEnvironmentVariable_together_failStartUp_namingBoth() throws Exception {
    Path primary = keyFile("kek");
    web()
        .withPropertyValues(
            "hallpass.key-encryption.key-file=" + primary,
            "hallpass.key-encryption.key-environment-variable=HALLPASS_KEK")
        .run(
            ctx ->
                assertThat(analyse(ctx.getStartupFailure()).getDescription())
                    .contains("hallpass.key-encryption.key-file")
                    .contains("hallpass.key-encryption.key-environment-variable"));
  }

  @Test
  void olderKeyFiles_withoutAPrimaryKey_failStartUp_namingTheProperties() throws Exception {
    Path older = keyFile("kek-old");
    web()
        .withPropertyValues("hallpass.key-encryption.older-key-files=" + older)
        .run(
            ctx ->
                assertThat(analyse(ctx.getStartupFailure()).getDescription())
                    .contains("hallpass.key-encryption.older-key-files")
                    .contains("hallpass.key-encryption.key-file"));
  }

  @Test
  void sameKeyAsPrimaryAndOlder_failsStartUp_namingOlderKeyFiles() throws Exception {
    Path primary = keyFile("kek");
    web()
        .withPropertyValues(
            "hallpass.key-encryption.key-file=" + primary,
            "hallpass.key-encryption.older-key-files=" + primary)
        .run(
            ctx ->
                assertThat(analyse(ctx.getStartupFailure()).getDescription())
                    .contains("hallpass.key-encryption.older-key-files")
                    .contains("given twice"));
  }

  @Test
  void olderCookieDomain_invalid_failsStartUp_namingTheProperty() {
    web()
        .withPropertyValues("hallpass.cookie.older-domain=not a domain")
        .run(
            ctx ->
                assertThat(analyse(ctx.getStartupFailure()).getDescription())
                    .contains("hallpass.cookie.older-domain"));
  }

  @Test
  void olderCookieDomain_sameAsCookieDomain_failsStartUp_namingBoth() {
    web()
        .withPropertyValues(
            "hallpass.cookie.domain=.example.com", "hallpass.cookie.older-domain=example.com")
        .run(
            ctx ->
                assertThat(analyse(ctx.getStartupFailure()).getDescription())
                    .contains("hallpass.cookie.older-domain")
                    .contains("hallpass.cookie.domain"));
  }

  @Test
  void hostPrefixedNames_withACookieDomain_failsStartUp_namingBoth() {
    web()
        .withPropertyValues(
            "hallpass.cookie.host-prefixed-names=true", "hallpass.cookie.domain=.example.com")
        .run(
            ctx ->
                assertThat(analyse(ctx.getStartupFailure()).getDescription())
                    .contains("hallpass.cookie.host-prefixed-names")
                    .contains("hallpass.cookie.domain"));
  }

  @Test
  void hostPrefixedNames_withInsecureCookies_failsStartUp_namingBoth() {
    web()
        .withPropertyValues(
            "hallpass.cookie.host-prefixed-names=true", "hallpass.cookie.secure=false")
        .run(
            ctx ->
                assertThat(analyse(ctx.getStartupFailure()).getDescription())
                    .contains("hallpass.cookie.host-prefixed-names")
                    .contains("hallpass.cookie.secure"));
  }

  @Test
  void queryTimeout_onTheApplicationsDataSource_outOfRange_failsStartUp_namingTheProperty() {
    web()
        .withBean(javax.sql.DataSource.class, EngineAndCookiePropertiesTest::h2InMemory)
        .withPropertyValues("hallpass.store.jdbc.query-timeout=100ms")
        .run(
            ctx ->
                assertThat(analyse(ctx.getStartupFailure()).getDescription())
                    .contains("hallpass.store.jdbc.query-timeout")
                    .contains(">= 250 ms"));
  }

  @Test
  void queryTimeout_onTheApplicationsDataSource_inRange_startsTheStore() {
    web()
        .withBean(javax.sql.DataSource.class, EngineAndCookiePropertiesTest::h2InMemory)
        .withPropertyValues("hallpass.store.jdbc.query-timeout=2s")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              Hallpass h = ctx.getBean(Hallpass.class);
              Session s = h.createNewSession("alice", Map.of(), Map.of());
              assertThat(h.getSession(s.getAccessToken(), null, false, true).getUserId())
                  .isEqualTo("alice");
            });
  }

  @Test
  void redisUri_withoutHallpassRedisOnTheClassPath_leavesTheJdbcStore() {
    web()
        .withClassLoader(
            new org.springframework.boot.test.context.FilteredClassLoader("dev.hallpass.redis."))
        .withPropertyValues("hallpass.store.redis.uri=redis://127.0.0.1:1")
        .run(
            ctx ->
                assertThat(ctx.getBean(SessionStore.class).getClass().getName())
                    .isEqualTo("dev.hallpass.jdbc.JdbcSessionStore"));
  }

  @Test
  void redisUriAndClusterUris_together_failStartUp_namingBoth() {
    web()
        .withPropertyValues(
            "hallpass.store.redis.uri=redis://127.0.0.1:1",
            "hallpass.store.redis.cluster-uris=redis://127.0.0.1:2")
        .run(
            ctx ->
                assertThat(analyse(ctx.getStartupFailure()).getDescription())
                    .contains("hallpass.store.redis.uri")
                    .contains("hallpass.store.redis.cluster-uris"));
  }

  @Test
  void redisKeyPrefix_invalid_failsStartUp_namingTheProperty() {
    web()
        .withPropertyValues(
            "hallpass.store.redis.uri=redis://127.0.0.1:1", "hallpass.store.redis.key-prefix={x}")
        .run(
            ctx ->
                assertThat(analyse(ctx.getStartupFailure()).getDescription())
                    .contains("hallpass.store.redis.key-prefix"));
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
    return ds;
  }
}
