package dev.catzilla.benchmarks.jmh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import dev.catzilla.allocator.JemallocByteBufAllocator;
import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Allocation, touch (one write per 4 KiB page, so every page is faulted in if it is not
 * resident) and release of one direct buffer of 8-64 MiB: the cost of a large aggregated
 * body (issue 16, item 1 and its JMH target). Runs on one Netty
 * {@code FastThreadLocalThread} (see {@link EventLoopExecutor}).
 * <p>
 * Besides the time per operation, {@link Faults} reports the process's minor page faults
 * and the operations (from {@code /proc/self/stat}, read at the start and end of each
 * iteration: JMH has no fault profiler; JMH sums both over the iterations, so faults per
 * operation = {@code :faults} / {@code :ops}). The count is the whole JVM's, so JIT and
 * GC faults are in it; at these sizes one operation touches 2,048-16,384 pages, so a few
 * stray faults per iteration do not matter.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = { "-Djmh.executor=CUSTOM",
		"-Djmh.executor.class=dev.catzilla.benchmarks.jmh.EventLoopExecutor", "-XX:MaxDirectMemorySize=1g" })
public class LargeBufferBenchmark {

	private static final int PAGE = 4096;

	@Param({ "jemalloc", "adaptive", "pooled" })
	public String allocator;

	@Param({ "8", "16", "32", "64" })
	public int mib;

	private ByteBufAllocator alloc;

	private int size;

	@Setup(Level.Trial)
	public void setUp() {
		if (!(Thread.currentThread() instanceof io.netty.util.concurrent.FastThreadLocalThread)) {
			throw new IllegalStateException("benchmark threads must be FastThreadLocalThreads (EventLoopExecutor), "
					+ "got " + Thread.currentThread());
		}
		this.size = this.mib * 1024 * 1024;
		this.alloc = switch (this.allocator) {
			case "jemalloc" -> JemallocByteBufAllocator.builder().build();
			case "adaptive" -> new AdaptiveByteBufAllocator(true);
			case "pooled" -> new PooledByteBufAllocator(true);
			default -> throw new IllegalArgumentException("unknown allocator " + this.allocator);
		};
		ByteBuf probe = this.alloc.directBuffer(this.size, this.size);
		if (!probe.isDirect() || probe.capacity() != this.size) {
			throw new IllegalStateException(this.allocator + " did not give a direct buffer of " + this.size);
		}
		probe.release();
	}

	@TearDown(Level.Trial)
	public void tearDown() {
		if (this.alloc instanceof JemallocByteBufAllocator jemalloc && jemalloc.usedDirectMemory() != 0) {
			throw new IllegalStateException("leaked: " + jemalloc);
		}
	}

	@Benchmark
	@Threads(1)
	public boolean allocTouchRelease(Faults faults) {
		ByteBuf buf = this.alloc.directBuffer(this.size, this.size);
		for (int i = 0; i < this.size; i += PAGE) {
			buf.setByte(i, i);
		}
		faults.ops++;
		return buf.release();
	}

	/** Minor page faults of the process per operation, over each iteration. */
	@State(Scope.Thread)
	@AuxCounters(AuxCounters.Type.EVENTS)
	public static class Faults {

		/**
		 * Operations (JMH sums EVENTS counters over the iterations, so faults per op =
		 * faults / ops).
		 */
		public long ops;

		/** The process's minor page faults over the measured iterations. */
		public long faults;

		private long start;

		@Setup(Level.Iteration)
		public void start() {
			this.ops = 0;
			this.faults = 0;
			this.start = minorFaults();
		}

		@TearDown(Level.Iteration)
		public void end() {
			this.faults = minorFaults() - this.start;
		}

	}

	/** Field 10 (minflt) of {@code /proc/self/stat}. */
	static long minorFaults() {
		try {
			String stat = Files.readString(Path.of("/proc/self/stat"));
			String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
			return Long.parseLong(fields[7]); // fields after "pid (comm) ": state is
												// field 3, minflt field 10
		}
		catch (IOException ex) {
			throw new IllegalStateException("cannot read /proc/self/stat", ex);
		}
	}

}
