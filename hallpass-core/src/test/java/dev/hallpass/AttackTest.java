package dev.hallpass;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallpass.HallpassException.Type;
import dev.hallpass.spi.SessionStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The attack suite of the core: one test per attack on access tokens, refresh tokens and the
 * engine's secrets. Every attack must end in UNAUTHORISED (or a refused call), never in a session,
 * a GENERAL_ERROR or a revoked victim.
 */
class AttackTest {
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final TestClock clock = new TestClock(START);
  private final SessionStore store = SessionStores.inMemory(clock);
  private final List<Hallpass> engines = new ArrayList<>();
  private final Engine hallpass = engine(store, true);

  @AfterEach
  void close() {
    engines.forEach(Hallpass::close);
  }

  private Engine engine(SessionStore s, boolean antiCsrf) {
    Hallpass h =
        Hallpass.builder()
            .store(s)
            .clock(clock)
            .antiCsrf(antiCsrf)
            .accessTokenValidity(Duration.ofMinutes(15))
            .signingKeyRotationInterval(Duration.ofDays(1))
            .disableBackgroundCleanup()
            .build();
    engines.add(h);
    return (Engine) h;
  }

  private Session login() {
    return hallpass.createNewSession("alice", Map.of("role", "reader"), Map.of("cart", 3));
  }

  private void assertUnauthorised(String accessToken) {
    assertError(Type.UNAUTHORISED, () -> hallpass.getSession(accessToken, null, false));
    assertError(Type.UNAUTHORISED, () -> hallpass.getSession(accessToken, null, false, true));
  }

  private static void assertError(Type type, ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            HallpassException.class,
            e -> assertThat(e.getType()).as(e.getMessage()).isEqualTo(type));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> part(String jwt, int index) {
    try {
      return JSON.readValue(Base64.getUrlDecoder().decode(jwt.split("\\.")[index]), Map.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String b64(Map<String, Object> json) {
    try {
      return B64.encodeToString(JSON.writeValueAsBytes(json));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String hs256(String input, byte[] key) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return input + "." + B64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
  }

  private static String rs256(String input, java.security.PrivateKey key) throws Exception {
    Signature s = Signature.getInstance("SHA256withRSA");
    s.initSign(key);
    s.update(input.getBytes(StandardCharsets.US_ASCII));
    return input + "." + B64.encodeToString(s.sign());
  }

  /** The genuine token with its header replaced (payload and signature kept). */
  private static String withHeader(String token, Map<String, Object> header) {
    String[] p = token.split("\\.");
    return b64(header) + "." + p[1] + "." + p[2];
  }

  private Map<String, Object> jwk() throws Exception {
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> keys =
        (List<Map<String, Object>>)
            JSON.readValue(hallpass.getJwks().toJson(), Map.class).get("keys");
    return keys.get(0);
  }

  // ---------------------------------------------------------------- algorithm confusion

  @Test
  void algNone_inAnySpelling_withOrWithoutSignature_isUnauthorised() {
    String token = login().getAccessToken();
    for (String alg : List.of("none", "None", "NONE", "nOnE", "")) {
      Map<String, Object> header = part(token, 0);
      header.put("alg", alg);
      String[] p = token.split("\\.");
      assertUnauthorised(b64(header) + "." + p[1] + ".");
      assertUnauthorised(b64(header) + "." + p[1]);
      assertUnauthorised(b64(header) + "." + p[1] + "." + p[2]);
    }
    Map<String, Object> noAlg = part(token, 0);
    noAlg.remove("alg");
    assertUnauthorised(withHeader(token, noAlg));
  }

  @Test
  void hs256_keyedWithTheRsaPublicKey_isUnauthorised() throws Exception {
    Session s = login();
    String token = s.getAccessToken();
    SigningKey key = hallpass.tokens.verify(token).key;
    byte[] der = key.publicKey.getEncoded();
    String pem =
        "-----BEGIN PUBLIC KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der)
            + "\n-----END PUBLIC KEY-----\n";
    Map<String, Object> header = part(token, 0);
    header.put("alg", "HS256");
    String input = b64(header) + "." + token.split("\\.")[1];
    for (byte[] secret :
        List.of(
            der,
            pem.getBytes(StandardCharsets.US_ASCII),
            hallpass.getJwks().toJson().getBytes(StandardCharsets.UTF_8))) {
      assertUnauthorised(hs256(input, secret));
    }
  }

  @Test
  void hs256_keyedWithTheJwksModulus_isUnauthorised() throws Exception {
    String token = login().getAccessToken();
    Map<String, Object> jwk = jwk();
    String n = (String) jwk.get("n");
    Map<String, Object> header = part(token, 0);
    header.put("alg", "HS256");
    String input = b64(header) + "." + token.split("\\.")[1];
    assertUnauthorised(hs256(input, n.getBytes(StandardCharsets.US_ASCII)));
    assertUnauthorised(hs256(input, Base64.getUrlDecoder().decode(n)));
    // and the other way round: RS256 kept, but verified against a key built from the JWKS text
    RSAPublicKey rebuilt =
        (RSAPublicKey)
            KeyFactory.getInstance("RSA")
                .generatePublic(
                    new RSAPublicKeySpec(
                        new BigInteger(1, Base64.getUrlDecoder().decode(n)),
                        new BigInteger(1, Base64.getUrlDecoder().decode((String) jwk.get("e")))));
    assertThat(rebuilt.getModulus())
        .isEqualTo(hallpass.tokens.verify(token).key.publicKey.getModulus());
  }

  // ---------------------------------------------------------------- kid

  @Test
  void kidInjection_pathSqlAndOddValues_isUnauthorised() {
    String token = login().getAccessToken();
    List<Object> kids =
        List.of(
            "../../../../etc/passwd",
            "/dev/null",
            "file:///etc/passwd",
            "' OR '1'='1",
            "x'; DROP TABLE hallpass_signing_keys; --",
            "d-\u0000",
            "",
            " ".repeat(5000),
            42,
            List.of("d-a"),
            Map.of("kid", "d-a"));
    for (Object kid : kids) {
      Map<String, Object> header = part(token, 0);
      header.put("kid", kid);
      assertUnauthorised(withHeader(token, header));
    }
    assertThat(hallpass.getSession(token, null, false).getUserId()).isEqualTo("alice");
  }

  @Test
  void unknownKid_isUnauthorised_andDoesNotMakeEveryRequestReadTheStore() {
    String token = login().getAccessToken();
    CountedStore counted = CountedStore.wrap(SessionStores.inMemory(clock));
    Engine engine = engine(counted, false);
    String own = engine.createNewSession("alice", null, null).getAccessToken();
    Map<String, Object> header = part(own, 0);
    int before = counted.calls();
    for (int i = 0; i < 200; i++) {
      header.put("kid", "d-unknown" + i);
      String forged = withHeader(own, header);
      assertError(Type.UNAUTHORISED, () -> engine.getSession(forged, null, false));
    }
    // an unknown kid may reload the keys, but at most once per interval: not one read per request
    assertThat(counted.calls() - before).isLessThanOrEqualTo(2);
    assertUnauthorised(withHeader(token, Map.of("alg", "RS256", "kid", "d-unknown")));
  }

  @Test
  void kidOfARetiredKey_isUnauthorised_evenWithAFreshPayloadSignedByTheLeakedKey()
      throws Exception {
    Session s = login();
    // the attacker has the old private key (say, a leaked backup)
    SigningKey old = hallpass.tokens.verify(s.getAccessToken()).key;
    clock.advance(Duration.ofDays(3)); // two rotations later, past the old key's last token
    hallpass.cleanUp();
    assertThat(hallpass.getJwks().getKeyIds()).doesNotContain(old.kid);

    Map<String, Object> claims = part(s.getAccessToken(), 1);
    long now = clock.instant().getEpochSecond();
    claims.put("iat", now);
    claims.put("exp", now + 600);
    String minted = rs256(old.encodedHeader + "." + b64(claims), old.privateKey);
    assertUnauthorised(minted);
    assertUnauthorised(s.getAccessToken());
  }

  // ---------------------------------------------------------------- foreign and re-signed tokens

  @Test
  void tokensFromAnotherDeployment_areUnauthorised() {
    Engine other = engine(SessionStores.inMemory(clock), true);
    Session foreign = other.createNewSession("alice", Map.of("role", "admin"), null);
    assertUnauthorised(foreign.getAccessToken());
    assertError(
        Type.UNAUTHORISED,
        () ->
            hallpass.refreshSession(
                foreign.getTokens().getRefreshToken(), foreign.getTokens().getAntiCsrfToken()));
    // its kid is unknown here even though both rings name keys the same way
    assertThat(hallpass.getJwks().getKeyIds())
        .doesNotContainAnyElementsOf(other.getJwks().getKeyIds());
  }

  @Test
  void payloadChanged_signatureKept_isUnauthorised() {
    Session s = login();
    String[] p = s.getAccessToken().split("\\.");
    Map<String, Object> claims = part(s.getAccessToken(), 1);
    for (Map.Entry<String, Object> change :
        List.<Map.Entry<String, Object>>of(
            Map.entry("sub", (Object) "admin"),
            Map.entry("role", "admin"),
            Map.entry("exp", START.getEpochSecond() + 999_999),
            Map.entry("tId", "other"))) {
      Map<String, Object> c = new LinkedHashMap<>(claims);
      c.put(change.getKey(), change.getValue());
      assertUnauthorised(p[0] + "." + b64(c) + "." + p[2]);
    }
    // the same claims, serialized differently (whitespace), are another signing input
    String spaced =
        B64.encodeToString(
            (" " + new String(Base64.getUrlDecoder().decode(p[1]), StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8));
    assertUnauthorised(p[0] + "." + spaced + "." + p[2]);
  }

  @Test
  void signatureFromAnotherToken_isUnauthorised() {
    Session alice = login();
    Session bob = hallpass.createNewSession("bob", null, null);
    String[] a = alice.getAccessToken().split("\\.");
    String[] b = bob.getAccessToken().split("\\.");
    assertUnauthorised(a[0] + "." + a[1] + "." + b[2]);
    assertUnauthorised(a[0] + "." + b[1] + "." + a[2]);
    assertUnauthorised(b[0] + "." + a[1] + "." + b[2]);
  }

  @Test
  void signatureInAnotherBase64Spelling_isUnauthorised() {
    // Found by AccessTokenFuzzTest: the unused low bits of the signature's last character and
    // '=' padding decoded to the same bytes, so one token had 17 accepted spellings.
    String token = login().getAccessToken();
    String[] p = token.split("\\.");
    char last = p[2].charAt(p[2].length() - 1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    int value = alphabet.indexOf(last);
    assertThat(value & 0x0f).as("the canonical spelling has zero unused bits").isZero();
    for (int low = 1; low < 16; low++) {
      String sig = p[2].substring(0, p[2].length() - 1) + alphabet.charAt(value | low);
      assertUnauthorised(p[0] + "." + p[1] + "." + sig);
    }
    assertUnauthorised(token + "==");
    assertUnauthorised(p[0] + "." + p[1] + "." + p[2].replace('-', '+').replace('_', '/'));
    assertThat(hallpass.getSession(token, null, false).getUserId()).isEqualTo("alice");
  }

  @Test
  void expWhoseMillisecondsOverflow_orBeyondAnInstant_isUnauthorised() {
    // Found by AccessTokenFuzzTest: exp * 1000 wrapped around, so a token that expired long ago
    // (exp = -9223372036854776) was accepted as unexpired; a far exp made getAccessTokenExpiry()
    // throw DateTimeException in every web layer. Needs a signature, so a signer's bug only.
    Session s = login();
    for (Object exp :
        List.<Object>of(
            -9_223_372_036_854_776L,
            99_999_999_999_999_999L,
            Long.MAX_VALUE,
            Long.MIN_VALUE,
            -1,
            1e300,
            new BigInteger("18446744073709551616")
                .add(BigInteger.valueOf(START.getEpochSecond() + 60)))) {
      Map<String, Object> claims = part(s.getAccessToken(), 1);
      claims.put("exp", exp);
      String signed = hallpass.tokens.signJwt(claims);
      assertUnauthorised(signed);
    }
  }

  @Test
  void createJWT_carryingSessionClaims_isRefused_andWithoutThemIsNoSession() {
    Session victim = login();
    for (String claim : Engine.SESSION_ONLY_CLAIMS) {
      Map<String, Object> p = new LinkedHashMap<>(part(victim.getAccessToken(), 1));
      p.keySet().retainAll(Set.of("sub", "tId", "rsub", claim));
      p.putIfAbsent(claim, "0".repeat(64));
      assertThatThrownBy(() -> hallpass.createJWT(p, Duration.ofMinutes(5)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(claim);
    }
    Map<String, Object> rest = new LinkedHashMap<>(part(victim.getAccessToken(), 1));
    rest.keySet().removeAll(Engine.SESSION_ONLY_CLAIMS);
    String jwt = hallpass.createJWT(rest, Duration.ofMinutes(5));
    assertUnauthorised(jwt);
  }

  // ---------------------------------------------------------------- sizes

  @Test
  void oversizedAccessToken_isRefusedBeforeParsing_andIssuedTokensStayUnder4000() {
    String token = login().getAccessToken();
    assertUnauthorised(token + "A".repeat(AccessTokens.MAX_VERIFIED_LENGTH));
    assertUnauthorised("A".repeat(10_000_000));
    String padded = "{" + " ".repeat(AccessTokens.MAX_VERIFIED_LENGTH) + "}";
    assertUnauthorised(
        B64.encodeToString(padded.getBytes(StandardCharsets.US_ASCII)) + ".e30.AAAA");
    // the biggest payload accepted still makes a token within the cookie limit, even refreshed
    Map<String, Object> big = Map.of("p", "x".repeat(Engine.MAX_PAYLOAD_JSON_LENGTH - 8));
    Session s = hallpass.createNewSession("alice", big, null);
    assertThat(s.getAccessToken().length()).isLessThanOrEqualTo(AccessTokens.MAX_ISSUED_LENGTH);
    Session r =
        hallpass.refreshSession(s.getTokens().getRefreshToken(), s.getTokens().getAntiCsrfToken());
    assertThat(r.getAccessToken().length()).isLessThanOrEqualTo(AccessTokens.MAX_ISSUED_LENGTH);
    assertThatThrownBy(
            () ->
                hallpass.createNewSession(
                    "u", Map.of("p", "x".repeat(Engine.MAX_PAYLOAD_JSON_LENGTH)), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jwtPayload");
  }

  @Test
  void oversizedRefreshAndAntiCsrfTokens_areUnauthorised() {
    Session s = login();
    String refresh = s.getTokens().getRefreshToken();
    assertError(
        Type.UNAUTHORISED, () -> hallpass.refreshSession(refresh + "A".repeat(1_000_000), null));
    assertError(Type.UNAUTHORISED, () -> hallpass.refreshSession(refresh, "A".repeat(1_000_000)));
    assertError(
        Type.TRY_REFRESH_TOKEN,
        () -> hallpass.getSession(s.getAccessToken(), "A".repeat(1_000_000), true));
  }

  // ---------------------------------------------------------------- refresh tokens

  @Test
  void forgedRefreshTokenNamingARealSession_isUnauthorised_andNeverRevokesIt() {
    Session s = login();
    byte[] raw = Base64.getUrlDecoder().decode(s.getTokens().getRefreshToken());
    SecureRandom random = new SecureRandom();
    for (int i = 0; i < 50; i++) {
      byte[] forged = raw.clone();
      random.nextBytes(forged); // keep version and handle, new secret and tag
      System.arraycopy(raw, 0, forged, 0, 17);
      assertError(
          Type.UNAUTHORISED,
          () -> hallpass.refreshSession(B64.encodeToString(forged), null, false));
    }
    assertThat(hallpass.getSessionInformation(s.getHandle()).getUserId()).isEqualTo("alice");
    assertThat(
            hallpass
                .refreshSession(s.getTokens().getRefreshToken(), s.getTokens().getAntiCsrfToken())
                .getUserId())
        .isEqualTo("alice");
  }

  // ---------------------------------------------------------------- session fixation

  @Test
  void sessionFixation_noHandleOrTokenIsEverReused_acrossManyCreationsAndRefreshes() {
    int n = 1_000;
    Set<String> handles = new HashSet<>();
    Set<String> secrets = new HashSet<>();
    for (int i = 0; i < n; i++) {
      // the same user, payload and data every time: nothing a client sends chooses a handle
      Session s = hallpass.createNewSession("alice", Map.of("role", "reader"), null);
      assertThat(handles.add(s.getHandle())).as("handle reused").isTrue();
      assertThat(secrets.add(s.getTokens().getRefreshToken())).as("refresh token reused").isTrue();
      assertThat(secrets.add(s.getTokens().getAntiCsrfToken())).as("anti-CSRF reused").isTrue();
      assertThat(secrets.add(s.getAccessToken())).as("access token reused").isTrue();
      if (i % 10 == 0) {
        Session r =
            hallpass.refreshSession(
                s.getTokens().getRefreshToken(), s.getTokens().getAntiCsrfToken());
        assertThat(r.getHandle()).isEqualTo(s.getHandle());
        assertThat(secrets.add(r.getTokens().getRefreshToken())).isTrue();
        assertThat(secrets.add(r.getTokens().getAntiCsrfToken())).isTrue();
      }
    }
    assertThat(hallpass.getAllSessionHandlesForUser("alice")).hasSize(n);
  }

  // ---------------------------------------------------------------- constant-time comparisons

  /**
   * Every comparison of a secret in main code, by file and the expression compared. A new {@code
   * .equals(} on a line naming a secret fails {@link
   * #secretComparisons_inMainSources_areConstantTime_orListedWithAReason} until it is listed here
   * with why it is safe, or rewritten with {@code MessageDigest.isEqual} / {@code
   * Crypto.secretEquals}.
   */
  private static final Map<String, String> NOT_SECRET_COMPARISONS =
      Map.of(
          "RefreshTokens.java: Crypto.B64URL.encodeToString(raw).equals(text)",
          "the presented token against its own re-encoding (canonical form): both are the caller's",
          "WebEngine.java: s.getAccessToken().equals(found.token())",
          "whether the token was re-issued; both are handed to this client anyway",
          "CoreDriverApi.java: s.getAccessToken().equals(accessToken)",
          "whether the token was re-issued; both are handed to this caller anyway",
          "InMemorySessionStore.java: k.kid().equals(key.kid())",
          "a key id, published in the JWKS",
          "InMemorySessionStore.java: (k.kid().equals(kid) && Crypto.secretEquals(k.privateKeyPkcs8(), expected))",
          "the key id is public; the private key is compared with secretEquals",
          "AccessTokens.java: Crypto.B64URL.encodeToString(signature).equals(encodedSignature))",
          "the presented signature against its own re-encoding (canonical form): both are the caller's",
          "AccessTokens.java: key.algorithm.name().equals(alg))",
          "an algorithm name from the token's header, not a secret",
          "JdbcSessionStores.java: m.equals(scrubCredentials(m, url, password)))",
          "whether scrubbing changed a message; only chooses which message to pass on",
          "BlacklistingBenchmark.java: Fixtures.engine(store).accessTokenBlacklisting(blacklisting.equals(\"on\"))",
          "a benchmark parameter");

  private static final Pattern SECRET_NAME =
      Pattern.compile(
          "(?i)(token|csrf|secret|password|apikey|api_key|hash|signature|privatekey|refreshkey|\\btag\\b|\\bkey\\b)");
  private static final Pattern EQUALS = Pattern.compile("([\\w.()\"]+)\\.equals\\(([^;{]*)\\)");

  @Test
  void secretComparisons_inMainSources_areConstantTime_orListedWithAReason() throws IOException {
    Path root = Path.of("").toAbsolutePath().getParent();
    List<Path> mains = new ArrayList<>();
    try (Stream<Path> modules = Files.list(root)) {
      modules
          .filter(m -> m.getFileName().toString().startsWith("hallpass-"))
          .map(m -> m.resolve("src/main/java"))
          .filter(Files::isDirectory)
          .forEach(mains::add);
    }
    assertThat(mains).as("main source trees").hasSizeGreaterThanOrEqualTo(5);
    List<String> offending = new ArrayList<>();
    Set<String> constantTime = new TreeSet<>();
    for (Path main : mains) {
      List<Path> files;
      try (Stream<Path> s = Files.walk(main)) {
        files = s.filter(f -> f.toString().endsWith(".java")).toList();
      }
      for (Path f : files) {
        List<String> lines = Files.readAllLines(f);
        for (int i = 0; i < lines.size(); i++) {
          String line = lines.get(i).trim();
          if (line.startsWith("*") || line.startsWith("//")) {
            continue;
          }
          if (line.contains("MessageDigest.isEqual(") || line.contains("secretEquals(")) {
            constantTime.add(f.getFileName() + ":" + (i + 1));
          }
          Matcher m = EQUALS.matcher(line);
          while (m.find()) {
            String site = f.getFileName() + ": " + m.group(0);
            String file = f.getFileName() + ": ";
            if (SECRET_NAME.matcher(m.group(0)).find()
                && NOT_SECRET_COMPARISONS.keySet().stream()
                    .noneMatch(
                        k ->
                            k.startsWith(file)
                                && m.group(0).contains(k.substring(file.length())))) {
              offending.add(site + "  (line " + (i + 1) + ")");
            }
          }
        }
      }
    }
    assertThat(offending).as("secrets compared with String.equals").isEmpty();
    // the known constant-time sites are still there (a refactoring that drops one shows up here)
    assertThat(constantTime.stream().map(s -> s.substring(0, s.indexOf(':'))).distinct())
        .contains(
            "RefreshTokens.java",
            "Refresher.java",
            "Engine.java",
            "TokenCache.java",
            "ApiKeys.java");
  }

  @Test
  void tokenCache_comparesTokensInConstantTime_andStillHits() {
    TokenCache cache = new TokenCache(16);
    Session s = login();
    AccessTokens.Verified v = hallpass.tokens.verify(s.getAccessToken());
    cache.put(v);
    assertThat(cache.get(new String(s.getAccessToken().toCharArray()))).isSameAs(v);
    String other = s.getAccessToken().substring(0, 10) + "X" + s.getAccessToken().substring(11);
    assertThat(cache.get(other)).isNull();
  }

  // ---------------------------------------------------------------- logs

  @Test
  void noSecretOrSessionData_inAnyLogLineOrExceptionMessage_ofAScriptedRun() {
    List<String> secrets = new ArrayList<>();
    List<String> messages = new ArrayList<>();
    // tests run inside the core's module, which does not read java.logging
    AttackTest.class
        .getModule()
        .addReads(ModuleLayer.boot().findModule("java.logging").orElseThrow());
    try (LogCapture logs = LogCapture.start()) {
      LogScript.run(clock, SessionStores.inMemory(clock), secrets, messages);
      assertThat(logs.lines()).as("the run logs something at the finest level").isNotEmpty();
      messages.addAll(logs.lines());
    }
    LogScript.assertNoSecretIn(messages, secrets);
  }
}
