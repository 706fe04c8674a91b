package dev.catzilla.benchmarks.jmh;

import java.util.concurrent.TimeUnit;

import dev.catzilla.allocator.JemallocByteBufAllocator;
import dev.catzilla.allocator.ProfilingOptions;
import io.netty.buffer.ByteBuf;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one sample of the allocation profiler costs: a 256-byte buffer allocated and
 * released {@code depth} calls below the benchmark method, with every buffer sampled
 * ({@code sampling=every}: the stack taken, interned and recorded, then dropped on
 * release) or none ({@code sampling=off}); the difference is the cost of one sample at
 * that depth. The profiler takes the stack from a {@code Throwable}; run with
 * {@code -jvmArgsAppend -XX:-StackTraceInThrowable} to measure its {@code StackWalker}
 * fallback (what every sample cost before 2026-12-07). The profiler keeps at most 64
 * frames ({@code maxStackDepth}), but a {@code Throwable} fills in all of them, so at
 * depth 150 the Throwable path pays for frames it then drops, as it does in a service:
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar SampledAllocationBenchmark
 * java -jar benchmarks/target/benchmarks.jar SampledAllocationBenchmark -jvmArgsAppend -XX:-StackTraceInThrowable
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class SampledAllocationBenchmark {

	/** Java frames between the benchmark method and the allocation. */
	@Param({ "10", "50", "150" })
	public int depth;

	@Param({ "every", "off" })
	public String sampling;

	private JemallocByteBufAllocator allocator;

	@Setup
	public void setUp() {
		long interval = "every".equals(this.sampling) ? 1 : 0;
		ProfilingOptions options = ProfilingOptions.defaults().withSampleInterval(interval);
		this.allocator = JemallocByteBufAllocator.builder().profiling(options).build();
	}

	@Benchmark
	public int allocateAndRelease() {
		return down(this.depth);
	}

	private int down(int frames) {
		if (frames > 0) {
			return down(frames - 1) + 1;
		}
		ByteBuf buffer = this.allocator.directBuffer(256);
		int capacity = buffer.capacity();
		buffer.release();
		return capacity;
	}

}
