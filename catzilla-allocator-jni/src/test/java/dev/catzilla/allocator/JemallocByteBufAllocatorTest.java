package dev.catzilla.allocator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.CompositeByteBuf;
import io.netty.util.internal.PlatformDependent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The allocator: buffer kinds, metric, cap, errors, jemalloc's own counters. */
class JemallocByteBufAllocatorTest {

	private static final int MIB = 1024 * 1024;

	@BeforeAll
	static void requireLibrary() {
		NativeTestSupport.requireNativeLibrary();
	}

	@Test
	void defaultPrefersDirectBuffersCappedAtTheJvmMaxDirectMemory() {
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.DEFAULT;
		assertThat(allocator.maxDirectMemory()).isEqualTo(PlatformDependent.maxDirectMemory());
		assertThat(allocator.isDirectBufferPooled()).isTrue();
		ByteBuf buf = allocator.buffer(10);
		try {
			assertThat(buf.isDirect()).isTrue();
			assertThat(buf.unwrap()).isInstanceOf(JemallocByteBuf.class);
		}
		finally {
			buf.release();
		}
		assertThat(allocator.toString()).startsWith("JemallocByteBufAllocator(")
			.contains("directByDefault: true")
			.contains("maxDirectMemory: " + PlatformDependent.maxDirectMemory());
	}

	@Test
	void theMemoryAccessPathIsTheOneTheJdkAllows() {
		assertThat(JemallocByteBuf.UNSAFE).isEqualTo(PlatformDependent.hasUnsafe());
		if (Runtime.version().feature() >= 25) {
			assertThat(JemallocByteBuf.UNSAFE).as("Netty disables its Unsafe use on JDK 25: ByteBuffer views")
				.isFalse();
		}
	}

	@Test
	void heapBuffersStayOnTheJavaHeapAndAreCounted() {
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder().preferDirect(false).build();
		ByteBufAllocatorMetric metric = allocator.metric();
		ByteBuf heap = allocator.buffer(1000);
		assertThat(heap.isDirect()).isFalse();
		assertThat(heap.hasArray()).isTrue();
		assertThat(metric.usedHeapMemory()).isEqualTo(1000);
		heap.writeZero(1500);
		assertThat(metric.usedHeapMemory()).isEqualTo(heap.capacity());
		ByteBuf io = allocator.ioBuffer(100);
		ByteBuf ioDefault = allocator.ioBuffer();
		assertThat(io.isDirect()).as("I/O buffers always come from jemalloc").isTrue();
		assertThat(ioDefault.isDirect()).isTrue();
		ByteBuf bounded = allocator.ioBuffer(10, 20);
		assertThat(bounded.maxCapacity()).isEqualTo(20);
		assertThat(metric.usedDirectMemory()).isEqualTo(100 + 256 + 10);
		assertThat(heap.release()).isTrue();
		assertThat(metric.usedHeapMemory()).isZero();
		io.release();
		ioDefault.release();
		assertThat(metric.usedDirectMemory()).isEqualTo(10);
		assertThat(metric.toString()).contains("usedDirectMemory: 10");
		bounded.release();
		assertThat(metric.usedDirectMemory()).isZero();
	}

	@Test
	void directMemoryIsCountedAndJemallocsCountersMove() throws Exception {
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder().build();
		// Quiet purge off: the 8 MiB free would start a watch thread whose
		// first jemalloc calls (its thread cache, about 28 KiB) raise
		// stats.allocated while this test reads it.
		QuietPurgeOff.run(() -> {
			NativeTestSupport.settleBackgroundFrees();
			long before = Jemalloc.stats().allocated();
			ByteBuf big = allocator.directBuffer(8 * MIB);
			ByteBuf zero = allocator.directBuffer(0);
			assertThat(allocator.usedDirectMemory()).isEqualTo(8 * MIB + 1);
			assertThat(allocator.metric().usedDirectMemory()).isEqualTo(8 * MIB + 1);
			long during = Jemalloc.stats().allocated();
			big.release();
			zero.release();
			// stats.allocated is process-wide: a thread that ended in an earlier test may
			// flush its jemalloc thread cache at any moment (after join() returned),
			// lowering it by up to a few hundred KiB.
			assertThat(during - before).isGreaterThanOrEqualTo(8 * MIB - MIB);
			assertThat(allocator.usedDirectMemory()).isZero();
			assertThat(Jemalloc.stats().allocated()).isLessThanOrEqualTo(during - 8 * MIB);
		});
	}

	@Test
	void emptyAndCompositeBuffers() {
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder().build();
		ByteBuf empty = allocator.directBuffer(0, 0);
		assertThat(empty.capacity()).isZero();
		assertThat(empty.maxCapacity()).isZero();
		CompositeByteBuf composite = allocator.compositeDirectBuffer();
		composite.addComponent(true, allocator.directBuffer(16).writeLong(1).writeLong(2));
		composite.addComponent(true, allocator.directBuffer(8).writeLong(3));
		assertThat(composite.readLong() + composite.readLong() + composite.readLong()).isEqualTo(6);
		assertThat(allocator.usedDirectMemory()).isEqualTo(24);
		composite.release();
		assertThat(allocator.usedDirectMemory()).isZero();
	}

	@Test
	void badSizesAreRejected() {
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder().build();
		assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> allocator.directBuffer(-1));
		assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> allocator.heapBuffer(-1));
		assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> allocator.directBuffer(10, 5));
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> JemallocByteBufAllocator.builder().maxDirectMemory(0));
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> JemallocByteBufAllocator.builder().maxDirectMemory(-5));
		assertThat(allocator.usedDirectMemory()).isZero();
	}

	@Test
	void allocationBeyondTheCapThrowsANonFatalCapExceededExceptionWithTheNumbers() {
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder().maxDirectMemory(MIB).build();
		assertThat(allocator.maxDirectMemory()).isEqualTo(MIB);
		ByteBuf a = allocator.directBuffer(MIB / 2);
		ByteBuf b = allocator.directBuffer(MIB / 2);
		assertThat(allocator.usedDirectMemory()).isEqualTo(MIB);
		assertThatExceptionOfType(JemallocCapExceededException.class).isThrownBy(() -> allocator.directBuffer(1))
			.withMessage(
					"failed to allocate 1 byte(s) of direct memory from jemalloc (used: " + MIB + ", max: " + MIB + ")")
			.satisfies(refusal -> assertThat(refusal.requested()).isEqualTo(1))
			.satisfies(refusal -> assertThat(refusal.used()).isEqualTo(MIB))
			.satisfies(refusal -> assertThat(refusal.max()).isEqualTo(MIB));
		assertThat(allocator.refusedAllocations()).isEqualTo(1);
		assertThat(allocator.refusedBytes()).isEqualTo(1);
		a.writeLong(77);
		assertThatExceptionOfType(JemallocCapExceededException.class).isThrownBy(() -> a.capacity(MIB / 2 + 1));
		assertThat(a.capacity()).as("a failed growth leaves the buffer as it was").isEqualTo(MIB / 2);
		assertThat(a.getLong(0)).isEqualTo(77);
		assertThat(allocator.usedDirectMemory()).isEqualTo(MIB);
		b.release();
		ByteBuf c = allocator.directBuffer(MIB / 2);
		a.release();
		c.release();
		assertThat(allocator.usedDirectMemory()).isZero();
		ByteBuf whole = allocator.directBuffer(MIB);
		whole.release();
		assertThatExceptionOfType(JemallocCapExceededException.class).isThrownBy(() -> allocator.directBuffer(MIB + 1))
			.withMessageContaining("max: " + MIB);
		assertThat(allocator.refusedAllocations()).isEqualTo(3);
	}

	@Test
	void theFallbackErrorIsUsedWhenNettysCannotBeMade() {
		assertThat(OutOfMemoryErrors.lookup(OutOfMemoryErrors.NETTY_ERROR)).isNotNull();
		assertThat(OutOfMemoryErrors.lookup("no.such.Error")).isNull();
		assertThat(OutOfMemoryErrors.create(null, "failed to allocate 5 byte(s)"))
			.isInstanceOf(JemallocOutOfMemoryError.class)
			.hasMessage("failed to allocate 5 byte(s)");
		assertThat(OutOfMemoryErrors.outOfDirectMemory("x").getClass().getName())
			.isEqualTo(OutOfMemoryErrors.NETTY_ERROR);
	}

	@Test
	void buffersAllocatedAndReleasedOnDifferentThreadsBalanceTheCount() throws Exception {
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder().maxDirectMemory(MIB).build();
		List<ByteBuf> buffers = CompletableFuture.supplyAsync(() -> {
			List<ByteBuf> made = new ArrayList<>();
			for (int i = 0; i < 100; i++) {
				made.add(allocator.directBuffer(1000));
			}
			return made;
		}).get();
		assertThat(allocator.usedDirectMemory()).isEqualTo(100_000);
		for (ByteBuf buf : buffers) {
			buf.release();
		}
		assertThat(allocator.usedDirectMemory()).isZero();
	}

	@Test
	void capacityLeasedByThreadsThatEndedIsReclaimed() throws Exception {
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder().maxDirectMemory(MIB).build();
		// 200 threads that each allocated once and ended: whatever share of the cap they
		// took must be back.
		for (int i = 0; i < 200; i++) {
			AtomicReference<Throwable> failure = new AtomicReference<>();
			Thread thread = new Thread(() -> {
				try {
					allocator.directBuffer(100).release();
				}
				catch (Throwable ex) {
					failure.set(ex);
				}
			});
			thread.start();
			thread.join();
			assertThat(failure.get()).as("allocation on thread " + i).isNull();
		}
		ByteBuf whole = allocator.directBuffer(MIB);
		assertThat(allocator.usedDirectMemory()).isEqualTo(MIB);
		whole.release();
		assertThat(allocator.usedDirectMemory()).isZero();
	}

}
