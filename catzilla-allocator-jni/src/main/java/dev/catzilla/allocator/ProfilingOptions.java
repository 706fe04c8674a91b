package dev.catzilla.allocator;

import java.time.Duration;

/**
 * Settings of an allocator's {@link AllocationProfiler}: how often it samples and how
 * much it may remember.
 *
 * @param sampleInterval mean bytes between two sampled allocations (exponentially
 * distributed); {@code 0} turns sampling off
 * @param maxStackDepth Java frames kept per sampled allocation, counted from the
 * allocating call
 * @param maxSamples live sample records kept at most; beyond it new samples are counted
 * as dropped
 * @param maxFrames distinct stack frames interned at most; beyond it frames show as
 * {@code [frame table full]}
 * @param maxStacks distinct allocation stacks (sites) interned at most; beyond it samples
 * count under {@code [site table full]}
 * @param window how far back "allocated by site" looks
 * @param maxJfrEventsPerSecond sampled-allocation JFR events emitted per second at most
 * (the rest are counted)
 * @param leakWarnInterval at most one leak WARN per interval (the others are counted and
 * named in the next one)
 */
public record ProfilingOptions(long sampleInterval, int maxStackDepth, int maxSamples, int maxFrames, int maxStacks,
		Duration window, int maxJfrEventsPerSecond, Duration leakWarnInterval) {

	/**
	 * The default mean sampling interval: 4 MiB. TiKV samples its jemalloc heap every 512
	 * KiB; here a sample costs taking the Java stack (a few microseconds, more for deep
	 * stacks: SampledAllocationBenchmark), and at 512 KiB the allocation benchmark's TLS
	 * mix (17 KiB buffers) ran several times slower when the stack was still walked with
	 * a {@code StackWalker}, so the default is 8 times sparser: a service allocating 1
	 * GB/s of network buffers takes about 240 samples per second, and 1 GiB of live
	 * buffers is still seen through about 256 samples. Its cost per request is measured
	 * in docs/profiling.md.
	 */
	public static final long DEFAULT_SAMPLE_INTERVAL = 4 * 1024 * 1024;

	private static final ProfilingOptions DEFAULTS = new ProfilingOptions(DEFAULT_SAMPLE_INTERVAL, 64, 50_000, 20_000,
			5_000, Duration.ofMinutes(1), 100, Duration.ofMinutes(1));

	/**
	 * @throws IllegalArgumentException if a value is out of range
	 */
	public ProfilingOptions {
		if (sampleInterval < 0) {
			throw new IllegalArgumentException("sampleInterval must be 0 (off) or positive, but was " + sampleInterval);
		}
		requireRange("maxStackDepth", maxStackDepth, 1, 1024);
		requireRange("maxSamples", maxSamples, 1, 10_000_000);
		requireRange("maxFrames", maxFrames, 1, 10_000_000);
		requireRange("maxStacks", maxStacks, 1, 10_000_000);
		requireRange("maxJfrEventsPerSecond", maxJfrEventsPerSecond, 0, 1_000_000);
		if (window == null || window.isNegative() || window.isZero()) {
			throw new IllegalArgumentException("window must be positive, but was " + window);
		}
		if (leakWarnInterval == null || leakWarnInterval.isNegative()) {
			throw new IllegalArgumentException(
					"leakWarnInterval must be zero or positive, but was " + leakWarnInterval);
		}
	}

	private static void requireRange(String name, int value, int min, int max) {
		if (value < min || value > max) {
			throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", but was " + value);
		}
	}

	/** Sampling on at {@link #DEFAULT_SAMPLE_INTERVAL}, with the default caps. */
	public static ProfilingOptions defaults() {
		return DEFAULTS;
	}

	/** Sampling off. */
	public static ProfilingOptions off() {
		return DEFAULTS.withSampleInterval(0);
	}

	/** Whether allocations are sampled at all. */
	public boolean enabled() {
		return this.sampleInterval > 0;
	}

	public ProfilingOptions withSampleInterval(long sampleInterval) {
		return new ProfilingOptions(sampleInterval, this.maxStackDepth, this.maxSamples, this.maxFrames, this.maxStacks,
				this.window, this.maxJfrEventsPerSecond, this.leakWarnInterval);
	}

	public ProfilingOptions withMaxStackDepth(int maxStackDepth) {
		return new ProfilingOptions(this.sampleInterval, maxStackDepth, this.maxSamples, this.maxFrames, this.maxStacks,
				this.window, this.maxJfrEventsPerSecond, this.leakWarnInterval);
	}

	public ProfilingOptions withMaxSamples(int maxSamples) {
		return new ProfilingOptions(this.sampleInterval, this.maxStackDepth, maxSamples, this.maxFrames, this.maxStacks,
				this.window, this.maxJfrEventsPerSecond, this.leakWarnInterval);
	}

	public ProfilingOptions withMaxFrames(int maxFrames) {
		return new ProfilingOptions(this.sampleInterval, this.maxStackDepth, this.maxSamples, maxFrames, this.maxStacks,
				this.window, this.maxJfrEventsPerSecond, this.leakWarnInterval);
	}

	public ProfilingOptions withMaxStacks(int maxStacks) {
		return new ProfilingOptions(this.sampleInterval, this.maxStackDepth, this.maxSamples, this.maxFrames, maxStacks,
				this.window, this.maxJfrEventsPerSecond, this.leakWarnInterval);
	}

	public ProfilingOptions withWindow(Duration window) {
		return new ProfilingOptions(this.sampleInterval, this.maxStackDepth, this.maxSamples, this.maxFrames,
				this.maxStacks, window, this.maxJfrEventsPerSecond, this.leakWarnInterval);
	}

	public ProfilingOptions withMaxJfrEventsPerSecond(int maxJfrEventsPerSecond) {
		return new ProfilingOptions(this.sampleInterval, this.maxStackDepth, this.maxSamples, this.maxFrames,
				this.maxStacks, this.window, maxJfrEventsPerSecond, this.leakWarnInterval);
	}

	public ProfilingOptions withLeakWarnInterval(Duration leakWarnInterval) {
		return new ProfilingOptions(this.sampleInterval, this.maxStackDepth, this.maxSamples, this.maxFrames,
				this.maxStacks, this.window, this.maxJfrEventsPerSecond, leakWarnInterval);
	}

}
