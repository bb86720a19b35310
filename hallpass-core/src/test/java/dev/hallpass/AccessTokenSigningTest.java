package dev.hallpass;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallpass.HallpassException.Type;
import dev.hallpass.spi.SessionStore;
import dev.hallpass.spi.SigningKeyRecord;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HS256 signing: tokens and keys, keys pinned to their algorithm in both directions, switching a
 * deployment between modes on one store, key encryption of HMAC keys, and the key-creation race of
 * two processes starting at once on an empty store with clocks apart.
 */
class AccessTokenSigningTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration ACCESS = Duration.ofHours(1);
  private static final Duration REFRESH = Duration.ofDays(100);
  private static final Duration ROTATION = Duration.ofDays(7);

  private TestClock clock;
  private SessionStore store;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeEach
  void newStore() {
    clock = new TestClock(START);
    store = SessionStores.inMemory(clock);
  }

  @AfterEach
  void closeEngines() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    toClose.clear();
  }

  private Hallpass engine(
      SessionStore s, Clock engineClock, AccessTokenSigning signing, Consumer<Hallpass.Builder> x) {
    Hallpass.Builder b =
        Hallpass.builder()
            .store(s)
            .clock(engineClock)
            .accessTokenValidity(ACCESS)
            .refreshTokenValidity(REFRESH)
            .signingKeyRotationInterval(ROTATION)
            .accessTokenSigning(signing)
            .disableBackgroundCleanup();
    x.accept(b);
    Hallpass h = b.build();
    toClose.add(h);
    return h;
  }

  /** An engine on the test store; closing it would close the store, so tests never do. */
  private Hallpass engine(AccessTokenSigning signing) {
    return engine(unclosable(store), clock, signing, b -> {});
  }

  private static void assertError(Type type, ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            HallpassException.class,
            e -> assertThat(e.getType()).as(e.getMessage()).isEqualTo(type));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> part(String jwt, int index) throws Exception {
    return JSON.readValue(Base64.getUrlDecoder().decode(jwt.split("\\.")[index]), Map.class);
  }

  private static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static String b64(Map<String, Object> json) throws Exception {
    return b64(JSON.writeValueAsBytes(json));
  }

  private static String hmac(byte[] key, String input) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return b64(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
  }

  private static String rsa(String pkcs8Base64, String input) throws Exception {
    PrivateKey k =
        KeyFactory.getInstance("RSA")
            .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pkcs8Base64)));
    Signature s = Signature.getInstance("SHA256withRSA");
    s.initSign(k);
    s.update(input.getBytes(StandardCharsets.US_ASCII));
    return b64(s.sign());
  }

  private SigningKeyRecord storedKey(String kid) {
    return store.loadSigningKeys().stream()
        .filter(k -> k.kid().equals(kid))
        .findFirst()
        .orElseThrow();
  }

  private SigningKeyRecord anyStoredKey(boolean hmac) {
    return store.loadSigningKeys().stream()
        .filter(k -> k.publicKeyX509().equals(SigningKey.HMAC_PUBLIC_KEY_MARKER) == hmac)
        .findFirst()
        .orElseThrow();
  }

  /** A token with {@code header} over {@code payloadPart}, signed by {@code sign}. */
  private interface Signer {
    String sign(String input) throws Exception;
  }

  private static String token(Map<String, Object> header, String payloadPart, Signer sign)
      throws Exception {
    String input = b64(header) + "." + payloadPart;
    return input + "." + sign.sign(input);
  }

  // ---------------------------------------------------------------- HS256 tokens and keys

  @Test
  void hs256_createVerifyRefresh_issueHs256TokensSignedByTheStoredHmacKey() throws Exception {
    Hallpass h = engine(AccessTokenSigning.HS256);

    Session s = h.createNewSession("alice", Map.of("role", "admin"), null);
    Session refreshed = h.refreshSession(s.getTokens().getRefreshToken(), null);

    for (Session t : List.of(s, refreshed)) {
      Map<String, Object> header = part(t.getAccessToken(), 0);
      assertThat(header).containsEntry("alg", "HS256").containsEntry("typ", "JWT");
      assertThat(t.getAccessToken().split("\\.")[2]).hasSize(43); // 32 bytes, base64url
      SigningKeyRecord k = storedKey((String) header.get("kid"));
      assertThat(k.publicKeyX509()).isEqualTo("hmac:HS256");
      assertThat(k.kid()).startsWith("d-");
      byte[] secret = Base64.getDecoder().decode(k.privateKeyPkcs8());
      assertThat(secret).hasSize(32);
      String input = t.getAccessToken().substring(0, t.getAccessToken().lastIndexOf('.'));
      assertThat(hmac(secret, input)).isEqualTo(t.getAccessToken().split("\\.")[2]);
    }
    assertThat(h.getSession(refreshed.getAccessToken(), null, false).getUserId())
        .isEqualTo("alice");
  }

  @Test
  void hs256_jwksNeverListsHmacKeys_andCreateJwtIsRefused() throws Exception {
    Hallpass h = engine(AccessTokenSigning.HS256);
    h.createNewSession("alice", null, null);

    assertThat(store.loadSigningKeys()).hasSize(2); // current and next, both HMAC
    assertThat(h.getJwks().getKeyIds()).isEmpty();
    assertThat(h.getJwks().toJson()).isEqualTo("{\"keys\":[]}");
    assertThatThrownBy(() -> h.createJWT(Map.of("a", 1), Duration.ofMinutes(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("accessTokenSigning(RS256)");
  }

  @Test
  void hs256_keysRotateOnTheRsaTimeline_andRetireAfterTheirLastToken() throws Exception {
    Hallpass h = engine(AccessTokenSigning.HS256);
    Session first = h.createNewSession("alice", null, null);
    String firstKid = (String) part(first.getAccessToken(), 0).get("kid");

    clock.advance(ROTATION.minus(Duration.ofMinutes(30)));
    Session late = h.createNewSession("bob", null, null);
    clock.advance(Duration.ofMinutes(31)); // the next key signs now
    Session next = h.createNewSession("carol", null, null);
    String nextKid = (String) part(next.getAccessToken(), 0).get("kid");

    assertThat(nextKid).isNotEqualTo(firstKid);
    assertThat(storedKey(nextKid).generation()).isEqualTo(storedKey(firstKid).generation() + 1);
    assertThat(h.getSession(late.getAccessToken(), null, false).getUserId()).isEqualTo("bob");
    assertThat(store.loadSigningKeys()).hasSize(3); // the one after next is stored already

    clock.advance(ACCESS);
    h.cleanUp();
    assertThat(store.loadSigningKeys()).extracting(SigningKeyRecord::kid).doesNotContain(firstKid);
    assertError(Type.UNAUTHORISED, () -> h.getSession(late.getAccessToken(), null, false));
  }

  // ---------------------------------------------------------------- keys pinned to algorithms

  /** A store holding an RSA and an HMAC key, and a token of each. */
  private Session[] tokensOfBothAlgorithms() {
    Session rs = engine(AccessTokenSigning.RS256).createNewSession("alice", null, null);
    Session hs = engine(AccessTokenSigning.HS256).createNewSession("alice", null, null);
    return new Session[] {rs, hs};
  }

  @Test
  void rsaKey_neverVerifiesAnHmacToken_evenOneMadeWithTheRealHmacKey() throws Exception {
    Session[] t = tokensOfBothAlgorithms();
    Hallpass verifier = engine(AccessTokenSigning.RS256);
    String rsaKid = (String) part(t[0].getAccessToken(), 0).get("kid");
    SigningKeyRecord rsaKey = storedKey(rsaKid);
    byte[] hmacSecret = Base64.getDecoder().decode(anyStoredKey(true).privateKeyPkcs8());
    String payload = t[0].getAccessToken().split("\\.")[1];
    Map<String, Object> header = new LinkedHashMap<>(part(t[0].getAccessToken(), 0));
    header.put("alg", "HS256"); // an RSA kid with HS256

    for (byte[] secret :
        new byte[][] {
          hmacSecret, // the store's real HMAC key
          rsaKey.publicKeyX509().getBytes(StandardCharsets.UTF_8), // the public key as secret
          Base64.getDecoder().decode(rsaKey.publicKeyX509()),
          verifier.getJwks().toJson().getBytes(StandardCharsets.UTF_8)
        }) {
      String forged = token(header, payload, in -> hmac(secret, in));
      assertError(Type.UNAUTHORISED, () -> verifier.getSession(forged, null, false));
    }
    // The genuine tokens of both algorithms verify on the same engine.
    assertThat(verifier.getSession(t[0].getAccessToken(), null, false).getUserId())
        .isEqualTo("alice");
    assertThat(verifier.getSession(t[1].getAccessToken(), null, false).getUserId())
        .isEqualTo("alice");
  }

  @Test
  void hmacKey_neverVerifiesAnRsaToken_evenOneMadeWithTheRealRsaKey() throws Exception {
    Session[] t = tokensOfBothAlgorithms();
    Hallpass verifier = engine(AccessTokenSigning.HS256);
    String hmacKid = (String) part(t[1].getAccessToken(), 0).get("kid");
    String rsaPrivate = anyStoredKey(false).privateKeyPkcs8();
    byte[] hmacSecret = Base64.getDecoder().decode(storedKey(hmacKid).privateKeyPkcs8());
    String payload = t[1].getAccessToken().split("\\.")[1];
    Map<String, Object> header = new LinkedHashMap<>(part(t[1].getAccessToken(), 0));
    header.put("alg", "RS256"); // an HMAC kid with RS256

    String rsaSigned = token(header, payload, in -> rsa(rsaPrivate, in));
    assertError(Type.UNAUTHORISED, () -> verifier.getSession(rsaSigned, null, false));
    String hmacSigned = token(header, payload, in -> hmac(hmacSecret, in));
    assertError(Type.UNAUTHORISED, () -> verifier.getSession(hmacSigned, null, false));
    String oldSignature = b64(header) + "." + payload + "." + t[1].getAccessToken().split("\\.")[2];
    assertError(Type.UNAUTHORISED, () -> verifier.getSession(oldSignature, null, false));
  }

  @Test
  void hs256Token_withAlgNoneOrCaseVariants_isUnauthorised_evenWithAValidMac() throws Exception {
    Hallpass h = engine(AccessTokenSigning.HS256);
    Session s = h.createNewSession("alice", null, null);
    String kid = (String) part(s.getAccessToken(), 0).get("kid");
    byte[] secret = Base64.getDecoder().decode(storedKey(kid).privateKeyPkcs8());
    String payload = s.getAccessToken().split("\\.")[1];

    for (String alg : new String[] {"none", "None", "hs256", "Hs256", "HS256 ", "HS512", ""}) {
      Map<String, Object> header = new LinkedHashMap<>(part(s.getAccessToken(), 0));
      header.put("alg", alg);
      String valid = token(header, payload, in -> hmac(secret, in));
      assertError(Type.UNAUTHORISED, () -> h.getSession(valid, null, false));
      String unsigned = b64(header) + "." + payload + ".";
      assertError(Type.UNAUTHORISED, () -> h.getSession(unsigned, null, false));
    }
    Map<String, Object> noAlg = new LinkedHashMap<>(part(s.getAccessToken(), 0));
    noAlg.remove("alg");
    String withoutAlg = token(noAlg, payload, in -> hmac(secret, in));
    assertError(Type.UNAUTHORISED, () -> h.getSession(withoutAlg, null, false));
    // The same construction with the real header verifies: the refusals above are the header's.
    String genuine = token(part(s.getAccessToken(), 0), payload, in -> hmac(secret, in));
    assertThat(h.getSession(genuine, null, false).getUserId()).isEqualTo("alice");
  }

  @Test
  void hs256Token_withTamperedPayloadOrTruncatedMac_isUnauthorised() throws Exception {
    Hallpass h = engine(AccessTokenSigning.HS256);
    String t = h.createNewSession("alice", null, null).getAccessToken();
    String[] parts = t.split("\\.");
    Map<String, Object> claims = part(t, 1);
    claims.put("sub", "mallory");

    for (String bad :
        new String[] {
          parts[0] + "." + b64(claims) + "." + parts[2],
          parts[0] + "." + parts[1] + "." + parts[2].substring(0, 42),
          parts[0] + "." + parts[1] + "." + parts[2] + "AA",
          parts[0] + "." + parts[1] + "." + b64(new byte[32])
        }) {
      assertError(Type.UNAUTHORISED, () -> h.getSession(bad, null, false));
    }
  }

  @Test
  void hs256TokenOfAForeignStore_isUnauthorised() {
    Hallpass stranger =
        engine(SessionStores.inMemory(clock), clock, AccessTokenSigning.HS256, b -> {});
    String foreign = stranger.createNewSession("alice", null, null).getAccessToken();

    Hallpass h = engine(AccessTokenSigning.HS256);
    assertError(Type.UNAUTHORISED, () -> h.getSession(foreign, null, false));
  }

  // ---------------------------------------------------------------- switching modes

  @Test
  void switchingRs256ToHs256AndBack_keepsAcceptingOldTokensUntilTheyExpire() throws Exception {
    Hallpass rs = engine(AccessTokenSigning.RS256);
    Session a = rs.createNewSession("alice", null, null);
    List<String> rsaKids = rs.getJwks().getKeyIds();

    clock.advance(Duration.ofMinutes(10));
    Hallpass hs = engine(AccessTokenSigning.HS256); // restarted in HS256 on the same store
    assertThat(hs.getSession(a.getAccessToken(), null, false).getUserId()).isEqualTo("alice");
    assertThat(hs.getJwks().getKeyIds()).isEqualTo(rsaKids); // old RSA keys, no HMAC key
    Session b = hs.createNewSession("bob", null, null);
    Session aRefreshed = hs.refreshSession(a.getTokens().getRefreshToken(), null);
    assertThat(part(b.getAccessToken(), 0)).containsEntry("alg", "HS256");
    assertThat(part(aRefreshed.getAccessToken(), 0)).containsEntry("alg", "HS256");

    clock.advance(Duration.ofMinutes(10));
    Hallpass rsAgain = engine(AccessTokenSigning.RS256); // and back
    assertThat(rsAgain.getSession(b.getAccessToken(), null, false).getUserId()).isEqualTo("bob");
    Session c = rsAgain.createNewSession("carol", null, null);
    assertThat(part(c.getAccessToken(), 0)).containsEntry("alg", "RS256");
    assertThat(rsAgain.getJwks().getKeyIds()).isEqualTo(rsaKids); // the same RSA chain
    Session bRefreshed = rsAgain.refreshSession(b.getTokens().getRefreshToken(), null);
    assertThat(part(bRefreshed.getAccessToken(), 0)).containsEntry("alg", "RS256");

    // a expires 60 minutes after its creation, b 60 minutes after its own: both fail then.
    clock.advance(Duration.ofMinutes(41));
    assertError(Type.TRY_REFRESH_TOKEN, () -> hs.getSession(a.getAccessToken(), null, false));
    assertThat(rsAgain.getSession(b.getAccessToken(), null, false).getUserId()).isEqualTo("bob");
    clock.advance(Duration.ofMinutes(10));
    assertError(Type.TRY_REFRESH_TOKEN, () -> rsAgain.getSession(b.getAccessToken(), null, false));
  }

  @Test
  void switchingModes_keepsOneKeyPerGenerationAndAChainPerAlgorithm() {
    engine(AccessTokenSigning.RS256).createNewSession("alice", null, null);
    engine(AccessTokenSigning.HS256).createNewSession("alice", null, null);
    engine(AccessTokenSigning.RS256).createNewSession("alice", null, null);

    List<SigningKeyRecord> keys = store.loadSigningKeys();
    assertThat(keys).extracting(SigningKeyRecord::generation).containsExactly(0L, 1L, 2L, 3L);
    assertThat(keys)
        .extracting(k -> SigningKey.algorithmOf(k))
        .containsExactly(
            AccessTokenSigning.RS256,
            AccessTokenSigning.RS256,
            AccessTokenSigning.HS256,
            AccessTokenSigning.HS256);
  }

  // ---------------------------------------------------------------- key encryption

  @Test
  void hs256WithKeyEncryption_storesTheHmacKeyWrapped_andAnEngineWithoutItRefusesIt() {
    KeyEncryptionKey kek = KeyWrappingTest.newKek();
    Hallpass h =
        engine(unclosable(store), clock, AccessTokenSigning.HS256, b -> b.keyEncryption(kek));
    Session s = h.createNewSession("alice", null, null);

    for (SigningKeyRecord k : store.loadSigningKeys()) {
      assertThat(k.publicKeyX509()).isEqualTo("hmac:HS256");
      assertThat(k.privateKeyPkcs8()).startsWith(KeyWrapping.PREFIX + kek.id() + ":");
    }
    assertThat(h.getSession(s.getAccessToken(), null, false).getUserId()).isEqualTo("alice");
    Hallpass restarted =
        engine(unclosable(store), clock, AccessTokenSigning.HS256, b -> b.keyEncryption(kek));
    assertThat(restarted.getSession(s.getAccessToken(), null, false).getUserId())
        .isEqualTo("alice");
    assertThatThrownBy(() -> engine(AccessTokenSigning.HS256))
        .isInstanceOfSatisfying(
            HallpassException.class, e -> assertThat(e.getType()).isEqualTo(Type.GENERAL_ERROR));
  }

  @Test
  void hs256WithKeyEncryption_aMarkerChangedInTheStore_makesTheKeyUnreadable() {
    KeyEncryptionKey kek = KeyWrappingTest.newKek();
    engine(unclosable(store), clock, AccessTokenSigning.RS256, b -> b.keyEncryption(kek));
    SigningKeyRecord rsa = store.loadSigningKeys().get(0);
    SessionStore tampered = SessionStores.inMemory(clock);
    // The RSA key's wrapped private key under the HMAC marker: the associated data differs.
    tampered.insertSigningKey(
        new SigningKeyRecord(
            rsa.kid(),
            rsa.generation(),
            rsa.privateKeyPkcs8(),
            "hmac:HS256",
            rsa.createdAt(),
            rsa.signsFrom(),
            rsa.signsUntil()));

    assertThatThrownBy(
            () -> engine(tampered, clock, AccessTokenSigning.HS256, b -> b.keyEncryption(kek)))
        .isInstanceOfSatisfying(
            HallpassException.class, e -> assertThat(e.getType()).isEqualTo(Type.GENERAL_ERROR));
  }

  // ---------------------------------------------------------------- the key-creation race

  /**
   * Two processes start at once on an empty store; the one whose clock is behind loses the insert
   * of generation 0 to the one ahead, whose key signs from the later time. Before the fix the loser
   * looked for a key signing at its own, earlier, time, found none and failed with "no signing key
   * could be created".
   */
  @Test
  void twoEnginesStartingOnAnEmptyStore_theLoserWithAnEarlierClock_usesTheWinnersKey() {
    for (AccessTokenSigning signing : AccessTokenSigning.values()) {
      SessionStore shared = SessionStores.inMemory(clock);
      Clock ahead = Clock.offset(clock, Duration.ofSeconds(5));
      // The loser's first insert of a key runs only after the winner has started completely.
      SessionStore loserView =
          beforeFirstKeyInsert(shared, () -> engine(unclosable(shared), ahead, signing, b -> {}));

      Hallpass loser = engine(loserView, clock, signing, b -> {});

      assertThat(shared.loadSigningKeys()).hasSize(2);
      Session s = loser.createNewSession("alice", null, null);
      assertThat(storedKey(shared, (String) headerOf(s).get("kid")).generation()).isZero();
      assertThat(loser.getSession(s.getAccessToken(), null, false).getUserId()).isEqualTo("alice");
    }
  }

  /**
   * A process started after another whose clock was ahead finds only keys whose periods begin later
   * than its own time: it signs with the first of them rather than adding a generation.
   */
  @Test
  void engineBehindTheKeysStartTime_signsWithTheFirstStoredKey_andAddsNone() {
    engine(
            unclosable(store),
            Clock.offset(clock, Duration.ofMinutes(2)),
            AccessTokenSigning.HS256,
            b -> {})
        .createNewSession("alice", null, null);
    List<SigningKeyRecord> before = store.loadSigningKeys();

    Hallpass behind = engine(AccessTokenSigning.HS256);
    Session s = behind.createNewSession("bob", null, null);

    assertThat(store.loadSigningKeys())
        .extracting(SigningKeyRecord::kid)
        .isEqualTo(before.stream().map(SigningKeyRecord::kid).toList());
    assertThat(headerOf(s)).containsEntry("kid", before.get(0).kid());
  }

  private static Map<String, Object> headerOf(Session s) {
    try {
      return part(s.getAccessToken(), 0);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static SigningKeyRecord storedKey(SessionStore s, String kid) {
    return s.loadSigningKeys().stream().filter(k -> k.kid().equals(kid)).findFirst().orElseThrow();
  }

  /** {@code s}, whose first insertSigningKey call runs {@code first} before going on. */
  private static SessionStore beforeFirstKeyInsert(SessionStore s, Runnable first) {
    boolean[] done = {false};
    return (SessionStore)
        Proxy.newProxyInstance(
            SessionStore.class.getClassLoader(),
            new Class<?>[] {SessionStore.class},
            (proxy, method, args) -> {
              if (method.getName().equals("insertSigningKey") && !done[0]) {
                done[0] = true;
                first.run();
              }
              if (method.getName().equals("close")) {
                return null;
              }
              try {
                return method.invoke(s, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  /** {@code s} whose close() does nothing, so that engines closed by the test keep it open. */
  private static SessionStore unclosable(SessionStore s) {
    return (SessionStore)
        Proxy.newProxyInstance(
            SessionStore.class.getClassLoader(),
            new Class<?>[] {SessionStore.class},
            (proxy, method, args) -> {
              if (method.getName().equals("close")) {
                return null;
              }
              try {
                return method.invoke(s, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }
}
