package dev.catzilla.allocator;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings that jemalloc reads once, when it initialises (before Catzilla's first
 * allocation). Immutable; build one with {@link #builder()} and hand it to
 * {@link Jemalloc#configure(JemallocOptions)}.
 * <p>
 * The defaults suit a network server that must give memory back to the operating system
 * after a burst: a background thread purges unused pages on time even while the process
 * idles, and buffers up to 64 KiB are served from the per-thread cache.
 */
public final class JemallocOptions {

	/** Largest value jemalloc 5.3 accepts for {@code tcache_max}. */
	public static final long MAX_TCACHE_MAX = 8L * 1024 * 1024;

	private static final JemallocOptions DEFAULTS = new Builder().build();

	private final boolean backgroundThread;

	private final Duration dirtyDecay;

	private final Duration muzzyDecay;

	private final long tcacheMax;

	private final int arenas;

	private final Duration quietPurge;

	private final boolean trimNativeHeap;

	private JemallocOptions(Builder builder) {
		this.backgroundThread = builder.backgroundThread;
		this.dirtyDecay = builder.dirtyDecay;
		this.muzzyDecay = builder.muzzyDecay;
		this.tcacheMax = builder.tcacheMax;
		this.arenas = builder.arenas;
		this.quietPurge = builder.quietPurge;
		this.trimNativeHeap = builder.trimNativeHeap;
	}

	/** The defaults Catzilla uses when nothing is configured. */
	public static JemallocOptions defaults() {
		return DEFAULTS;
	}

	public static Builder builder() {
		return new Builder();
	}

	/** Whether jemalloc runs background threads that purge unused dirty pages on time. */
	public boolean backgroundThread() {
		return this.backgroundThread;
	}

	/**
	 * How long unused dirty pages are kept before they are purged; negative means never.
	 */
	public Duration dirtyDecay() {
		return this.dirtyDecay;
	}

	/**
	 * How long unused muzzy pages are kept before they are purged; negative means never.
	 */
	public Duration muzzyDecay() {
		return this.muzzyDecay;
	}

	/** Largest allocation, in bytes, served from the per-thread cache. */
	public long tcacheMax() {
		return this.tcacheMax;
	}

	/** Number of arenas; 0 lets jemalloc choose (four per CPU). */
	public int arenas() {
		return this.arenas;
	}

	/**
	 * How long allocation must have dropped or stopped before Catzilla empties the event
	 * loops' caches and purges every arena once: frees of buffers above 64 KiB stopped
	 * for that long, or jemalloc's allocated bytes not growing for that long and down to
	 * half their high, or buffers allocated at a sixteenth of their highest rate, or none
	 * at all (memory back soon after a load, nothing purged under steady load; see
	 * {@code QuietPurge}); zero means never. Catzilla's own setting, not jemalloc's: not
	 * part of {@link #toMallocConf()}.
	 */
	public Duration quietPurge() {
		return this.quietPurge;
	}

	/**
	 * Whether the quiet purge also asks the JVM to trim its own C heap, as
	 * {@code jcmd <pid> System.trim_native_heap} does (glibc's {@code malloc_trim}; a
	 * no-op on musl and on JVMs without that command), so that the whole process, not
	 * only jemalloc, gives memory back after a burst. Catzilla's own setting, not
	 * jemalloc's.
	 */
	public boolean trimNativeHeap() {
		return this.trimNativeHeap;
	}

	/**
	 * The option string in jemalloc's {@code malloc_conf} syntax, e.g.
	 * {@code background_thread:true,dirty_decay_ms:10000,...}.
	 */
	public String toMallocConf() {
		StringBuilder conf = new StringBuilder();
		conf.append("background_thread:").append(this.backgroundThread);
		conf.append(",dirty_decay_ms:").append(decayMillis(this.dirtyDecay));
		conf.append(",muzzy_decay_ms:").append(decayMillis(this.muzzyDecay));
		conf.append(",tcache_max:").append(this.tcacheMax);
		// Keeps freed extents of 8 MiB and more for reuse, decaying like any other (see
		// catzilla_jemalloc.c).
		conf.append(",oversize_threshold:0");
		if (this.arenas > 0) {
			conf.append(",narenas:").append(this.arenas);
		}
		return conf.toString();
	}

	private static long decayMillis(Duration decay) {
		return decay.isNegative() ? -1 : decay.toMillis();
	}

	@Override
	public boolean equals(Object other) {
		if (this == other) {
			return true;
		}
		if (!(other instanceof JemallocOptions that)) {
			return false;
		}
		return this.backgroundThread == that.backgroundThread && this.tcacheMax == that.tcacheMax
				&& this.arenas == that.arenas && decayMillis(this.dirtyDecay) == decayMillis(that.dirtyDecay)
				&& decayMillis(this.muzzyDecay) == decayMillis(that.muzzyDecay)
				&& this.quietPurge.equals(that.quietPurge) && this.trimNativeHeap == that.trimNativeHeap;
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.backgroundThread, decayMillis(this.dirtyDecay), decayMillis(this.muzzyDecay),
				this.tcacheMax, this.arenas, this.quietPurge, this.trimNativeHeap);
	}

	@Override
	public String toString() {
		return toMallocConf() + " (quiet purge after " + this.quietPurge.toMillis() + " ms"
				+ (this.trimNativeHeap ? ", trimming the JVM's C heap too)" : ")");
	}

	/**
	 * Builds {@link JemallocOptions}; every setter checks its value and says what is
	 * allowed.
	 */
	public static final class Builder {

		private boolean backgroundThread = true;

		private Duration dirtyDecay = Duration.ofSeconds(10);

		private Duration muzzyDecay = Duration.ZERO;

		private long tcacheMax = 64 * 1024;

		private int arenas = 0;

		private Duration quietPurge = Duration.ofSeconds(1);

		private boolean trimNativeHeap = true;

		private Builder() {
		}

		public Builder backgroundThread(boolean backgroundThread) {
			this.backgroundThread = backgroundThread;
			return this;
		}

		public Builder dirtyDecay(Duration dirtyDecay) {
			this.dirtyDecay = checkDecay("dirtyDecay", dirtyDecay);
			return this;
		}

		public Builder muzzyDecay(Duration muzzyDecay) {
			this.muzzyDecay = checkDecay("muzzyDecay", muzzyDecay);
			return this;
		}

		public Builder tcacheMax(long tcacheMax) {
			if (tcacheMax < 0 || tcacheMax > MAX_TCACHE_MAX) {
				throw new IllegalArgumentException(
						"tcacheMax must be between 0 and " + MAX_TCACHE_MAX + " bytes, but was " + tcacheMax);
			}
			this.tcacheMax = tcacheMax;
			return this;
		}

		public Builder arenas(int arenas) {
			if (arenas < 0 || arenas > 4096) {
				throw new IllegalArgumentException(
						"arenas must be between 0 (jemalloc's choice) and 4096, but was " + arenas);
			}
			this.arenas = arenas;
			return this;
		}

		/**
		 * See {@link JemallocOptions#quietPurge()}: zero turns it off; at most one hour.
		 */
		public Builder quietPurge(Duration quietPurge) {
			Objects.requireNonNull(quietPurge, "quietPurge must not be null");
			if (quietPurge.isNegative() || quietPurge.compareTo(Duration.ofHours(1)) > 0) {
				throw new IllegalArgumentException(
						"quietPurge must be between 0 (never) and 1 hour, but was " + quietPurge);
			}
			this.quietPurge = quietPurge;
			return this;
		}

		/** See {@link JemallocOptions#trimNativeHeap()}. */
		public Builder trimNativeHeap(boolean trimNativeHeap) {
			this.trimNativeHeap = trimNativeHeap;
			return this;
		}

		public JemallocOptions build() {
			return new JemallocOptions(this);
		}

		private static Duration checkDecay(String name, Duration decay) {
			Objects.requireNonNull(decay, name + " must not be null");
			if (!decay.isNegative() && decay.toMillis() > Integer.MAX_VALUE) {
				throw new IllegalArgumentException(name + " must be negative (never purge) or at most "
						+ Integer.MAX_VALUE + " ms, but was " + decay);
			}
			return decay;
		}

	}

}
