package dev.hallpass;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Captures every java.util.logging record (where {@link System.Logger} goes without another
 * provider) at the finest level, formatted with its parameters and stack trace.
 */
final class LogCapture implements AutoCloseable {
  private final List<String> lines = new ArrayList<>();
  private final Logger root = Logger.getLogger("");
  private final Level rootLevel = root.getLevel();
  private final Handler handler =
      new Handler() {
        private final SimpleFormatter fmt = new SimpleFormatter();

        @Override
        public void publish(LogRecord r) {
          synchronized (lines) {
            lines.add(fmt.format(r));
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  private LogCapture() {
    handler.setLevel(Level.ALL);
    root.addHandler(handler);
    root.setLevel(Level.ALL);
  }

  /**
   * Starts capturing. Tests run inside the core's module, which does not read java.logging: the
   * caller adds the read edge before this class is loaded.
   */
  static LogCapture start() {
    return new LogCapture();
  }

  List<String> lines() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  @Override
  public void close() {
    root.removeHandler(handler);
    root.setLevel(rootLevel);
  }
}
