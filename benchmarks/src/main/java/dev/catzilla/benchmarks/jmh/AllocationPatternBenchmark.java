package dev.catzilla.benchmarks.jmh;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.catzilla.allocator.JemallocByteBufAllocator;
import dev.catzilla.allocator.ProfilingOptions;
import dev.catzilla.allocator.RawJemallocAccess;
import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
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
 * Allocation on realistic patterns: each benchmark thread (a Netty
 * {@code FastThreadLocalThread}, see {@link EventLoopExecutor}, as an event loop) keeps a
 * ring of {@code live} buffers; one operation releases a buffer picked at random from the
 * ring (so lifetimes vary, and releases come in random order, not in allocation order),
 * allocates a new one of the next size from the mix, writes one byte and reads it back.
 * The ring starts full.
 * <p>
 * {@code mix}:
 * <ul>
 * <li>{@code gateway}: log-normal sizes like the bodies and headers through an API
 * gateway: median 2 KiB, {@code sigma} 0.978 (so p95 about 10 KiB, p99 about 20 KiB), at
 * least 1 byte, at most 1 MiB.</li>
 * <li>{@code tls}: a TLS proxy: 85% record buffers of 16.5 to 17 KiB (a 16 KiB record
 * plus header, padding and MAC, as {@code SslHandler} allocates them), 10% of 64 B to 1
 * KiB (handshake pieces, alerts, small writes) and 5% of 1 to 8 KiB.</li>
 * </ul>
 * Sizes and ring positions are generated before measuring (a sequence of 2^20 per trial,
 * fixed seed, each thread starting at a different offset), so no random number generation
 * is measured.
 * <p>
 * The forks run with a fixed, pre-touched heap
 * ({@code -Xms2g -Xmx2g -XX:+AlwaysPreTouch}): an allocator that leaves garbage per
 * buffer (ours does: the buffer object) otherwise also pays the kernel's first-touch page
 * faults of a heap the JVM commits lazily, which depend on the machine's memory and on
 * what ran before, not on the allocator; with a fixed heap that cost shows as GC work and
 * in {@code -prof gc}'s {@code gc.alloc.rate.norm} (B/op) instead. Direct memory is
 * capped at 4 GiB for all allocators ({@code -XX:MaxDirectMemorySize}), room for 16,384
 * TLS records on each of two threads.
 * <p>
 * {@code allocator}: Catzilla's {@code jemalloc}; Netty's {@code adaptive} and
 * {@code pooled}; {@code mimalloc}, the pure-Java mimalloc port for Netty 4.2
 * ({@code io.github.neoionet.netty.mimalloc.MiByteBufAllocator}, not on Maven Central:
 * built from its source by {@code benchmarks/competitors/netty-mimalloc.sh} and put on
 * the classpath, see benchmarks/README.md; loaded by name, so this module does not depend
 * on it); and {@code raw-jni}, the floor: the same pattern on bare JNI
 * {@code mallocx}/{@code sdallocx} addresses, no buffer object, touched through Netty's
 * {@code Unsafe} where it has one (JDK 17) and not at all where it has none (JDK 25 by
 * default).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 2, jvmArgsAppend = { "-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch", "-XX:MaxDirectMemorySize=4g",
		"-Djmh.executor=CUSTOM", "-Djmh.executor.class=dev.catzilla.benchmarks.jmh.EventLoopExecutor" })
public class AllocationPatternBenchmark {

	static final int SEQUENCE = 1 << 20;

	static final int MAX_SIZE = 1024 * 1024;

	@Param({ "jemalloc", "adaptive", "pooled", "mimalloc", "raw-jni" })
	public String allocator;

	/**
	 * The raw pair touches its byte through Netty's Unsafe; without it (JDK 25 default)
	 * it touches nothing.
	 */
	private static final boolean CAN_TOUCH_RAW = PlatformDependent.hasUnsafe();

	/** The {@code raw-jni} floor: addresses instead of buffers. */
	boolean raw;

	@Param({ "1024", "16384" })
	public int live;

	@Param({ "gateway", "tls" })
	public String mix;

	/**
	 * Catzilla's sampled allocation profile ({@code jemalloc} only; the others ignore
	 * it): {@code off}, or {@code on} at the default mean interval
	 * ({@code ProfilingOptions.DEFAULT_SAMPLE_INTERVAL}); compare with
	 * {@code -p allocator=jemalloc -p profile=off,on}.
	 */
	@Param({ "off" })
	public String profile;

	ByteBufAllocator alloc;

	/** Size of the buffer allocated by the i-th operation. */
	int[] sizes;

	/** Ring position whose buffer the i-th operation replaces. */
	int[] victims;

	final AtomicInteger threadIndex = new AtomicInteger();

	/**
	 * Rings not yet emptied: the last one to empty checks that the allocator holds
	 * nothing (trial states end first).
	 */
	final AtomicInteger ringsLeft = new AtomicInteger();

	@Setup(Level.Trial)
	public void setUp() {
		this.alloc = switch (this.allocator) {
			case "jemalloc" -> JemallocByteBufAllocator.builder().profiling(switch (this.profile) {
				case "off" -> ProfilingOptions.off();
				case "on" -> ProfilingOptions.defaults();
				default -> throw new IllegalArgumentException("unknown profile " + this.profile);
			}).build();
			case "adaptive" -> new AdaptiveByteBufAllocator(true);
			case "pooled" -> new PooledByteBufAllocator(true);
			case "mimalloc" -> mimalloc();
			case "raw-jni" -> null;
			default -> throw new IllegalArgumentException("unknown allocator " + this.allocator);
		};
		this.raw = this.alloc == null;
		if (this.raw) {
			RawJemallocAccess.initialize();
		}
		SplittableRandom random = new SplittableRandom(0x5EED);
		this.sizes = new int[SEQUENCE];
		this.victims = new int[SEQUENCE];
		for (int i = 0; i < SEQUENCE; i++) {
			this.sizes[i] = switch (this.mix) {
				case "gateway" -> gateway(random);
				case "tls" -> tls(random);
				default -> throw new IllegalArgumentException("unknown mix " + this.mix);
			};
			this.victims[i] = random.nextInt(this.live);
		}
	}

	/**
	 * neoionet's mimalloc port for Netty, direct buffers preferred; from the classpath
	 * (see the class comment).
	 */
	static ByteBufAllocator mimalloc() {
		String name = "io.github.neoionet.netty.mimalloc.MiByteBufAllocator";
		try {
			return (ByteBufAllocator) Class.forName(name).getConstructor(boolean.class).newInstance(true);
		}
		catch (ClassNotFoundException ex) {
			throw new IllegalStateException(name + " is not on the classpath: run with -cp benchmarks.jar:$("
					+ "benchmarks/competitors/netty-mimalloc.sh) org.openjdk.jmh.Main ...", ex);
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException("cannot create " + name, ex);
		}
	}

	/**
	 * Log-normal, median 2 KiB, sigma 0.978 (p95 about 10 KiB, p99 about 20 KiB), in [1,
	 * 1 MiB].
	 */
	static int gateway(SplittableRandom random) {
		double size = 2048 * Math.exp(0.978 * gaussian(random));
		return (int) Math.max(1, Math.min(MAX_SIZE, Math.round(size)));
	}

	/** 85% TLS records of 16.5-17 KiB, 10% of 64 B-1 KiB, 5% of 1-8 KiB. */
	static int tls(SplittableRandom random) {
		int kind = random.nextInt(100);
		if (kind < 85) {
			return random.nextInt(16_896, 17_409);
		}
		if (kind < 95) {
			return random.nextInt(64, 1025);
		}
		return random.nextInt(1024, 8193);
	}

	/**
	 * A standard normal variate (Box-Muller; {@link SplittableRandom} has none before JDK
	 * 17's RandomGenerator).
	 */
	private static double gaussian(SplittableRandom random) {
		double u = 1.0 - random.nextDouble();
		double v = random.nextDouble();
		return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
	}

	/** One benchmark thread's ring of live buffers and position in the sequence. */
	@State(Scope.Thread)
	public static class Ring {

		ByteBuf[] buffers;

		/** {@code raw-jni}: the live addresses and the sizes they were allocated with. */
		long[] addresses;

		int[] rawSizes;

		int next;

		AllocationPatternBenchmark benchmark;

		@Setup(Level.Trial)
		public void fill(AllocationPatternBenchmark benchmark) {
			if (!(Thread.currentThread() instanceof io.netty.util.concurrent.FastThreadLocalThread)) {
				throw new IllegalStateException("benchmark threads must be FastThreadLocalThreads (EventLoopExecutor), "
						+ "got " + Thread.currentThread());
			}
			// Threads start far apart in the sequence, so they do not allocate the same
			// sizes in lockstep.
			this.benchmark = benchmark;
			benchmark.ringsLeft.incrementAndGet();
			this.next = benchmark.threadIndex.getAndIncrement() * 7919 * 64;
			if (benchmark.raw) {
				this.addresses = new long[benchmark.live];
				this.rawSizes = new int[benchmark.live];
				for (int i = 0; i < this.addresses.length; i++) {
					int size = benchmark.sizes[(this.next++) & (SEQUENCE - 1)];
					this.addresses[i] = RawJemallocAccess.allocate(size);
					this.rawSizes[i] = size;
				}
				return;
			}
			this.buffers = new ByteBuf[benchmark.live];
			for (int i = 0; i < this.buffers.length; i++) {
				ByteBuf buf = benchmark.alloc.directBuffer(benchmark.sizes[(this.next++) & (SEQUENCE - 1)]);
				if (!buf.isDirect()) {
					throw new IllegalStateException(benchmark.allocator + " did not give a direct buffer");
				}
				buf.writeByte(1);
				this.buffers[i] = buf;
			}
		}

		@TearDown(Level.Trial)
		public void empty() {
			if (this.addresses != null) {
				for (int i = 0; i < this.addresses.length; i++) {
					RawJemallocAccess.free(this.addresses[i], this.rawSizes[i]);
				}
				return;
			}
			for (ByteBuf buf : this.buffers) {
				buf.release();
			}
			if (this.benchmark.ringsLeft.decrementAndGet() == 0
					&& this.benchmark.alloc instanceof JemallocByteBufAllocator jemalloc
					&& jemalloc.usedDirectMemory() != 0) {
				throw new IllegalStateException("leaked: " + jemalloc);
			}
		}

	}

	@Benchmark
	@Threads(2)
	public byte replaceOne(Ring ring) {
		int i = (ring.next++) & (SEQUENCE - 1);
		int victim = this.victims[i];
		if (this.raw) {
			return replaceOneRaw(ring, i, victim);
		}
		ByteBuf[] buffers = ring.buffers;
		buffers[victim].release();
		ByteBuf buf = this.alloc.directBuffer(this.sizes[i]);
		buf.writeByte(1);
		buffers[victim] = buf;
		return buf.readByte();
	}

	private byte replaceOneRaw(Ring ring, int i, int victim) {
		RawJemallocAccess.free(ring.addresses[victim], ring.rawSizes[victim]);
		int size = this.sizes[i];
		long address = RawJemallocAccess.allocate(size);
		ring.addresses[victim] = address;
		ring.rawSizes[victim] = size;
		if (CAN_TOUCH_RAW) {
			PlatformDependent.putByte(address, (byte) 1);
			return PlatformDependent.getByte(address);
		}
		return (byte) address;
	}

}
