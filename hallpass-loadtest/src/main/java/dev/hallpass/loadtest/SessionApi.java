package dev.hallpass.loadtest;

import java.io.IOException;

/**
 * The calls a simulated browser makes, in one target's protocol. Implementations only translate and
 * classify answers ({@link Answer}); the checks live in {@link Browser}. Every method may be called
 * from several threads at once (two tabs of one browser refresh concurrently).
 */
interface SessionApi {

  /** Signs in: a new session whose data holds no update yet. */
  Answer create(String userId) throws IOException, InterruptedException;

  /**
   * A protected call: the access token is verified (no database unless a refresh was just used).
   */
  Answer verify(Tokens tokens) throws IOException, InterruptedException;

  /**
   * Refreshes with {@code tokens}' refresh token; {@code call} names the situation for the latency
   * table (plain, racing tab, lost answer, retry).
   */
  Answer refresh(Tokens tokens, String call) throws IOException, InterruptedException;

  /** Replaces the session data with {@code {"n": n, "browser": browser}}. */
  Answer putData(Tokens tokens, long n, int browser) throws IOException, InterruptedException;

  /** Reads the session data back; the answer's body is the data object. */
  Answer getData(Tokens tokens) throws IOException, InterruptedException;

  /** Signs out (revokes the session); the answer's tokens are null. */
  Answer signOut(Tokens tokens) throws IOException, InterruptedException;

  /**
   * After a sign-out, asks for the session again with the tokens held before it: {@link
   * Answer.Unauthorised} is the only right answer.
   */
  Answer probeSignedOut(Tokens before) throws IOException, InterruptedException;
}
