package dev.catzilla.autoconfigure;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import dev.catzilla.allocator.JemallocStats;

/**
 * One {@link JemallocStats} snapshot shared by all jemalloc gauges: a scrape reads six values but jemalloc is asked
 * (one {@code epoch} refresh and six {@code mallctl} reads) at most once per window.
 */
final class CachedJemallocStats {

	static final Duration DEFAULT_WINDOW = Duration.ofSeconds(1);

	private final Supplier<JemallocStats> source;

	private final LongSupplier nanoClock;

	private final long windowNanos;

	private volatile JemallocStats snapshot;

	private volatile long readAtNanos;

	CachedJemallocStats(Supplier<JemallocStats> source, LongSupplier nanoClock, Duration window) {
		this.source = Objects.requireNonNull(source, "source");
		this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
		this.windowNanos = window.toNanos();
	}

	JemallocStats get() {
		JemallocStats current = this.snapshot;
		if (current != null && this.nanoClock.getAsLong() - this.readAtNanos < this.windowNanos) {
			return current;
		}
		synchronized (this) {
			current = this.snapshot;
			long now = this.nanoClock.getAsLong();
			if (current == null || now - this.readAtNanos >= this.windowNanos) {
				current = this.source.get();
				this.readAtNanos = now;
				this.snapshot = current;
			}
			return current;
		}
	}

}
