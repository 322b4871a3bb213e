package io.traceharness.stack;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** One component's log file, so a failed test can print what that component saw. */
public record ComponentLog(String component, Path file) {

  /** The last {@code lines} lines of the file; empty when it does not exist (yet). */
  public String tail(int lines) {
    return tail(file, lines);
  }

  /** The last {@code maxLines} lines of {@code file} (read from its last 64 KiB); empty when it does not exist (yet). */
  public static String tail(Path file, int maxLines) {
    if (file == null || !Files.isRegularFile(file)) {
      return "";
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long len = raf.length();
      long start = Math.max(0, len - 64 * 1024);
      byte[] buf = new byte[(int) (len - start)];
      raf.seek(start);
      raf.readFully(buf);
      String[] lines = new String(buf, StandardCharsets.UTF_8).split("\r?\n");
      int from = Math.max(0, lines.length - maxLines);
      return String.join("\n", Arrays.copyOfRange(lines, from, lines.length));
    } catch (IOException e) {
      return "(could not read " + file + ": " + e.getMessage() + ")";
    }
  }
}
