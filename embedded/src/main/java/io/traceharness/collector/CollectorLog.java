package io.traceharness.collector;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collector's own log: every line goes to its file (so a failed test can print the tail);
 * warnings and errors, and the ready line, also go to slf4j. Debug-exporter dumps stay in the file
 * only, as they are large.
 */
final class CollectorLog implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedCollector.class);

  private final Path file;
  private final BufferedWriter out;

  CollectorLog(Path file) {
    this.file = file;
    BufferedWriter w = null;
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      LOG.warn("collector log file {} cannot be written ({}); logging to slf4j only", file, e.toString());
    }
    this.out = w;
  }

  Path file() {
    return file;
  }

  void info(String message) {
    LOG.info(message);
    write("info", message);
  }

  void warn(String message) {
    LOG.warn(message);
    write("warn", message);
  }

  void error(String message, Throwable t) {
    LOG.error(message, t);
    write("error", message);
  }

  /** File only: debug-exporter output and per-request detail. */
  void detail(String message) {
    LOG.debug(message);
    write("debug", message);
  }

  private synchronized void write(String level, String message) {
    if (out == null) {
      return;
    }
    try {
      out.write(Instant.now() + "\t" + level + "\t" + message);
      out.newLine();
      out.flush();
    } catch (IOException e) {
      LOG.debug("collector log write failed", e);
    }
  }

  @Override
  public synchronized void close() {
    if (out != null) {
      try {
        out.close();
      } catch (IOException e) {
        LOG.debug("collector log close failed", e);
      }
    }
  }
}
