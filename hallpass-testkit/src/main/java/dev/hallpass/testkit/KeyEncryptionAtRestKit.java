package dev.hallpass.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallpass.Hallpass;
import dev.hallpass.HallpassException;
import dev.hallpass.HallpassException.Type;
import dev.hallpass.KeyEncryptionKey;
import dev.hallpass.Session;
import dev.hallpass.spi.SessionStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Key encryption on a real store, read back as an attacker with the database would: with encryption
 * on, no stored value works as a signing key or a refresh key, while sessions work; with it off
 * (the control that shows these checks can fail) the stored values forge tokens; rotation from one
 * key-encryption key to the next and migration from plaintext rewrite the stored rows.
 *
 * <p>Subclasses give the store and read its values as they are stored (plain JDBC for the SQL
 * stores, a plain connection for Redis). A store passes only if it keeps what it is given: the
 * encryption itself is the engine's.
 */
public abstract class KeyEncryptionAtRestKit {
  private static final Instant START = Instant.parse("2026-03-01T00:00:00Z");
  private static final String KEK1_TEXT = newKeyText();
  private static final String KEK2_TEXT = newKeyText();
  private static final KeyEncryptionKey KEK1 = KeyEncryptionKey.fromBase64(KEK1_TEXT);
  private static final KeyEncryptionKey KEK2 = KeyEncryptionKey.fromBase64(KEK2_TEXT);

  private final MutableClock clock = new MutableClock(START);
  private final List<Hallpass> engines = new ArrayList<>();

  /** A new store on an empty database, with {@code clock} as its refresh clock. */
  protected abstract SessionStore newStore(Clock clock);

  /** Another store on the database of the last {@link #newStore} (a restarted process). */
  protected abstract SessionStore storeOnSameDatabase(Clock clock);

  /** A session's refresh key as stored, read past the SPI where the store allows. */
  protected abstract String rawRefreshKey(String handle) throws Exception;

  /** Every signing key's private key as stored, by kid. */
  protected abstract Map<String, String> rawPrivateKeys() throws Exception;

  private static String newKeyText() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return Base64.getEncoder().encodeToString(b);
  }

  @AfterEach
  public void closeEngines() {
    for (int i = engines.size() - 1; i >= 0; i--) {
      engines.get(i).close();
    }
    engines.clear();
  }

  private Hallpass engine(SessionStore store, KeyEncryptionKey primary, KeyEncryptionKey... older) {
    Hallpass.Builder b =
        Hallpass.builder()
            .store(store)
            .clock(clock)
            .accessTokenValidity(Duration.ofHours(1))
            .refreshTokenValidity(Duration.ofDays(30))
            .verifiedTokenCacheSize(0)
            .disableBackgroundCleanup();
    if (primary != null) {
      b.keyEncryption(primary, older);
    }
    Hallpass h = b.build();
    engines.add(h);
    return h;
  }

  private static Session refresh(Hallpass h, Session s) {
    return h.refreshSession(s.getTokens().getRefreshToken(), null);
  }

  private static Session verify(Hallpass h, Session s) {
    return h.getSession(s.getAccessToken(), null, false);
  }

  private static String kekId(String stored) {
    String[] parts = stored.split(":");
    return parts.length == 3 && parts[0].equals("hpkek1") ? parts[1] : null;
  }

  // ---------------------------------------------------------------- at rest

  @Test
  public void encryptionOn_storedKeysForgeNothing_whileSessionsWork() throws Exception {
    Hallpass h = engine(newStore(clock), KEK1);
    Session alice = h.createNewSession("alice", Map.of("role", "reader"), Map.of("cart", 1));
    clock.advance(Duration.ofMinutes(1));
    Session refreshed = refresh(h, alice);
    assertThat(verify(h, refreshed).getUserId()).isEqualTo("alice");

    String storedRefreshKey = rawRefreshKey(alice.getHandle());
    assertThat(kekId(storedRefreshKey)).isEqualTo(KEK1.id());
    List<byte[]> candidates = StoredKeyForgery.candidateKeys(storedRefreshKey);
    assertThat(candidates).isNotEmpty();
    for (byte[] candidate : candidates) {
      String forged =
          StoredKeyForgery.forgeRefreshToken(refreshed.getTokens().getRefreshToken(), candidate);
      // Not taken for a token the engine issued: a forgery (UNAUTHORISED), not a replay (theft).
      assertThatThrownBy(() -> h.refreshSession(forged, null))
          .isInstanceOfSatisfying(
              HallpassException.class, e -> assertThat(e.getType()).isEqualTo(Type.UNAUTHORISED));
    }

    Map<String, String> privateKeys = rawPrivateKeys();
    assertThat(privateKeys).hasSizeGreaterThanOrEqualTo(2);
    for (Map.Entry<String, String> e : privateKeys.entrySet()) {
      assertThat(kekId(e.getValue())).as(e.getKey()).isEqualTo(KEK1.id());
      for (byte[] candidate : StoredKeyForgery.candidateKeys(e.getValue())) {
        assertThat(StoredKeyForgery.parsePrivateKey(candidate)).as(e.getKey()).isEmpty();
      }
    }

    // The session is untouched by the attempts and goes on.
    clock.advance(Duration.ofMinutes(1));
    Session next = refresh(h, refreshed);
    assertThat(verify(h, next).getUserId()).isEqualTo("alice");
    assertThat(h.getSessionData(alice.getHandle())).isEqualTo(Map.of("cart", 1));
  }

  @Test
  public void encryptionOff_storedKeysForgeTokens_theControlForTheTestAbove() throws Exception {
    Hallpass h = engine(newStore(clock), null);
    Session alice = h.createNewSession("alice", Map.of(), Map.of());

    Optional<PrivateKey> signer = Optional.empty();
    String kid = accessTokenKid(alice.getAccessToken());
    for (byte[] candidate : StoredKeyForgery.candidateKeys(rawPrivateKeys().get(kid))) {
      signer = signer.or(() -> StoredKeyForgery.parsePrivateKey(candidate));
    }
    assertThat(signer).isPresent();
    String forgedAccess =
        StoredKeyForgery.forgeAccessToken(alice.getAccessToken(), signer.get(), "alice", "mallory");
    assertThat(h.getSession(forgedAccess, null, false).getUserId()).isEqualTo("mallory");

    byte[] refreshKey = Base64.getUrlDecoder().decode(rawRefreshKey(alice.getHandle()));
    String forgedRefresh =
        StoredKeyForgery.forgeRefreshToken(alice.getTokens().getRefreshToken(), refreshKey);
    // Taken for a genuine old token: the engine revokes the session (anyone's, at will).
    assertThatThrownBy(() -> h.refreshSession(forgedRefresh, null))
        .isInstanceOfSatisfying(
            HallpassException.class,
            e -> assertThat(e.getType()).isEqualTo(Type.TOKEN_THEFT_DETECTED));
  }

  private static String accessTokenKid(String jwt) {
    String header =
        new String(
            Base64.getUrlDecoder().decode(jwt.substring(0, jwt.indexOf('.'))),
            java.nio.charset.StandardCharsets.UTF_8);
    int i = header.indexOf("\"kid\":\"") + 7;
    return header.substring(i, header.indexOf('"', i));
  }

  // ---------------------------------------------------------------- rotation and migration

  @Test
  public void rotation_fromKek1ToKek2_rewrapsTheStoredRows() throws Exception {
    Hallpass old = engine(newStore(clock), KEK1);
    Session active = old.createNewSession("alice", Map.of(), Map.of());
    Session idle = old.createNewSession("bob", Map.of(), Map.of());
    clock.advance(Duration.ofMinutes(1));

    Hallpass rotated = engine(storeOnSameDatabase(clock), KEK2, KEK1);

    assertThat(rawPrivateKeys().values()).extracting(v -> kekId(v)).containsOnly(KEK2.id());
    assertThat(verify(rotated, active).getUserId()).isEqualTo("alice");
    Session next = refresh(rotated, active);
    assertThat(kekId(rawRefreshKey(active.getHandle()))).isEqualTo(KEK2.id());
    assertThat(kekId(rawRefreshKey(idle.getHandle()))).isEqualTo(KEK1.id());

    Hallpass kek2Only = engine(storeOnSameDatabase(clock), KEK2);
    clock.advance(Duration.ofMinutes(1));
    assertThat(verify(kek2Only, refresh(kek2Only, next)).getUserId()).isEqualTo("alice");
    assertThatThrownBy(() -> refresh(kek2Only, idle))
        .isInstanceOfSatisfying(
            HallpassException.class,
            e -> {
              assertThat(e.getType()).isEqualTo(Type.GENERAL_ERROR);
              assertThat(e.getMessage()).contains("'" + KEK1.id() + "', which is not configured");
            });
  }

  @Test
  public void migration_fromPlaintext_rewrapsTheStoredRows() throws Exception {
    Hallpass plain = engine(newStore(clock), null);
    Session alice = plain.createNewSession("alice", Map.of(), Map.of());
    assertThat(rawRefreshKey(alice.getHandle())).doesNotContain(":");
    clock.advance(Duration.ofMinutes(1));

    Hallpass on = engine(storeOnSameDatabase(clock), KEK1);

    assertThat(rawPrivateKeys().values()).extracting(v -> kekId(v)).containsOnly(KEK1.id());
    Session next = refresh(on, alice);
    assertThat(kekId(rawRefreshKey(alice.getHandle()))).isEqualTo(KEK1.id());
    assertThat(verify(on, next).getUserId()).isEqualTo("alice");
    assertThatThrownBy(() -> engine(storeOnSameDatabase(clock), null))
        .isInstanceOfSatisfying(
            HallpassException.class,
            e -> {
              assertThat(e.getType()).isEqualTo(Type.GENERAL_ERROR);
              assertThat(e.getMessage()).contains("keyEncryption");
            });
  }

  // ---------------------------------------------------------------- logs

  @Test
  public void logs_atEveryLevel_neverShowAKeyEncryptionKeyOrAStoredKey() throws Exception {
    List<String> logged = Collections.synchronizedList(new ArrayList<>());
    Logger root = Logger.getLogger("");
    Level level = root.getLevel();
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            // Hallpass's own loggers: a JDBC driver at FINEST logs bound values (pgjdbc does),
            // which is the driver's logging configuration to cap, not Hallpass's to avoid.
            if (r.getLoggerName() == null || !r.getLoggerName().startsWith("dev.hallpass")) {
              return;
            }
            StringBuilder b = new StringBuilder(new SimpleFormatter().format(r));
            for (Throwable t = r.getThrown(); t != null; t = t.getCause()) {
              b.append(t);
            }
            logged.add(b.toString());
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    capture.setLevel(Level.ALL);
    root.setLevel(Level.ALL);
    root.addHandler(capture);
    List<String> secrets = new ArrayList<>();
    try {
      Hallpass plain = engine(newStore(clock), null);
      Session s = plain.createNewSession("alice", Map.of(), Map.of());
      secrets.add(rawRefreshKey(s.getHandle()));
      secrets.addAll(rawPrivateKeys().values());
      clock.advance(Duration.ofMinutes(1));
      Hallpass one = engine(storeOnSameDatabase(clock), KEK1); // migration: re-wraps, logs it
      secrets.addAll(rawPrivateKeys().values());
      Session next = refresh(one, s);
      secrets.add(rawRefreshKey(s.getHandle()));
      clock.advance(Duration.ofMinutes(1));
      Hallpass two = engine(withoutRewrap(storeOnSameDatabase(clock)), KEK2, KEK1);
      refresh(two, next); // warns that the store cannot re-encrypt
      assertThatThrownBy(() -> engine(storeOnSameDatabase(clock), KEK2))
          .isInstanceOf(HallpassException.class);
    } finally {
      root.removeHandler(capture);
      root.setLevel(level);
    }
    assertThat(logged).anySatisfy(l -> assertThat(l).contains(KEK1.id()));
    assertThat(logged).anySatisfy(l -> assertThat(l).contains("cannot re-encrypt"));
    List<String> forbidden = new ArrayList<>(List.of(KEK1_TEXT, KEK2_TEXT));
    for (String secret : secrets) {
      forbidden.add(secret.substring(secret.length() - 24)); // any long enough piece of it
    }
    for (String line : logged) {
      for (String f : forbidden) {
        assertThat(line).doesNotContain(f);
      }
    }
  }

  /** The store as one written before the re-encryption methods existed (their defaults). */
  private static SessionStore withoutRewrap(SessionStore delegate) {
    return (SessionStore)
        Proxy.newProxyInstance(
            SessionStore.class.getClassLoader(),
            new Class<?>[] {SessionStore.class},
            (proxy, method, args) -> {
              if (method.getName().startsWith("replace")) {
                throw new UnsupportedOperationException(method.getName());
              }
              try {
                return method.invoke(delegate, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  // The stores' compare-and-set (replaceRefreshKey, replaceSigningPrivateKey) is tested on every
  // store by the compatibility kit (SessionStoreCompatibilityKit).

}
