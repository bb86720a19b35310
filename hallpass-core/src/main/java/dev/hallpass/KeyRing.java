package dev.hallpass;

import dev.hallpass.spi.SessionStore;
import dev.hallpass.spi.SigningKeyRecord;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.RSAKeyGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The in-memory set of signing keys, kept in step with the store.
 *
 * <p>Readers never lock: they read an immutable snapshot. The store holds one key per generation;
 * whoever finds the next generation missing creates it, and a lost race just reloads. The next key
 * is stored while the current one still signs, so it is in every process's JWKS long before its
 * first token.
 */
final class KeyRing {
  private static final System.Logger LOG = System.getLogger(KeyRing.class.getName());

  /** Unknown key ids make us re-read the store at most this often (they may be forged). */
  private static final long UNKNOWN_KID_RELOAD_NANOS = TimeUnit.SECONDS.toNanos(2);

  private final SessionStore store;
  private final Clock clock;
  private final SecureRandom random;
  private final Duration rotation;
  private final Duration accessValidity;
  private final KeyWrapping wrapping;

  /** Set once the store has refused to re-wrap (a store without that method): stop asking. */
  private boolean rewrapUnsupported;

  private volatile Snapshot snapshot = new Snapshot(List.of());
  private volatile long lastUnknownKidReload = System.nanoTime() - UNKNOWN_KID_RELOAD_NANOS;

  private static final class Snapshot {
    final List<SigningKey> keys;
    final Map<String, SigningKey> byKid;

    Snapshot(List<SigningKey> keys) {
      this.keys = List.copyOf(keys);
      Map<String, SigningKey> m = new HashMap<>();
      for (SigningKey k : keys) {
        m.put(k.kid, k);
      }
      this.byKid = Map.copyOf(m);
    }

    SigningKey signerAt(Instant now) {
      SigningKey best = null;
      for (SigningKey k : keys) {
        if (k.signsAt(now) && (best == null || k.generation > best.generation)) {
          best = k;
        }
      }
      return best;
    }

    boolean hasGeneration(long g) {
      for (SigningKey k : keys) {
        if (k.generation == g) {
          return true;
        }
      }
      return false;
    }
  }

  KeyRing(
      SessionStore store,
      Clock clock,
      SecureRandom random,
      Duration rotation,
      Duration accessValidity) {
    this(store, clock, random, rotation, accessValidity, KeyWrapping.disabled());
  }

  KeyRing(
      SessionStore store,
      Clock clock,
      SecureRandom random,
      Duration rotation,
      Duration accessValidity,
      KeyWrapping wrapping) {
    this.wrapping = wrapping;
    this.store = store;
    this.clock = clock;
    this.random = random;
    this.rotation = rotation;
    this.accessValidity = accessValidity;
  }

  /** The key to sign with now; creates the current and next keys in the store when missing. */
  SigningKey signingKey() {
    Instant now = clock.instant();
    Snapshot s = snapshot;
    SigningKey k = s.signerAt(now);
    if (k != null && s.hasGeneration(k.generation + 1)) {
      return k;
    }
    synchronized (this) {
      return ensureKeys(now);
    }
  }

  /** The key with this id if it may still verify tokens; null for an unknown or retired id. */
  SigningKey verificationKey(String kid) {
    SigningKey k = snapshot.byKid.get(kid);
    if (k == null) {
      long t = System.nanoTime();
      if (t - lastUnknownKidReload >= UNKNOWN_KID_RELOAD_NANOS) {
        lastUnknownKidReload = t;
        synchronized (this) {
          reload();
        }
        k = snapshot.byKid.get(kid);
      }
    }
    return k;
  }

  JsonWebKeySet jwks() {
    Instant now = clock.instant();
    SigningKey signer = signingKey();
    List<Map<String, Object>> keys = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (SigningKey k : snapshot.keys) {
      if (now.isBefore(k.signsUntil.plus(accessValidity))) {
        keys.add(k.jwk());
        ids.add(k.kid);
      }
    }
    return new JsonWebKeySet(Json.writeInternal(Map.of("keys", keys)), ids, signer.signsUntil);
  }

  /**
   * Deletes keys whose last token has expired and re-reads the store, so that a key an operator
   * deleted (say, after a leak) stops verifying here too, cached tokens included. Returns how many
   * keys this call deleted.
   */
  int retireOldKeys() {
    int n = store.deleteSigningKeysRetiredBefore(clock.instant().minus(accessValidity));
    synchronized (this) {
      reload();
    }
    return n;
  }

  private SigningKey ensureKeys(Instant now) {
    reload();
    SigningKey current = snapshot.signerAt(now);
    if (current == null) {
      long gen =
          snapshot.keys.isEmpty() ? 0 : snapshot.keys.get(snapshot.keys.size() - 1).generation + 1;
      store.insertSigningKey(newKey(gen, now, now.plus(rotation)));
      reload();
      current = snapshot.signerAt(now);
      if (current == null) {
        throw HallpassException.generalError("no signing key could be created", null);
      }
    }
    if (!snapshot.hasGeneration(current.generation + 1)) {
      store.insertSigningKey(
          newKey(current.generation + 1, current.signsUntil, current.signsUntil.plus(rotation)));
      reload();
    }
    return current;
  }

  private void reload() {
    List<SigningKey> loaded = new ArrayList<>();
    Map<String, SigningKey> old = snapshot.byKid;
    for (SigningKeyRecord r : store.loadSigningKeys()) {
      SigningKey existing = old.get(r.kid());
      loaded.add(existing != null ? existing : new SigningKey(r, wrapping));
      if (!wrapping.isCurrent(r.privateKeyPkcs8())) {
        rewrap(r);
      }
    }
    loaded.sort(Comparator.comparingLong(k -> k.generation));
    Snapshot next = new Snapshot(loaded);
    for (SigningKey k : old.values()) {
      if (!next.byKid.containsKey(k.kid)) {
        k.retired = true;
      }
    }
    snapshot = next;
  }

  /**
   * Stores a key's private key wrapped under the primary KEK: it was plaintext (stored before
   * encryption was turned on) or wrapped under an older KEK. A failure only delays it to the next
   * reload; the key in memory is unaffected.
   */
  private void rewrap(SigningKeyRecord r) {
    if (!wrapping.enabled() || rewrapUnsupported) {
      return; // off: a wrapped key has already failed to load above
    }
    String context = KeyWrapping.signingKeyContext(r.kid(), r.generation(), r.publicKeyX509());
    try {
      String wrapped =
          wrapping.rewrap(
              r.privateKeyPkcs8(), KeyWrapping.Purpose.SIGNING_PRIVATE_KEY, context, r.kid());
      if (store.replaceSigningPrivateKey(r.kid(), r.privateKeyPkcs8(), wrapped)) {
        LOG.log(
            System.Logger.Level.INFO,
            "signing key {0}: private key now encrypted under key-encryption key {1}",
            r.kid(),
            wrapping.primaryId());
      }
    } catch (UnsupportedOperationException e) {
      rewrapUnsupported = true;
      LOG.log(
          System.Logger.Level.WARNING,
          "the session store cannot re-encrypt stored keys ({0}): keys stored in plaintext or"
              + " under an older key-encryption key stay so until they are retired",
          store.getClass().getName());
    } catch (RuntimeException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "could not re-encrypt signing key " + r.kid() + "; retrying at the next reload",
          e);
    }
  }

  private SigningKeyRecord newKey(long generation, Instant from, Instant until) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(new RSAKeyGenParameterSpec(2048, RSAKeyGenParameterSpec.F4), random);
      KeyPair pair = g.generateKeyPair();
      byte[] id = new byte[12];
      random.nextBytes(id);
      String kid = "d-" + Crypto.B64URL.encodeToString(id);
      LOG.log(
          System.Logger.Level.INFO, "creating signing key {0} (generation {1})", kid, generation);
      String publicKey = Base64.getEncoder().encodeToString(pair.getPublic().getEncoded());
      byte[] privateKey = pair.getPrivate().getEncoded();
      String storedPrivateKey =
          wrapping.wrap(
              privateKey,
              KeyWrapping.Purpose.SIGNING_PRIVATE_KEY,
              KeyWrapping.signingKeyContext(kid, generation, publicKey));
      Arrays.fill(privateKey, (byte) 0);
      return new SigningKeyRecord(
          kid, generation, storedPrivateKey, publicKey, clock.instant(), from, until);
    } catch (GeneralSecurityException e) {
      throw HallpassException.generalError("could not generate an RSA-2048 key", e);
    }
  }
}
