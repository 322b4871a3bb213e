package io.traceharness.lambda;

import io.traceharness.support.ChildProcess;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the logs and the {@code REPORT} line need from a runtime process, read from outside it: its
 * log file (init and invocation slices) and its peak memory from {@code /proc}.
 */
final class ProcessReadings {

  private ProcessReadings() {
  }

  /** Highest resident set size ({@code VmHWM}) among the process's descendants, in kB; 0 when unknown. */
  static long peakRssKb(ChildProcess process) {
    long maxKb = 0;
    for (ProcessHandle h : (Iterable<ProcessHandle>) process.process().descendants()::iterator) {
      maxKb = Math.max(maxKb, hwmKb(h.pid()));
    }
    return maxKb;
  }

  private static long hwmKb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      return 0;
    }
    return 0;
  }

  static long size(Path log) {
    try {
      return Files.size(log);
    } catch (IOException e) {
      return 0;
    }
  }

  /** The log between two offsets (at most its last 4 MB); empty when unreadable. */
  static String read(Path log, long from, long to) {
    if (to <= from) {
      return "";
    }
    try (RandomAccessFile raf = new RandomAccessFile(log.toFile(), "r")) {
      byte[] buf = new byte[(int) Math.min(to - from, 4 * 1024 * 1024)];
      raf.seek(to - buf.length);
      raf.readFully(buf);
      return new String(buf, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
