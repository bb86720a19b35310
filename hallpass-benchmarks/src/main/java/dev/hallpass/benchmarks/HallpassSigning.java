package dev.hallpass.benchmarks;

import dev.hallpass.AccessTokenSigning;
import dev.hallpass.Hallpass;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * How the Hallpass side of the comparison with the original library signs access tokens: the one
 * parameter ({@code --hallpass-signing}) that {@link HallpassWorker} and {@link HallpassHttpApp}
 * apply to every engine they build. The original library signs HS256; {@code
 * benchmarks/run-original.sh --hallpass-signing HS256} compares like with like.
 */
enum HallpassSigning {
  /** RSA-2048 signatures (Hallpass's default). */
  RS256(b -> b.accessTokenSigning(AccessTokenSigning.RS256)),
  /** HMAC-SHA256 with a shared secret, as the original library signs. */
  HS256(b -> b.accessTokenSigning(AccessTokenSigning.HS256));

  private final UnaryOperator<Hallpass.Builder> configure;

  HallpassSigning(UnaryOperator<Hallpass.Builder> configure) {
    this.configure = configure;
  }

  /** The builder with this signing mode applied. */
  Hallpass.Builder apply(Hallpass.Builder builder) {
    return configure.apply(builder);
  }

  /** The mode named (case-insensitive), or IllegalArgumentException naming the known ones. */
  static HallpassSigning of(String name) {
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "hallpass-signing must be one of "
              + java.util.Arrays.toString(values())
              + ", not '"
              + name
              + "'",
          e);
    }
  }
}
