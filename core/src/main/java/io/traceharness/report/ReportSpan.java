package io.traceharness.report;

import java.util.List;

/**
 * One row of the report's waterfall, in tree order.
 *
 * @param event     {@code transaction} or {@code span}
 * @param depth     0 for a root (or an orphan, which is drawn where a root would be)
 * @param flags     short markers such as {@code ORPHAN}, {@code EXTRA ROOT}, {@code SKEW +120 ms}
 */
record ReportSpan(String id, String parentId, String service, String agent, String name, String event, String type,
    long startUs, long durationUs, String outcome, int depth, List<String> flags) {
}
