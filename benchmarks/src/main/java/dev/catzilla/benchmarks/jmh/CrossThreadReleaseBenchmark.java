package dev.catzilla.benchmarks.jmh;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.catzilla.allocator.JemallocByteBufAllocator;
import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Control;

/**
 * Buffers allocated on one plain thread and released on another (issue 16 item 3: a
 * handler that hands a buffer to a worker pool, or a client thread whose response buffer
 * is released by the caller). Each JMH group is one allocating thread and one releasing
 * thread joined by a bounded queue (batches of 64 buffers, at most 4 batches in flight);
 * run it with {@code -tg 4,4} for 4 groups, i.e. 8 threads as in the issue. Sizes cycle
 * through a fixed mix of 64 B to 64 KiB. The figure is ns per buffer (the queue keeps
 * both sides at the same rate).
 * <p>
 * {@code allocator}: Catzilla's {@code jemalloc} (its default builder, so profiling at
 * the default rate), {@code jemalloc-noprofile} (sampling off), Netty's {@code adaptive}
 * and {@code pooled}.
 */
@State(Scope.Group)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
public class CrossThreadReleaseBenchmark {

	private static final int[] SIZES = { 64, 256, 1024, 4096, 16384, 65536, 512, 2048, 8192, 32768, 128, 24576 };

	@Param({ "jemalloc", "jemalloc-noprofile", "adaptive", "pooled" })
	public String allocator;

	private static ByteBufAllocator shared;

	private static String sharedName;

	private static final int BATCH = 64;

	private final ArrayBlockingQueue<ByteBuf[]> queue = new ArrayBlockingQueue<>(4);

	private ByteBufAllocator alloc;

	private int next;

	@Setup(Level.Trial)
	public void setUp() {
		this.alloc = allocator(this.allocator);
	}

	/**
	 * One allocator instance for all groups of a trial, as one service has one allocator.
	 */
	private static synchronized ByteBufAllocator allocator(String name) {
		if (!name.equals(sharedName)) {
			shared = switch (name) {
				case "jemalloc" -> JemallocByteBufAllocator.builder().build();
				case "jemalloc-noprofile" ->
					JemallocByteBufAllocator.builder().profiling(dev.catzilla.allocator.ProfilingOptions.off()).build();
				case "adaptive" -> new AdaptiveByteBufAllocator(true);
				case "pooled" -> new PooledByteBufAllocator(true);
				default -> throw new IllegalArgumentException("unknown allocator " + name);
			};
			sharedName = name;
		}
		return shared;
	}

	@TearDown(Level.Iteration)
	public void drain() {
		ByteBuf[] batch;
		while ((batch = this.queue.poll()) != null) {
			for (ByteBuf buf : batch) {
				buf.release();
			}
		}
	}

	@Benchmark
	@Group("handoff")
	@GroupThreads(1)
	@OperationsPerInvocation(BATCH)
	public void allocate(Control control) throws InterruptedException {
		ByteBuf[] batch = new ByteBuf[BATCH];
		for (int i = 0; i < BATCH; i++) {
			ByteBuf buf = this.alloc.directBuffer(SIZES[this.next++ % SIZES.length]);
			buf.writeByte(1);
			batch[i] = buf;
		}
		while (!this.queue.offer(batch, 10, TimeUnit.MILLISECONDS)) {
			if (control.stopMeasurement) {
				for (ByteBuf buf : batch) {
					buf.release();
				}
				return;
			}
		}
	}

	@Benchmark
	@Group("handoff")
	@GroupThreads(1)
	@OperationsPerInvocation(BATCH)
	public int release(Control control) throws InterruptedException {
		ByteBuf[] batch;
		while ((batch = this.queue.poll(10, TimeUnit.MILLISECONDS)) == null) {
			if (control.stopMeasurement) {
				return 0;
			}
		}
		int released = 0;
		for (ByteBuf buf : batch) {
			released += buf.release() ? 1 : 0;
		}
		return released;
	}

}
