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
 *
 * <p>Each key has its algorithm (RS256 or HS256, see {@link SigningKey}); generations are shared by
 * both. The ring signs with keys of its engine's algorithm and keeps that algorithm's chain (the
 * current key and the next) going; keys of the other algorithm, left by processes in the other
 * mode, only verify until they retire.
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

  /** The algorithm this ring signs session tokens with. */
  private final AccessTokenSigning algorithm;

  /** Attempts to create a missing key when other processes keep winning the generation. */
  private static final int CREATE_ATTEMPTS = 4;

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

    /**
     * The key of {@code alg} that signs at {@code now}: the newest one whose period covers it, or,
     * when none does, the oldest stored key of {@code alg} whose period has not begun yet (a
     * process whose clock is ahead stored it: it is in the store, so every process can verify its
     * tokens, and signing with it early is safe); null when there is neither.
     */
    SigningKey signerAt(Instant now, AccessTokenSigning alg) {
      SigningKey best = null;
      SigningKey earliestFuture = null;
      for (SigningKey k : keys) {
        if (k.algorithm != alg) {
          continue;
        }
        if (k.signsAt(now)) {
          if (best == null || k.generation > best.generation) {
            best = k;
          }
        } else if (now.isBefore(k.signsFrom)
            && (earliestFuture == null || k.generation < earliestFuture.generation)) {
          earliestFuture = k;
        }
      }
      return best != null ? best : earliestFuture;
    }

    /** Whether a key of the same algorithm follows {@code current}. */
    boolean hasNext(SigningKey current) {
      for (SigningKey k : keys) {
        if (k.algorithm == current.algorithm && k.generation > current.generation) {
          return true;
        }
      }
      return false;
    }

    long nextGeneration() {
      return keys.isEmpty() ? 0 : keys.get(keys.size() - 1).generation + 1;
    }
  }

  KeyRing(
      SessionStore store,
      Clock clock,
      SecureRandom random,
      Duration rotation,
      Duration accessValidity) {
    this(
        store,
        clock,
        random,
        rotation,
        accessValidity,
        KeyWrapping.disabled(),
        AccessTokenSigning.RS256);
  }

  KeyRing(
      SessionStore store,
      Clock clock,
      SecureRandom random,
      Duration rotation,
      Duration accessValidity,
      KeyWrapping wrapping,
      AccessTokenSigning algorithm) {
    this.wrapping = wrapping;
    this.algorithm = algorithm;
    this.store = store;
    this.clock = clock;
    this.random = random;
    this.rotation = rotation;
    this.accessValidity = accessValidity;
  }

  /** The algorithm this ring signs session tokens with. */
  AccessTokenSigning algorithm() {
    return algorithm;
  }

  /** The key to sign with now; creates the current and next keys in the store when missing. */
  SigningKey signingKey() {
    Instant now = clock.instant();
    Snapshot s = snapshot;
    SigningKey k = s.signerAt(now, algorithm);
    if (k != null && s.hasNext(k)) {
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
      // HMAC keys are secrets: never published
      if (k.publishable() && now.isBefore(k.signsUntil.plus(accessValidity))) {
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

  /**
   * Makes sure the store holds this ring's current and next keys. Several processes may run this at
   * once, on clocks that differ: the store keeps one key per generation, a process that loses a
   * generation re-reads the store and uses what the winner stored (even a key whose period starts a
   * little after this process's {@code now}), and only when it finds none of its algorithm does it
   * try the next generation.
   */
  private SigningKey ensureKeys(Instant now) {
    for (int attempt = 0; attempt < CREATE_ATTEMPTS; attempt++) {
      reload();
      SigningKey current = snapshot.signerAt(now, algorithm);
      if (current == null) {
        store.insertSigningKey(
            newKey(snapshot.nextGeneration(), now, now.plus(rotation))); // lost: look again
        continue;
      }
      if (snapshot.hasNext(current)) {
        return current;
      }
      if (store.insertSigningKey(
          newKey(
              snapshot.nextGeneration(), current.signsUntil, current.signsUntil.plus(rotation)))) {
        reload();
        return current;
      }
      // Lost that generation: to a next key of this algorithm (found above at once) or of the
      // other one (then try the generation after it).
    }
    reload();
    SigningKey current = snapshot.signerAt(now, algorithm);
    if (current != null) {
      return current; // the next key is made at a later call
    }
    throw HallpassException.generalError("no signing key could be created", null);
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
    byte[] id = new byte[12];
    random.nextBytes(id);
    String kid = "d-" + Crypto.B64URL.encodeToString(id);
    LOG.log(
        System.Logger.Level.INFO,
        "creating {0} signing key {1} (generation {2})",
        algorithm,
        kid,
        generation);
    String publicKey;
    byte[] secret;
    if (algorithm == AccessTokenSigning.HS256) {
      publicKey = SigningKey.HMAC_PUBLIC_KEY_MARKER;
      secret = new byte[SigningKey.HMAC_KEY_BYTES];
      random.nextBytes(secret);
    } else {
      try {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(new RSAKeyGenParameterSpec(2048, RSAKeyGenParameterSpec.F4), random);
        KeyPair pair = g.generateKeyPair();
        publicKey = Base64.getEncoder().encodeToString(pair.getPublic().getEncoded());
        secret = pair.getPrivate().getEncoded();
      } catch (GeneralSecurityException e) {
        throw HallpassException.generalError("could not generate an RSA-2048 key", e);
      }
    }
    String storedSecret =
        wrapping.wrap(
            secret,
            KeyWrapping.Purpose.SIGNING_PRIVATE_KEY,
            KeyWrapping.signingKeyContext(kid, generation, publicKey));
    Arrays.fill(secret, (byte) 0);
    return new SigningKeyRecord(
        kid, generation, storedSecret, publicKey, clock.instant(), from, until);
  }
}
