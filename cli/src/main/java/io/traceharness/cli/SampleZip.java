package io.traceharness.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The post's Node.js functions, carried in the jar (the functions module's zip), so {@code up} runs
 * outside the checkout that built it.
 */
final class SampleZip {

  static final String RESOURCE = "sample-functions-nodejs.zip";
  private static final String PROPERTY = "traceharness.functions.nodejsZip";

  private SampleZip() {
  }

  /** Points the sandbox at the jar's zip, unpacked under {@code workDir}, unless the user chose one. */
  static void useBundled(Path workDir) {
    String chosen = System.getProperty(PROPERTY);
    if (chosen != null && !chosen.isBlank()) {
      return;
    }
    try (InputStream in = SampleZip.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        // run from classes (an IDE, the module's tests): the checkout's functions/target is found as usual
        return;
      }
      Path zip = workDir.resolve("functions").resolve(RESOURCE);
      Files.createDirectories(zip.getParent());
      Files.copy(in, zip, StandardCopyOption.REPLACE_EXISTING);
      System.setProperty(PROPERTY, zip.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot unpack the sample functions into " + workDir, e);
    }
  }
}
