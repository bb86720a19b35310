package dev.hallpass;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The public signing keys that verify Hallpass access tokens, as a JSON Web Key Set (RFC 7517).
 *
 * <p>It always holds the key that signs now and the key that will sign next, so a client that
 * caches it until {@link #getCacheUntil()} can verify every token it meets in that time. Contains
 * no secret.
 */
public final class JsonWebKeySet {

  private final String json;
  private final List<String> keyIds;
  private final Instant cacheUntil;

  /** Creates the value from its JSON form, the key ids it lists and its cache horizon. */
  public JsonWebKeySet(String json, List<String> keyIds, Instant cacheUntil) {
    this.json = Objects.requireNonNull(json, "json");
    this.keyIds = List.copyOf(keyIds);
    this.cacheUntil = Objects.requireNonNull(cacheUntil, "cacheUntil");
  }

  /** The key set as JSON: {@code {"keys":[{"kty":"RSA","kid":...,"n":...,"e":...,...}]}}. */
  public String toJson() {
    return json;
  }

  /** The ids ({@code kid}) of the keys in the set, oldest first. */
  public List<String> getKeyIds() {
    return keyIds;
  }

  /** Until when a client may cache this set: the next key rotation. */
  public Instant getCacheUntil() {
    return cacheUntil;
  }

  @Override
  public String toString() {
    return "JsonWebKeySet" + keyIds;
  }
}
