package dev.hallpass.loadtest;

import java.time.Duration;

/**
 * What each simulated browser does, step by step: the percentages of its actions (they add up to
 * 100), its mean pause between steps, and the refresh grace period of the target (to check which
 * rotation rule answered a retried refresh).
 *
 * @param protectedCall percent of steps that call a protected API (refreshing first when the access
 *     token has expired)
 * @param dataUpdate percent that update the session data and read it back
 * @param tabRace percent where two tabs refresh at once with the same refresh token
 * @param lostAnswer percent that refresh and lose the answer, then retry later with the old token
 * @param signOut percent that sign out and check that the session is gone
 * @param thinkTime the mean pause between steps (each pause is uniform in [0, 2 x thinkTime])
 * @param grace the target's refresh grace period; a lost answer is retried after a pause uniform in
 *     [0, 2 x grace], so both rule 2 (same child) and rule 3 (new child) answer
 */
record Mix(
    int protectedCall,
    int dataUpdate,
    int tabRace,
    int lostAnswer,
    int signOut,
    Duration thinkTime,
    Duration grace) {

  Mix {
    int[] parts = {protectedCall, dataUpdate, tabRace, lostAnswer, signOut};
    int sum = 0;
    for (int p : parts) {
      if (p < 0) {
        throw new IllegalArgumentException("mix percentages must be >= 0");
      }
      sum += p;
    }
    if (sum != 100) {
      throw new IllegalArgumentException("mix percentages must add up to 100, got " + sum);
    }
    if (thinkTime.isNegative() || grace.isNegative() || grace.isZero()) {
      throw new IllegalArgumentException("thinkTime must be >= 0 and grace > 0");
    }
  }

  /** The default mix: mostly protected calls, as a browser makes. */
  static Mix standard(Duration thinkTime, Duration grace) {
    return new Mix(58, 20, 8, 8, 6, thinkTime, grace);
  }
}
