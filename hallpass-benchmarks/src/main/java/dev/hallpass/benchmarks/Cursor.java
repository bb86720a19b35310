package dev.hallpass.benchmarks;

import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** A thread's position in a pool of tokens or sessions that the benchmarks cycle through. */
@State(Scope.Thread)
public class Cursor {
  private int next;

  /** The next index in {@code [0, size)}, wrapping around. */
  int next(int size) {
    int i = next;
    next = i + 1 >= size ? 0 : i + 1;
    return i;
  }
}
