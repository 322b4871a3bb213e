package io.traceharness.apm;

import java.util.Collection;
import java.util.Set;

/**
 * The agents' runtime, system and process metrics that APM Server routes to the shared
 * {@code metrics-apm.internal-*} data stream rather than a per-service one (elastic/apm-data
 * {@code modelprocessor.IsInternalMetricName}).
 */
final class InternalMetrics {

  private static final Set<String> NAMES = Set.of(
      "agent.background.cpu.overhead.pct", "agent.background.cpu.total.pct",
      "agent.background.memory.allocation.bytes", "agent.events.dropped", "agent.events.queue.max_size.pct",
      "agent.events.queue.min_size.pct", "agent.events.requests.bytes", "agent.events.requests.count",
      "agent.events.total",
      "clr.gc.count", "clr.gc.gen0size", "clr.gc.gen1size", "clr.gc.gen2size", "clr.gc.gen3size", "clr.gc.time",
      "faas.billed_duration", "faas.coldstart_duration", "faas.duration", "faas.timeout",
      "golang.goroutines", "golang.heap.allocations.active", "golang.heap.allocations.allocated",
      "golang.heap.allocations.frees", "golang.heap.allocations.idle", "golang.heap.allocations.mallocs",
      "golang.heap.allocations.objects", "golang.heap.allocations.total", "golang.heap.gc.cpu_fraction",
      "golang.heap.gc.next_gc_limit", "golang.heap.gc.total_count", "golang.heap.gc.total_pause.ns",
      "golang.heap.system.obtained", "golang.heap.system.released", "golang.heap.system.stack",
      "golang.heap.system.total",
      "jvm.gc.alloc", "jvm.gc.count", "jvm.gc.time", "jvm.memory.heap.committed", "jvm.memory.heap.max",
      "jvm.memory.heap.pool.committed", "jvm.memory.heap.pool.max", "jvm.memory.heap.pool.used",
      "jvm.memory.heap.used", "jvm.memory.non_heap.committed", "jvm.memory.non_heap.max",
      "jvm.memory.non_heap.used", "jvm.thread.count", "jvm.memory.non_heap.pool.used",
      "jvm.memory.non_heap.pool.committed", "jvm.memory.non_heap.pool.max", "jvm.fd.used", "jvm.fd.max",
      "nodejs.eventloop.delay.avg.ms", "nodejs.handles.active", "nodejs.memory.arrayBuffers.bytes",
      "nodejs.memory.external.bytes", "nodejs.memory.heap.allocated.bytes", "nodejs.memory.heap.used.bytes",
      "nodejs.requests.active",
      "ruby.gc.count", "ruby.gc.time", "ruby.heap.allocations.total", "ruby.heap.slots.free",
      "ruby.heap.slots.live", "ruby.threads",
      "system.cpu.total.norm.pct", "system.memory.actual.free", "system.memory.total",
      "system.process.cgroup.cpu.cfs.period.us", "system.process.cgroup.cpu.cfs.quota.us",
      "system.process.cgroup.cpu.stats.periods", "system.process.cgroup.cpu.stats.throttled.ns",
      "system.process.cgroup.cpu.stats.throttled.periods", "system.process.cgroup.cpuacct.total.ns",
      "system.process.cgroup.memory.mem.limit.bytes", "system.process.cgroup.memory.mem.usage.bytes",
      "system.process.cgroup.memory.stats.inactive_file.bytes", "system.process.cpu.system.norm.pct",
      "system.process.cpu.total.norm.pct", "system.process.cpu.user.norm.pct",
      "system.process.memory.rss.bytes", "system.process.memory.size");

  private InternalMetrics() {
  }

  /** True when every sample name is a known internal metric. */
  static boolean allInternal(Collection<String> names) {
    return !names.isEmpty() && NAMES.containsAll(names);
  }
}
