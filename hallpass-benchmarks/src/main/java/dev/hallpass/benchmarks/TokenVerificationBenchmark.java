package dev.hallpass.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.hallpass.Hallpass;
import dev.hallpass.Session;
import dev.hallpass.SessionStores;
import dev.hallpass.spi.SessionStore;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.Jwts;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.LinkedHashMap;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-request cost of trusting an access token: Hallpass {@code getSession} next to the
 * cryptographic limit (bare JCA RS256 verification) and the peers (nimbus-jose-jwt, jjwt), all on
 * the very same Hallpass-issued tokens, plus RS256 signing, which bounds create and refresh.
 *
 * <p>Cold benchmarks cycle through {@link Fixtures#TOKEN_POOL} distinct tokens; Hallpass's cold
 * engine has its verified-token cache off, so every call verifies the signature. Warm benchmarks
 * present one token over and over, as a browser does for the token's lifetime.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class TokenVerificationBenchmark {

  private static final Base64.Decoder B64URL = Base64.getUrlDecoder();
  private static final Base64.Encoder B64URL_ENC = Base64.getUrlEncoder().withoutPadding();

  /** Hallpass-issued tokens and everything that verifies them, on the in-memory store. */
  @State(Scope.Benchmark)
  public static class Tokens {
    SessionStore store;

    /** verifiedTokenCacheSize(0): every call verifies the signature. */
    Hallpass cold;

    /** Default settings (verified-token cache on). */
    Hallpass warm;

    Fixtures.TokenPool pool;
    RSAPublicKey publicKey;
    DefaultJWTProcessor<SecurityContext> nimbus;
    JwtParser jjwt;

    /** The warm token as the bytes of an HTTP header, for the fresh-String variant. */
    byte[] warmTokenBytes;

    /** For the signing baseline: a key of the same size, the header and claims of a real token. */
    PrivateKey signingKey;

    String encodedHeader;
    Map<String, Object> claims;

    @Setup(Level.Trial)
    @SuppressWarnings("unchecked")
    public void setUp() throws Exception {
      store = SessionStores.inMemory();
      cold = Fixtures.engine(store).verifiedTokenCacheSize(0).build();
      warm = Fixtures.engine(store).build(); // same store, so the same signing keys
      pool = new Fixtures.TokenPool(cold, Fixtures.TOKEN_POOL);
      String token = pool.accessTokens[0];
      publicKey = Fixtures.publicKey(cold.getJwks(), token);

      nimbus = new DefaultJWTProcessor<>();
      nimbus.setJWSKeySelector(
          new JWSVerificationKeySelector<>(
              JWSAlgorithm.RS256, new ImmutableJWKSet<>(JWKSet.parse(cold.getJwks().toJson()))));
      jjwt = Jwts.parser().verifyWith(publicKey).build();

      warmTokenBytes = token.getBytes(StandardCharsets.ISO_8859_1);

      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      KeyPair pair = g.generateKeyPair();
      signingKey = pair.getPrivate();
      encodedHeader = token.substring(0, token.indexOf('.'));
      claims =
          Fixtures.JSON.readValue(
              B64URL.decode(token.substring(token.indexOf('.') + 1, token.lastIndexOf('.'))),
              LinkedHashMap.class);

      // Fail in set-up, not in the middle of a measurement, if a verifier disagrees.
      for (int i = 0; i < 2; i++) {
        nimbus.process(pool.accessTokens[i], null);
        jjwt.parseSignedClaims(pool.accessTokens[i]);
        cold.getSession(pool.accessTokens[i], pool.antiCsrfTokens[i], true);
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      Fixtures.closeAll(cold, warm, store);
    }
  }

  /** This thread's JCA objects, reused as a careful caller would. */
  @State(Scope.Thread)
  public static class Jca {
    Signature verifier;
    Signature signer;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      verifier = Signature.getInstance("SHA256withRSA");
      signer = Signature.getInstance("SHA256withRSA");
    }
  }

  // ---- baselines ----------------------------------------------------------------------------

  /**
   * The limit: split, base64url-decode, SHA256withRSA verify, parse the claims with Jackson, check
   * {@code exp}. No header parsing, no key lookup, no claim validation beyond exp.
   */
  @Benchmark
  public long bareJcaVerify(Tokens t, Cursor c, Jca jca) throws Exception {
    String token = t.pool.accessTokens[c.next(t.pool.size())];
    int dot1 = token.indexOf('.');
    int dot2 = token.indexOf('.', dot1 + 1);
    byte[] signature = B64URL.decode(token.substring(dot2 + 1));
    Signature s = jca.verifier;
    s.initVerify(t.publicKey);
    s.update(token.substring(0, dot2).getBytes(StandardCharsets.US_ASCII));
    if (!s.verify(signature)) {
      throw new IllegalStateException("signature did not verify");
    }
    JsonNode claims = Fixtures.JSON.readTree(B64URL.decode(token.substring(dot1 + 1, dot2)));
    long exp = claims.get("exp").asLong();
    if (exp * 1000 <= System.currentTimeMillis()) {
      throw new IllegalStateException("expired");
    }
    return exp;
  }

  /**
   * RS256 signing of a token like Hallpass's (Jackson write, base64url, sign): bounds
   * create/refresh.
   */
  @Benchmark
  public String rs256Sign(Tokens t, Jca jca) throws Exception {
    String signingInput =
        t.encodedHeader
            + "."
            + B64URL_ENC.encodeToString(Fixtures.JSON.writeValueAsBytes(t.claims));
    Signature s = jca.signer;
    s.initSign(t.signingKey);
    s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
    return signingInput + "." + B64URL_ENC.encodeToString(s.sign());
  }

  /** Signing on both cores: what {@code refreshSessionThreads2} compares with. */
  @Benchmark
  @Threads(2)
  public String rs256SignThreads2(Tokens t, Jca jca) throws Exception {
    return rs256Sign(t, jca);
  }

  /** What a servlet container does per request before anyone sees the token: a new String. */
  @Benchmark
  public String freshTokenString(Tokens t) {
    return new String(t.warmTokenBytes, StandardCharsets.ISO_8859_1);
  }

  // ---- peers ---------------------------------------------------------------------------------

  /** nimbus-jose-jwt's standard processor: JWKS key selection, RS256 verify, exp/nbf checks. */
  @Benchmark
  public JWTClaimsSet nimbusVerify(Tokens t, Cursor c) throws Exception {
    return t.nimbus.process(t.pool.accessTokens[c.next(t.pool.size())], null);
  }

  /** jjwt: parse, RS256 verify against the public key, exp check. */
  @Benchmark
  public Claims jjwtVerify(Tokens t, Cursor c) {
    return t.jjwt.parseSignedClaims(t.pool.accessTokens[c.next(t.pool.size())]).getPayload();
  }

  // ---- Hallpass ------------------------------------------------------------------------------

  /** A token never seen before: full verification (cache off), anti-CSRF checked. */
  @Benchmark
  public Session hallpassGetSessionCold(Tokens t, Cursor c) {
    int i = c.next(t.pool.size());
    return t.cold.getSession(t.pool.accessTokens[i], t.pool.antiCsrfTokens[i], true);
  }

  /** The same token again (the same String instance: its hash is cached), default settings. */
  @Benchmark
  public Session hallpassGetSessionWarm(Tokens t) {
    return t.warm.getSession(t.pool.accessTokens[0], t.pool.antiCsrfTokens[0], true);
  }

  /**
   * The same token again, but as a new String per call, as from an HTTP header: the cache must hash
   * and compare the whole token. Subtract {@link #freshTokenString} for the engine's share.
   */
  @Benchmark
  public Session hallpassGetSessionWarmFreshString(Tokens t) {
    return t.warm.getSession(
        new String(t.warmTokenBytes, StandardCharsets.ISO_8859_1), t.pool.antiCsrfTokens[0], true);
  }

  // ---- Hallpass with access-token blacklisting (PostgreSQL) ----------------------------------

  /** Engines with blacklisting on, on PostgreSQL (database hallpass_bench). */
  @State(Scope.Benchmark)
  public static class Blacklisting {
    SessionStore store;
    Hallpass cold;
    Hallpass warm;
    Fixtures.TokenPool pool;

    @Setup(Level.Trial)
    public void setUp() {
      store = Fixtures.store(Fixtures.Db.POSTGRESQL, null, 4);
      cold = Fixtures.engine(store).accessTokenBlacklisting(true).verifiedTokenCacheSize(0).build();
      warm = Fixtures.engine(store).accessTokenBlacklisting(true).build();
      pool = new Fixtures.TokenPool(cold, Fixtures.TOKEN_POOL);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      Fixtures.closeAll(cold, warm, store);
    }
  }

  /**
   * Cold verification plus the blacklisting check: since the revocation feed, the in-process set
   * once the feed has caught up (the store's query only before); see BlacklistingBenchmark.
   */
  @Benchmark
  public Session hallpassGetSessionColdBlacklistingPostgres(Blacklisting b, Cursor c) {
    int i = c.next(b.pool.size());
    return b.cold.getSession(b.pool.accessTokens[i], b.pool.antiCsrfTokens[i], true);
  }

  /** Cache hit plus the blacklisting check (as above). */
  @Benchmark
  public Session hallpassGetSessionWarmBlacklistingPostgres(Blacklisting b) {
    return b.warm.getSession(b.pool.accessTokens[0], b.pool.antiCsrfTokens[0], true);
  }
}
