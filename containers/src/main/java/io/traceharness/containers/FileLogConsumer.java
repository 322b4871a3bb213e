package io.traceharness.containers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;
import org.testcontainers.containers.output.OutputFrame;

/** Appends a container's stdout and stderr to a file, so a failed test can print the tail. */
final class FileLogConsumer implements Consumer<OutputFrame> {

  private final Path file;

  FileLogConsumer(Path file) {
    this.file = file;
  }

  @Override
  public void accept(OutputFrame frame) {
    byte[] bytes = frame.getBytes();
    if (bytes == null || frame.getType() == OutputFrame.OutputType.END) {
      return;
    }
    try {
      Files.write(file, bytes, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write container log " + file, e);
    }
  }
}
