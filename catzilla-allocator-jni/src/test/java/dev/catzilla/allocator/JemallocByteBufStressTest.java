package dev.catzilla.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocalThread;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two producer threads allocate, fill and (half of the time) hand buffers to two consumer
 * threads through a bounded queue; consumers check the content, sometimes grow the
 * buffer, and release it. Afterwards nothing is counted and jemalloc's
 * {@code stats.allocated} is back where it started: once the worker threads have ended,
 * jemalloc has flushed their thread caches, so no tolerance is needed. Producers are
 * event loops (their own caches) or plain threads (the hand-off cache, which consumers
 * fill and the quiet purge empties).
 */
class JemallocByteBufStressTest {

	private static final int[] SIZES = { 0, 1, 63, 64, 1000, 1024, 4096, 16_384, 65_536, 200_000 };

	private static final int PER_PRODUCER = 20_000;

	private static final ByteBuf POISON = io.netty.buffer.Unpooled.EMPTY_BUFFER;

	@BeforeAll
	static void requireLibrary() {
		NativeTestSupport.requireNativeLibrary();
	}

	@ParameterizedTest(name = "producers are event loops: {0}")
	@ValueSource(booleans = { true, false })
	void crossThreadAllocAndReleaseLeavesNothingBehind(boolean eventLoopProducers) throws Exception {
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder().maxDirectMemory(256L << 20).build();
		NativeTestSupport.settleBackgroundFrees();
		long baseline = Jemalloc.stats().allocated();
		BlockingQueue<ByteBuf> queue = new ArrayBlockingQueue<>(256);
		ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
		List<Thread> producers = new ArrayList<>();
		List<Thread> consumers = new ArrayList<>();
		for (int p = 0; p < 2; p++) {
			int seed = p;
			Runnable producer = () -> produce(allocator, queue, seed, failures);
			producers.add(eventLoopProducers ? new FastThreadLocalThread(producer, "producer-" + p)
					: new Thread(producer, "producer-" + p));
		}
		for (int c = 0; c < 2; c++) {
			consumers.add(new Thread(() -> consume(queue, failures), "consumer-" + c));
		}
		producers.forEach(Thread::start);
		consumers.forEach(Thread::start);
		for (Thread producer : producers) {
			producer.join(TimeUnit.MINUTES.toMillis(2));
		}
		for (int c = 0; c < consumers.size(); c++) {
			queue.put(POISON);
		}
		for (Thread consumer : consumers) {
			consumer.join(TimeUnit.MINUTES.toMillis(2));
		}
		assertThat(failures).isEmpty();
		assertThat(producers).noneMatch(Thread::isAlive);
		assertThat(consumers).noneMatch(Thread::isAlive);
		assertThat(allocator.usedDirectMemory()).isZero();
		// Thread.join() returns before the native thread has run its TLS destructors
		// (jemalloc's tcache flush):
		// wait for that, not for a time; and for the quiet purge to empty the hand-off
		// cache (1 s after the last put).
		long allocated = Jemalloc.stats().allocated();
		for (int i = 0; i < 800 && allocated != baseline; i++) {
			Thread.sleep(25);
			allocated = Jemalloc.stats().allocated();
		}
		assertThat(allocated).as("jemalloc stats.allocated after the stress (before: %d)", baseline)
			.isEqualTo(baseline);
		assertThat(allocator.cachedDirectMemory()).isZero();
	}

	private static void produce(JemallocByteBufAllocator allocator, BlockingQueue<ByteBuf> queue, int seed,
			ConcurrentLinkedQueue<Throwable> failures) {
		Random random = new Random(seed);
		try {
			for (int i = 0; i < PER_PRODUCER; i++) {
				int size = SIZES[random.nextInt(SIZES.length)];
				ByteBuf buf = allocator.directBuffer(size);
				buf.writeInt(size);
				buf.writerIndex(Math.max(4, size));
				buf.setByte(buf.writerIndex() - 1, (byte) size);
				if (random.nextBoolean()) {
					check(buf);
					buf.release();
				}
				else {
					queue.put(buf);
				}
			}
		}
		catch (Throwable ex) {
			failures.add(ex);
		}
	}

	private static void consume(BlockingQueue<ByteBuf> queue, ConcurrentLinkedQueue<Throwable> failures) {
		try {
			for (ByteBuf buf; (buf = queue.take()) != POISON;) {
				try {
					check(buf);
					if ((buf.getInt(0) & 1) == 0) {
						buf.ensureWritable(buf.capacity() + 1000);
						buf.writeLong(buf.getInt(0));
						check(buf.readerIndex(0).writerIndex(buf.writerIndex() - 8));
					}
				}
				finally {
					buf.release();
				}
			}
		}
		catch (Throwable ex) {
			failures.add(ex);
		}
	}

	private static void check(ByteBuf buf) {
		int size = buf.getInt(0);
		if (buf.writerIndex() != Math.max(4, size) || buf.getByte(buf.writerIndex() - 1) != (byte) size) {
			throw new AssertionError("corrupt buffer " + buf + " for size " + size);
		}
	}

}
