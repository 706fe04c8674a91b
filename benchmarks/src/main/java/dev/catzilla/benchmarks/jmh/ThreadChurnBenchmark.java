package dev.catzilla.benchmarks.jmh;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.catzilla.allocator.JemallocByteBufAllocator;
import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Many short-lived allocating threads: 100,000 threads, each allocating one 4 KiB direct
 * buffer, touching it and releasing it, then ending; what a Spring application with
 * {@code spring.threads.virtual.enabled=true} does all the time. One invocation runs all
 * of them and waits for the last; the score is per thread
 * ({@code OperationsPerInvocation}), in microseconds, so it includes starting and ending
 * the thread, which costs every allocator the same.
 * <p>
 * {@code threads}: {@code virtual} (one virtual thread per task, all started at once: JDK
 * 21+ only), or {@code platform} (platform threads, at most 256 alive at once).
 * {@code allocator}: Catzilla's {@link JemallocByteBufAllocator} capped at 64 MiB (the
 * cap is what makes per-thread bookkeeping matter), Netty's {@code adaptive} and
 * {@code pooled} allocators (new instances, direct buffers preferred). A refused
 * allocation fails the run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 10)
@Fork(value = 2, jvmArgsAppend = { "-Xms1g", "-Xmx1g" })
public class ThreadChurnBenchmark {

	static final int THREADS = 100_000;

	@Param({ "jemalloc", "adaptive", "pooled" })
	public String allocator;

	@Param({ "virtual" })
	public String threads;

	private ByteBufAllocator alloc;

	private final AtomicInteger failures = new AtomicInteger();

	private volatile Throwable firstFailure;

	private Runnable task;

	@Setup(Level.Trial)
	public void setUp() throws Exception {
		if (this.threads.equals("virtual") && Runtime.version().feature() < 21) {
			throw new IllegalStateException(
					"virtual threads need JDK 21+; run with -p threads=platform on " + Runtime.version());
		}
		this.alloc = switch (this.allocator) {
			case "jemalloc" -> JemallocByteBufAllocator.builder().maxDirectMemory(64L * 1024 * 1024).build();
			case "adaptive" -> new AdaptiveByteBufAllocator(true);
			case "pooled" -> new PooledByteBufAllocator(true);
			default -> throw new IllegalArgumentException("unknown allocator " + this.allocator);
		};
		ByteBuf probe = this.alloc.directBuffer(4096);
		if (!probe.isDirect()) {
			throw new IllegalStateException(this.allocator + " did not give a direct buffer");
		}
		probe.release();
		this.task = () -> {
			try {
				ByteBuf buf = this.alloc.directBuffer(4096);
				buf.writeByte(1);
				buf.release();
			}
			catch (Throwable ex) {
				this.firstFailure = ex;
				this.failures.incrementAndGet();
			}
		};
	}

	@TearDown(Level.Iteration)
	public void check() {
		if (this.failures.get() != 0) {
			throw new IllegalStateException(this.failures.get() + " allocation(s) failed", this.firstFailure);
		}
		if (this.alloc instanceof JemallocByteBufAllocator jemalloc && jemalloc.usedDirectMemory() != 0) {
			throw new IllegalStateException("leaked: " + jemalloc);
		}
	}

	@Benchmark
	@OperationsPerInvocation(THREADS)
	public void churn() throws Exception {
		if (this.threads.equals("virtual")) {
			ExecutorService executor = newVirtualThreadPerTaskExecutor();
			for (int i = 0; i < THREADS; i++) {
				executor.execute(this.task);
			}
			executor.shutdown();
			if (!executor.awaitTermination(10, TimeUnit.MINUTES)) {
				throw new IllegalStateException("threads did not finish within 10 minutes");
			}
		}
		else {
			List<Thread> alive = new ArrayList<>(256);
			for (int i = 0; i < THREADS; i++) {
				if (alive.size() == 256) {
					for (Thread thread : alive) {
						thread.join();
					}
					alive.clear();
				}
				Thread thread = new Thread(this.task);
				thread.start();
				alive.add(thread);
			}
			for (Thread thread : alive) {
				thread.join();
			}
		}
	}

	/**
	 * {@code Executors.newVirtualThreadPerTaskExecutor()}, a JDK 21 method; this module
	 * is compiled for 17.
	 */
	private static ExecutorService newVirtualThreadPerTaskExecutor() throws Exception {
		Method factory = Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
		return (ExecutorService) factory.invoke(null);
	}

}
