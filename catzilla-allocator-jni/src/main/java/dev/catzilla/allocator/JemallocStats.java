package dev.catzilla.allocator;

/**
 * A snapshot of jemalloc's own counters, read after an {@code epoch} refresh. All values
 * are bytes and describe Catzilla's private jemalloc only (never the JVM's or the
 * process's other heaps). A view of six {@link JemallocStatistic}s, kept for
 * {@link Jemalloc#stats()}; {@link JemallocStatistics.Snapshot} has them all.
 *
 * @param allocated bytes handed out to the application ({@code stats.allocated})
 * @param active bytes in active pages, a multiple of the page size ({@code stats.active})
 * @param resident bytes in physically resident data pages mapped by the allocator
 * ({@code stats.resident})
 * @param mapped bytes in active extents mapped by the allocator ({@code stats.mapped})
 * @param retained bytes in virtual memory mappings retained for later reuse
 * ({@code stats.retained})
 * @param metadata bytes dedicated to jemalloc's own metadata ({@code stats.metadata})
 */
public record JemallocStats(long allocated, long active, long resident, long mapped, long retained, long metadata) {
}
