package dev.catzilla.autoconfigure;

import java.util.function.Supplier;
import java.util.function.ToLongFunction;

import dev.catzilla.allocator.JemallocByteBufAllocator;
import dev.catzilla.allocator.JemallocStats;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.netty.buffer.ByteBufAllocatorMetricProvider;

/**
 * Catzilla's meters (documented in docs/spring.md, the one place meter names are listed):
 * <ul>
 * <li>{@code catzilla.allocator.info} (gauge, always 1) tagged {@code requested} and {@code active};</li>
 * <li>Micrometer's own {@link NettyAllocatorMetrics} for the active allocator ({@code netty.allocator.*});</li>
 * <li>when jemalloc is active, {@code catzilla.allocator.cached} (gauge, bytes): free blocks kept by event-loop
 * threads for reuse;</li>
 * <li>when jemalloc is active, {@code catzilla.jemalloc.allocated|active|resident|mapped|retained|metadata} (gauges,
 * bytes) from one {@link JemallocStats} snapshot per second;</li>
 * <li>when jemalloc is active, the profile's {@code catzilla.profile.*} ({@link CatzillaProfileMeters}).</li>
 * </ul>
 */
public final class CatzillaMeterBinder implements MeterBinder {

	private final CatzillaAllocator outcome;

	private final CachedJemallocStats stats;

	/**
	 * Meters for the given outcome; jemalloc's counters are read only when jemalloc is active.
	 * @param outcome the allocator decision
	 */
	public CatzillaMeterBinder(CatzillaAllocator outcome) {
		this(outcome, outcome.isJemalloc() ? JemallocSupport.statsSupplier() : null, System::nanoTime);
	}

	/**
	 * @param outcome the allocator decision
	 * @param statsSource jemalloc's counters; only used (and only needed) when jemalloc is active
	 */
	CatzillaMeterBinder(CatzillaAllocator outcome, Supplier<JemallocStats> statsSource,
			java.util.function.LongSupplier nanoClock) {
		this.outcome = outcome;
		this.stats = (statsSource != null)
				? new CachedJemallocStats(statsSource, nanoClock, CachedJemallocStats.DEFAULT_WINDOW) : null;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		Gauge.builder("catzilla.allocator.info", () -> 1)
			.description("Which allocator Catzilla was asked for and which one serves Reactor Netty (always 1)")
			.tag("requested", this.outcome.requested().id())
			.tag("active", this.outcome.active().id())
			.strongReference(true)
			.register(registry);
		if (this.outcome.allocator() instanceof ByteBufAllocatorMetricProvider provider) {
			new NettyAllocatorMetrics(provider).bindTo(registry);
		}
		if (this.outcome.isJemalloc() && this.outcome.allocator() instanceof JemallocByteBufAllocator jemalloc) {
			Gauge.builder("catzilla.allocator.cached", jemalloc, JemallocByteBufAllocator::cachedDirectMemory)
				.description("Bytes of free jemalloc blocks kept by Netty event-loop threads for reuse (held by no "
						+ "buffer, not in netty.allocator.memory.used)")
				.baseUnit(BaseUnits.BYTES)
				.strongReference(true)
				.register(registry);
			new CatzillaProfileMeters(jemalloc.profiler(), System::nanoTime).bindTo(registry);
		}
		if (this.outcome.isJemalloc() && this.stats != null) {
			gauge(registry, "allocated",
					"Bytes jemalloc has handed out: live Netty buffers plus blocks kept in thread caches",
					JemallocStats::allocated);
			gauge(registry, "active", "Bytes in jemalloc's active pages", JemallocStats::active);
			gauge(registry, "resident", "Bytes in physically resident pages mapped by jemalloc",
					JemallocStats::resident);
			gauge(registry, "mapped", "Bytes in active extents mapped by jemalloc", JemallocStats::mapped);
			gauge(registry, "retained", "Bytes of virtual memory jemalloc retains for reuse",
					JemallocStats::retained);
			gauge(registry, "metadata", "Bytes of jemalloc's own metadata", JemallocStats::metadata);
		}
	}

	private void gauge(MeterRegistry registry, String name, String description, ToLongFunction<JemallocStats> value) {
		CachedJemallocStats source = this.stats;
		Gauge.builder("catzilla.jemalloc." + name, source, (s) -> value.applyAsLong(s.get()))
			.description(description)
			.baseUnit(BaseUnits.BYTES)
			.strongReference(true)
			.register(registry);
	}

}
