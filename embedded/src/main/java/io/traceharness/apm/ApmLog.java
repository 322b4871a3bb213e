package io.traceharness.apm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The server's own log file (what a failed test prints), mirrored to slf4j for warnings. */
final class ApmLog implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger("io.traceharness.apm.EmbeddedApmServer");

  private final Path file;
  private final Writer writer;

  ApmLog(Path file) {
    this.file = file;
    try {
      Files.createDirectories(file.getParent());
      this.writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + file, e);
    }
  }

  Path file() {
    return file;
  }

  void info(String message) {
    write("INFO", message);
  }

  void warn(String message) {
    LOG.warn(message);
    write("WARN", message);
  }

  private synchronized void write(String level, String message) {
    try {
      writer.write(Instant.now() + " " + level + " " + message + "\n");
      writer.flush();
    } catch (IOException e) {
      LOG.warn("cannot write to {}: {}", file, e.toString());
    }
  }

  @Override
  public synchronized void close() {
    try {
      writer.close();
    } catch (IOException e) {
      LOG.warn("cannot close {}: {}", file, e.toString());
    }
  }
}
