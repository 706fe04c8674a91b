package dev.catzilla.benchmarks.jmh;

import java.util.concurrent.TimeUnit;

import dev.catzilla.allocator.JemallocByteBufAllocator;
import dev.catzilla.allocator.RawJemallocAccess;
import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
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
 * Allocation and release of one direct buffer, touched once ({@code writeByte}, or one
 * byte put at the address for the raw pair) so nothing is optimised away; the same work
 * for every allocator, on 1 and 2 threads that are Netty {@code FastThreadLocalThread}s
 * (see {@link EventLoopExecutor}).
 * <p>
 * {@code allocator}: {@code jemalloc} (Catzilla's {@link JemallocByteBufAllocator}),
 * {@code jemalloc-nocache} (the same with its event-loop caches off: what a buffer costs
 * on threads that are not event loops), Netty's {@code adaptive}, {@code pooled} and
 * {@code unpooled} allocators (new instances with direct buffers preferred), and
 * {@code raw-jni} (the bare JNI {@code mallocx}/{@code sdallocx} pair: what one buffer
 * costs in native calls alone; for sizes up to jemalloc's {@code tcache_max} (64 KiB)
 * Catzilla's event-loop thread cache makes no native call, so it can beat this pair).
 * Leak detection stays at Netty's default for all.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = { "-Djmh.executor=CUSTOM",
		"-Djmh.executor.class=dev.catzilla.benchmarks.jmh.EventLoopExecutor" })
public class AllocatorBenchmark {

	/**
	 * The raw pair touches its byte through Netty's Unsafe; without it (JDK 25 default)
	 * it touches nothing.
	 */
	private static final boolean CAN_TOUCH_RAW = PlatformDependent.hasUnsafe();

	@Param({ "jemalloc", "adaptive", "pooled", "unpooled", "raw-jni", "jemalloc-nocache" })
	public String allocator;

	@Param({ "64", "1024", "16384", "65536" })
	public int size;

	private ByteBufAllocator alloc;

	private boolean raw;

	@Setup(Level.Trial)
	public void setUp() {
		if (!(Thread.currentThread() instanceof io.netty.util.concurrent.FastThreadLocalThread)) {
			throw new IllegalStateException("benchmark threads must be FastThreadLocalThreads (EventLoopExecutor), "
					+ "got " + Thread.currentThread());
		}
		this.raw = this.allocator.equals("raw-jni");
		this.alloc = switch (this.allocator) {
			case "jemalloc" -> JemallocByteBufAllocator.builder().build();
			case "jemalloc-nocache" -> JemallocByteBufAllocator.builder().threadCaches(false).build();
			case "adaptive" -> new AdaptiveByteBufAllocator(true);
			case "pooled" -> new PooledByteBufAllocator(true);
			case "unpooled" -> new UnpooledByteBufAllocator(true);
			case "raw-jni" -> null;
			default -> throw new IllegalArgumentException("unknown allocator " + this.allocator);
		};
		if (this.raw) {
			RawJemallocAccess.initialize();
		}
		else {
			ByteBuf probe = this.alloc.directBuffer(this.size);
			if (!probe.isDirect()) {
				throw new IllegalStateException(this.allocator + " did not give a direct buffer");
			}
			probe.release();
		}
	}

	@TearDown(Level.Trial)
	public void tearDown() {
		if (this.alloc instanceof JemallocByteBufAllocator jemalloc && jemalloc.usedDirectMemory() != 0) {
			throw new IllegalStateException("leaked: " + jemalloc);
		}
	}

	@Benchmark
	@Threads(1)
	public boolean oneThread() {
		return allocTouchRelease();
	}

	@Benchmark
	@Threads(2)
	public boolean twoThreads() {
		return allocTouchRelease();
	}

	private boolean allocTouchRelease() {
		if (this.raw) {
			long address = RawJemallocAccess.allocate(this.size);
			if (CAN_TOUCH_RAW) {
				PlatformDependent.putByte(address, (byte) 1);
			}
			RawJemallocAccess.free(address, this.size);
			return address != 0;
		}
		ByteBuf buf = this.alloc.directBuffer(this.size);
		buf.writeByte(1);
		return buf.release();
	}

}
