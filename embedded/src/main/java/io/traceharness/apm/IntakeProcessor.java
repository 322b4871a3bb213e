package io.traceharness.apm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.traceharness.apm.IntakeValidation.InvalidEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * An Elastic APM intake v2 stream (ND-JSON) → documents, as elastic/apm-data v1.22.0
 * {@code input/elasticapm/processor.go} reads it: the first line must be {@code metadata}; every
 * other line is one event; a line longer than {@code max_event_size} bytes is refused with its first
 * {@code max_event_size} bytes as the document; invalid lines are reported (at most five errors
 * kept) while valid ones are accepted; events are published ten at a time.
 */
final class IntakeProcessor {

  static final int MAX_ERRORS = 5;
  /** APM Server's default {@code max_event_size}. */
  static final int DEFAULT_MAX_EVENT_SIZE = 300 * 1024;
  /** APM Server decodes and publishes an intake stream ten events at a time (intake/handler.go batchSize). */
  static final int BATCH_SIZE = 10;

  /** One entry of the {@code errors} array of the intake answer. */
  record IntakeError(String message, String document, boolean tooLarge) {
  }

  /**
   * What a request produced: accepted events, the kept errors, how many lines were invalid, and a
   * stream-level error that stopped reading (queue full, shutting down, forbidden), null when none.
   */
  record Result(int accepted, List<IntakeError> errors, int invalid, StreamError streamError) {
  }

  /** A refusal of a whole batch: the message and the status APM Server answers it with. */
  record StreamError(String message, int status) {
  }

  /** Takes one batch of documents; answers null when taken, else why not. */
  interface Publisher {
    StreamError publish(List<ApmDocument> batch);
  }

  private final IntakeEvents events;
  private final int maxEventSize;

  IntakeProcessor(ObjectNode observer, int maxEventSize) {
    this.events = new IntakeEvents(observer);
    this.maxEventSize = maxEventSize;
  }

  /**
   * @param clientIp the request's client address (for {@code host.ip}), null when unknown
   */
  Result process(InputStream body, String clientIp, Publisher publisher) throws IOException {
    long receivedNanos = System.currentTimeMillis() * 1_000_000;
    List<IntakeError> errors = new ArrayList<>();
    int[] invalid = {0};
    int accepted = 0;
    LineReader reader = new LineReader(body, maxEventSize);
    Line first = reader.nextNonEmpty();
    if (first == null) {
      return new Result(0, errors, 0, null);
    }
    if (first.tooLong()) {
      addError(errors, invalid, new IntakeError("event exceeded the permitted size", first.text(), true));
      return new Result(0, errors, invalid[0], null);
    }
    ObjectNode base;
    try {
      JsonNode root = parse(first.text(), "metadata");
      if (!rootKey(root).equals("metadata")) {
        throw new InvalidEvent("\"metadata\" or \"m\" required");
      }
      base = events.metadata(root, clientIp);
    } catch (InvalidEvent e) {
      addError(errors, invalid, new IntakeError(e.getMessage(), first.text(), false));
      return new Result(0, errors, invalid[0], null);
    }
    List<ApmDocument> batch = new ArrayList<>(BATCH_SIZE);
    Line line;
    while ((line = reader.nextNonEmpty()) != null) {
      if (line.tooLong()) {
        addError(errors, invalid, new IntakeError("event exceeded the permitted size", line.text(), true));
        continue;
      }
      try {
        JsonNode root = parse(line.text(), null);
        String key = rootKey(root);
        batch.add(events.event(key, root.get(key), base, receivedNanos));
      } catch (InvalidEvent e) {
        addError(errors, invalid, new IntakeError(e.getMessage(), line.text(), false));
      }
      if (batch.size() == BATCH_SIZE) {
        StreamError streamError = publisher.publish(batch);
        if (streamError != null) {
          return new Result(accepted, errors, invalid[0], streamError);
        }
        accepted += batch.size();
        batch = new ArrayList<>(BATCH_SIZE);
      }
    }
    if (!batch.isEmpty()) {
      StreamError streamError = publisher.publish(batch);
      if (streamError != null) {
        return new Result(accepted, errors, invalid[0], streamError);
      }
      accepted += batch.size();
    }
    return new Result(accepted, errors, invalid[0], null);
  }

  private static void addError(List<IntakeError> errors, int[] invalid, IntakeError error) {
    invalid[0]++;
    if (errors.size() < MAX_ERRORS) {
      errors.add(error);
    }
  }

  /**
   * jsoniter's messages cannot be reproduced from Jackson's; the prefix (which struct failed) is
   * apm-data's, the rest Jackson's own words.
   */
  private static JsonNode parse(String line, String expected) throws InvalidEvent {
    try {
      JsonNode node = Docs.JSON.readTree(line);
      if (node == null || !node.isObject()) {
        throw new InvalidEvent("decode error: data read error: invalid input: expected an object");
      }
      return node;
    } catch (JsonProcessingException e) {
      String where = expected == null ? "" : "v2." + expected + "Root." + Character.toUpperCase(expected.charAt(0))
          + expected.substring(1) + ": ";
      throw new InvalidEvent("decode error: data read error: " + where + e.getOriginalMessage());
    }
  }

  private static String rootKey(JsonNode node) {
    Iterator<String> names = node.fieldNames();
    return names.hasNext() ? names.next() : "";
  }

  /** One line: its text (at most max_event_size bytes of it) and whether it was longer. */
  record Line(String text, boolean tooLong) {
  }

  /** Reads lines as bytes, so the size limit counts bytes as APM Server's reader does, not characters. */
  static final class LineReader {
    private final InputStream in;
    private final int max;
    private final byte[] buffer = new byte[8192];
    private int pos;
    private int end;

    LineReader(InputStream in, int max) {
      this.in = in;
      this.max = max;
    }

    Line nextNonEmpty() throws IOException {
      Line line;
      while ((line = next()) != null) {
        if (line.tooLong() || !line.text().isBlank()) {
          return line;
        }
      }
      return null;
    }

    private Line next() throws IOException {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      boolean tooLong = false;
      boolean any = false;
      while (true) {
        if (pos == end) {
          end = in.read(buffer);
          pos = 0;
          if (end <= 0) {
            end = 0;
            return any ? line(out, tooLong) : null;
          }
        }
        any = true;
        byte b = buffer[pos++];
        if (b == '\n') {
          return line(out, tooLong);
        }
        if (out.size() < max) {
          out.write(b);
        } else {
          tooLong = true;
        }
      }
    }

    private static Line line(ByteArrayOutputStream out, boolean tooLong) {
      String text = out.toString(StandardCharsets.UTF_8);
      if (!tooLong && text.endsWith("\r")) {
        text = text.substring(0, text.length() - 1);
      }
      return new Line(text, tooLong);
    }
  }
}
