package dev.catzilla.allocator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.IllegalReferenceCountException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ByteBuf behaviour of {@link JemallocByteBuf}, compared with Netty's heap buffers where
 * useful.
 */
class JemallocByteBufTest {

	private final JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder().build();

	private final List<ByteBuf> buffers = new ArrayList<>();

	@BeforeAll
	static void requireLibrary() {
		NativeTestSupport.requireNativeLibrary();
	}

	@AfterEach
	void releaseAll() {
		for (ByteBuf buf : this.buffers) {
			if (buf.refCnt() > 0) {
				buf.release(buf.refCnt());
			}
		}
		assertThat(this.allocator.usedDirectMemory()).as("native bytes held after every buffer was released").isZero();
	}

	private ByteBuf direct(int initialCapacity) {
		return track(this.allocator.directBuffer(initialCapacity));
	}

	private ByteBuf direct(int initialCapacity, int maxCapacity) {
		return track(this.allocator.directBuffer(initialCapacity, maxCapacity));
	}

	private ByteBuf track(ByteBuf buf) {
		this.buffers.add(buf);
		return buf;
	}

	private static JemallocByteBuf unwrapped(ByteBuf buf) {
		ByteBuf inner = buf;
		while (!(inner instanceof JemallocByteBuf) && inner.unwrap() != null) {
			inner = inner.unwrap();
		}
		assertThat(inner).isInstanceOf(JemallocByteBuf.class);
		return (JemallocByteBuf) inner;
	}

	private static byte[] pattern(int length, int seed) {
		byte[] bytes = new byte[length];
		new Random(seed).nextBytes(bytes);
		return bytes;
	}

	private static byte[] content(ByteBuf buf, int index, int length) {
		byte[] out = new byte[length];
		buf.getBytes(index, out);
		return out;
	}

	@Test
	// ByteBuf.order() is deprecated, but still part of what a buffer must answer
	@SuppressWarnings("deprecation")
	void isADirectJemallocBufferWithARealMemoryAddressTrackedByTheLeakDetector() {
		ByteBuf buf = direct(100);
		assertThat(buf.isDirect()).isTrue();
		assertThat(buf.hasArray()).isFalse();
		assertThat(buf.hasMemoryAddress()).isTrue();
		assertThat(buf.isContiguous()).isTrue();
		assertThat(buf.order()).isEqualTo(ByteOrder.BIG_ENDIAN);
		assertThat(buf.alloc()).isSameAs(this.allocator);
		assertThat(buf.getClass().getSimpleName()).as("leak-aware wrapper at PARANOID").contains("LeakAware");
		JemallocByteBuf inner = unwrapped(buf);
		assertThat(inner.toString()).startsWith("JemallocByteBuf(").contains("cap: 100");
		long address = buf.memoryAddress();
		assertThat(address).isNotZero();
		assertThat(JemallocNative.usableSize(address)).as("jemalloc knows the address").isGreaterThanOrEqualTo(100);
		assertThatThrownBy(buf::array).isInstanceOf(UnsupportedOperationException.class);
		assertThatThrownBy(buf::arrayOffset).isInstanceOf(UnsupportedOperationException.class);
	}

	@Test
	void everyPrimitiveReadsBackInBothByteOrders() {
		ByteBuf buf = direct(64);
		buf.setByte(0, 0x81);
		assertThat(buf.getByte(0)).isEqualTo((byte) 0x81);
		assertThat(buf.getUnsignedByte(0)).isEqualTo((short) 0x81);
		buf.setShort(1, 0x8182);
		assertThat(buf.getShort(1)).isEqualTo((short) 0x8182);
		assertThat(buf.getUnsignedShort(1)).isEqualTo(0x8182);
		assertThat(content(buf, 1, 2)).containsExactly(0x81, 0x82);
		buf.setShortLE(3, 0x8182);
		assertThat(buf.getShortLE(3)).isEqualTo((short) 0x8182);
		assertThat(buf.getUnsignedShortLE(3)).isEqualTo(0x8182);
		assertThat(content(buf, 3, 2)).containsExactly(0x82, 0x81);
		buf.setMedium(5, 0x818283);
		assertThat(buf.getUnsignedMedium(5)).isEqualTo(0x818283);
		assertThat(buf.getMedium(5)).isEqualTo(0xff818283);
		assertThat(content(buf, 5, 3)).containsExactly(0x81, 0x82, 0x83);
		buf.setMediumLE(8, 0x818283);
		assertThat(buf.getUnsignedMediumLE(8)).isEqualTo(0x818283);
		assertThat(buf.getMediumLE(8)).isEqualTo(0xff818283);
		assertThat(content(buf, 8, 3)).containsExactly(0x83, 0x82, 0x81);
		buf.setInt(11, 0x81828384);
		assertThat(buf.getInt(11)).isEqualTo(0x81828384);
		assertThat(buf.getUnsignedInt(11)).isEqualTo(0x81828384L);
		assertThat(content(buf, 11, 4)).containsExactly(0x81, 0x82, 0x83, 0x84);
		buf.setIntLE(15, 0x81828384);
		assertThat(buf.getIntLE(15)).isEqualTo(0x81828384);
		assertThat(buf.getUnsignedIntLE(15)).isEqualTo(0x81828384L);
		assertThat(content(buf, 15, 4)).containsExactly(0x84, 0x83, 0x82, 0x81);
		buf.setLong(19, 0x8182838485868788L);
		assertThat(buf.getLong(19)).isEqualTo(0x8182838485868788L);
		assertThat(content(buf, 19, 8)).containsExactly(0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88);
		buf.setLongLE(27, 0x8182838485868788L);
		assertThat(buf.getLongLE(27)).isEqualTo(0x8182838485868788L);
		assertThat(content(buf, 27, 8)).containsExactly(0x88, 0x87, 0x86, 0x85, 0x84, 0x83, 0x82, 0x81);
		buf.setChar(35, 'Ж');
		assertThat(buf.getChar(35)).isEqualTo('Ж');
		buf.setFloat(37, 3.25f);
		assertThat(buf.getFloat(37)).isEqualTo(3.25f);
		buf.setFloatLE(41, -1.5f);
		assertThat(buf.getFloatLE(41)).isEqualTo(-1.5f);
		buf.setDouble(45, Math.PI);
		assertThat(buf.getDouble(45)).isEqualTo(Math.PI);
		buf.setDoubleLE(53, -Math.E);
		assertThat(buf.getDoubleLE(53)).isEqualTo(-Math.E);
		buf.setBoolean(61, true);
		assertThat(buf.getBoolean(61)).isTrue();
	}

	@Test
	void sequentialWritesAndReadsMatchANettyHeapBufferByteForByte() {
		ByteBuf ours = direct(16);
		ByteBuf heap = track(Unpooled.buffer(16));
		Random random = new Random(42);
		for (int i = 0; i < 500; i++) {
			long value = random.nextLong();
			switch (i % 13) {
				case 0 -> {
					ours.writeByte((int) value);
					heap.writeByte((int) value);
				}
				case 1 -> {
					ours.writeShort((int) value);
					heap.writeShort((int) value);
				}
				case 2 -> {
					ours.writeShortLE((int) value);
					heap.writeShortLE((int) value);
				}
				case 3 -> {
					ours.writeMedium((int) value);
					heap.writeMedium((int) value);
				}
				case 4 -> {
					ours.writeMediumLE((int) value);
					heap.writeMediumLE((int) value);
				}
				case 5 -> {
					ours.writeInt((int) value);
					heap.writeInt((int) value);
				}
				case 6 -> {
					ours.writeIntLE((int) value);
					heap.writeIntLE((int) value);
				}
				case 7 -> {
					ours.writeLong(value);
					heap.writeLong(value);
				}
				case 8 -> {
					ours.writeLongLE(value);
					heap.writeLongLE(value);
				}
				case 9 -> {
					ours.writeDouble(value);
					heap.writeDouble(value);
				}
				case 10 -> {
					ours.writeFloatLE(value);
					heap.writeFloatLE(value);
				}
				case 11 -> {
					ours.writeZero(3);
					heap.writeZero(3);
				}
				default -> {
					ours.writeCharSequence("é" + i, io.netty.util.CharsetUtil.UTF_8);
					heap.writeCharSequence("é" + i, io.netty.util.CharsetUtil.UTF_8);
				}
			}
		}
		assertThat(ByteBufUtil.equals(ours, heap)).isTrue();
		assertThat(ByteBufUtil.hexDump(ours)).isEqualTo(ByteBufUtil.hexDump(heap));
		while (heap.isReadable(8)) {
			assertThat(ours.readLong()).isEqualTo(heap.readLong());
			assertThat(ours.readShortLE()).isEqualTo(heap.readShortLE());
			assertThat(ours.readUnsignedMedium()).isEqualTo(heap.readUnsignedMedium());
		}
	}

	@Test
	void indexChecksThrowIndexOutOfBounds() {
		ByteBuf buf = direct(8, 8);
		assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> buf.getByte(8));
		assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> buf.getLong(1));
		assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> buf.setInt(-1, 0));
		assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> buf.readByte());
		assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> buf.getBytes(4, new byte[8], 0, 5));
		assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> buf.setBytes(0, new byte[4], 1, 4));
		assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> buf.nioBuffer(4, 5));
		assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> buf.writeZero(9));
	}

	@Test
	void slicesAndDuplicatesShareContentAndRetainedVariantsCountReferences() {
		ByteBuf buf = direct(32);
		buf.writeBytes(pattern(32, 1));
		ByteBuf slice = buf.slice(8, 8);
		assertThat(slice.capacity()).isEqualTo(8);
		assertThat(slice.getByte(0)).isEqualTo(buf.getByte(8));
		slice.setByte(0, 0x7f);
		assertThat(buf.getByte(8)).isEqualTo((byte) 0x7f);
		assertThat(slice.hasMemoryAddress()).isTrue();
		assertThat(slice.memoryAddress()).isEqualTo(buf.memoryAddress() + 8);
		assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> slice.getByte(8));

		ByteBuf duplicate = buf.duplicate();
		duplicate.readerIndex(5);
		assertThat(buf.readerIndex()).isZero();
		duplicate.setLong(16, 42);
		assertThat(buf.getLong(16)).isEqualTo(42);

		ByteBuf retainedSlice = buf.retainedSlice(0, 4);
		assertThat(buf.refCnt()).isEqualTo(2);
		ByteBuf retainedDuplicate = buf.retainedDuplicate();
		assertThat(buf.refCnt()).isEqualTo(3);
		ByteBuf readRetained = buf.readRetainedSlice(4);
		assertThat(buf.refCnt()).isEqualTo(4);
		assertThat(readRetained.getInt(0)).isEqualTo(buf.getInt(0));
		assertThat(retainedSlice.release()).isFalse();
		assertThat(retainedDuplicate.release()).isFalse();
		assertThat(readRetained.release()).isFalse();
		assertThat(buf.refCnt()).isEqualTo(1);
		assertThat(buf.release()).isTrue();
		assertThatExceptionOfType(IllegalReferenceCountException.class).isThrownBy(() -> slice.getByte(0));
		assertThatExceptionOfType(IllegalReferenceCountException.class).isThrownBy(() -> duplicate.getByte(0));
	}

	@Test
	void referenceCountsFollowNettysContractAndRefuseOverflowAndOverRelease() {
		ByteBuf buf = direct(64);
		assertThat(buf.refCnt()).isEqualTo(1);
		assertThat(buf.retain(3)).isSameAs(buf);
		assertThat(buf.refCnt()).isEqualTo(4);
		assertThat(buf.release(2)).isFalse();
		assertThat(buf.refCnt()).isEqualTo(2);
		assertThatIllegalArgumentException().isThrownBy(() -> buf.retain(0));
		assertThatIllegalArgumentException().isThrownBy(() -> buf.release(-1));
		assertThatExceptionOfType(IllegalReferenceCountException.class).isThrownBy(() -> buf.retain(Integer.MAX_VALUE));
		assertThatExceptionOfType(IllegalReferenceCountException.class).isThrownBy(() -> buf.release(3));
		assertThat(buf.refCnt()).as("failed retain/release change nothing").isEqualTo(2);
		assertThat(this.allocator.usedDirectMemory()).isEqualTo(64);
		assertThat(buf.touch()).isSameAs(buf);
		assertThat(buf.touch("hint")).isSameAs(buf);
		assertThat(buf.release(2)).isTrue();
		assertThat(buf.refCnt()).isZero();
		assertThat(this.allocator.usedDirectMemory()).isZero();
		assertThatExceptionOfType(IllegalReferenceCountException.class).isThrownBy(buf::retain);
		assertThatExceptionOfType(IllegalReferenceCountException.class).isThrownBy(buf::release);
	}

	@Test
	void racingReleasesOfTheLastReferenceFreeTheMemoryExactlyOnce() throws Exception {
		int count = 20_000;
		ByteBuf[] bufs = new ByteBuf[count];
		for (int i = 0; i < count; i++) {
			bufs[i] = this.allocator.directBuffer(1 + (i % 2048));
		}
		CyclicBarrier start = new CyclicBarrier(2);
		Callable<int[]> releaser = () -> {
			int[] outcome = new int[3]; // true, false, IllegalReferenceCountException
			start.await();
			for (ByteBuf buf : bufs) {
				try {
					outcome[buf.release() ? 0 : 1]++;
				}
				catch (IllegalReferenceCountException ex) {
					outcome[2]++;
				}
			}
			return outcome;
		};
		ExecutorService threads = Executors.newFixedThreadPool(2);
		try {
			Future<int[]> first = threads.submit(releaser);
			Future<int[]> second = threads.submit(releaser);
			int[] a = first.get(1, TimeUnit.MINUTES);
			int[] b = second.get(1, TimeUnit.MINUTES);
			assertThat(a[0] + b[0]).as("releases that freed a buffer").isEqualTo(count);
			assertThat(a[1] + b[1]).as("releases that returned false").isZero();
			assertThat(a[2] + b[2]).as("second releases refused").isEqualTo(count);
		}
		finally {
			threads.shutdownNow();
		}
		assertThat(this.allocator.usedDirectMemory()).isZero();
	}

	@Test
	void nioBuffersAreViewsOfTheSameMemory() {
		ByteBuf buf = direct(64);
		buf.writeBytes(pattern(40, 2));
		assertThat(buf.nioBufferCount()).isEqualTo(1);
		ByteBuffer nio = buf.nioBuffer();
		assertThat(nio.isDirect()).isTrue();
		assertThat(nio.remaining()).isEqualTo(40);
		assertThat(nio.order()).isEqualTo(ByteOrder.BIG_ENDIAN);
		assertThat(nio.getInt(0)).isEqualTo(buf.getInt(0));
		nio.put(3, (byte) 0x55);
		assertThat(buf.getByte(3)).isEqualTo((byte) 0x55);
		ByteBuffer part = buf.nioBuffer(10, 5);
		assertThat(part.position()).isZero();
		assertThat(part.remaining()).isEqualTo(5);
		assertThat(part.get(0)).isEqualTo(buf.getByte(10));
		ByteBuffer[] all = buf.nioBuffers(2, 30);
		assertThat(all).hasSize(1);
		assertThat(all[0].remaining()).isEqualTo(30);
		ByteBuffer internal = buf.internalNioBuffer(4, 8);
		assertThat(internal.position()).isEqualTo(4);
		assertThat(internal.limit()).isEqualTo(12);
		// callers may move it; later accesses must not care
		internal.position(internal.limit());
		assertThat(buf.getLong(4)).isEqualTo(nio.getLong(4));
		buf.capacity(4096); // the views are rebuilt for the new capacity
		assertThat(buf.nioBuffer(0, 4096).remaining()).isEqualTo(4096);
		assertThat(buf.nioBuffer(0, 40).getInt(0)).isEqualTo(nio.getInt(0));
	}

	@Test
	void growthWithinTheSizeClassStaysInPlaceAndGrowthBeyondItMovesKeepingTheContent() {
		ByteBuf buf = direct(100);
		byte[] bytes = pattern(100, 3);
		buf.writeBytes(bytes);
		long address = buf.memoryAddress();
		// 100 and 110 share jemalloc's 112-byte class: xallocx grows in place
		buf.capacity(110);
		assertThat(buf.memoryAddress()).isEqualTo(address);
		assertThat(content(buf, 0, 100)).isEqualTo(bytes);
		assertThat(this.allocator.usedDirectMemory()).isEqualTo(110);

		// a small allocation cannot change size class in place: rallocx moves it
		buf.capacity(5000);
		assertThat(buf.memoryAddress()).isNotEqualTo(address);
		assertThat(buf.capacity()).isEqualTo(5000);
		assertThat(content(buf, 0, 100)).isEqualTo(bytes);
		assertThat(JemallocNative.usableSize(buf.memoryAddress())).isGreaterThanOrEqualTo(5000);
		assertThat(this.allocator.usedDirectMemory()).isEqualTo(5000);

		buf.capacity(1 << 20);
		assertThat(content(buf, 0, 100)).isEqualTo(bytes);
		buf.setByte((1 << 20) - 1, 9);
		assertThat(buf.getByte((1 << 20) - 1)).isEqualTo((byte) 9);
		assertThat(this.allocator.usedDirectMemory()).isEqualTo(1 << 20);
	}

	@Test
	void shrinkingTrimsIndicesKeepsTheHeadAndReturnsLargeMemory() {
		// Both sizes are large classes for jemalloc built with 4 KiB pages (x86_64, large
		// from 16 KiB) and with
		// 64 KiB pages (aarch64, large from 256 KiB; smaller sizes live in slabs and
		// cannot shrink in place).
		ByteBuf buf = direct(1024 * 1024);
		byte[] bytes = pattern(64, 4);
		buf.writeBytes(bytes);
		buf.writerIndex(800_000);
		buf.readerIndex(400_000);
		buf.capacity(320 * 1024);
		assertThat(buf.capacity()).isEqualTo(320 * 1024);
		assertThat(buf.writerIndex()).isEqualTo(320 * 1024);
		assertThat(buf.readerIndex()).isEqualTo(320 * 1024);
		assertThat(content(buf, 0, 64)).isEqualTo(bytes);
		assertThat(this.allocator.usedDirectMemory()).as("large extents shrink in place")
			.isLessThan(1024 * 1024)
			.isGreaterThanOrEqualTo(320 * 1024);
		buf.capacity(0);
		assertThat(buf.capacity()).isZero();
		buf.capacity(10);
		buf.setLong(2, 7);
		assertThat(buf.getLong(2)).isEqualTo(7);
	}

	@ParameterizedTest(name = "64 MiB shrunk to {0} bytes")
	@ValueSource(ints = { 4096, 14336, 1000, 16384, 300_000 })
	void shrinkingALargeBufferToAnySizeGivesItsMemoryBackToTheCapAndToJemalloc(int newCapacity) {
		int large = 64 * 1024 * 1024;
		ByteBuf buf = direct(large);
		byte[] head = pattern(Math.min(newCapacity, 512), 7);
		buf.writeBytes(head);
		long allocatedBefore = Jemalloc.stats().allocated();
		buf.capacity(newCapacity);
		assertThat(buf.capacity()).isEqualTo(newCapacity);
		assertThat(content(buf, 0, head.length)).isEqualTo(head);
		// What the counter counts is at most the new capacity's size class (a quarter
		// more, 16 bytes at least).
		assertThat(this.allocator.usedDirectMemory()).isBetween((long) newCapacity,
				newCapacity + Math.max(16L, newCapacity >> 2));
		assertThat(JemallocNative.usableSize(buf.memoryAddress())).isLessThan(2L * newCapacity + 4096);
		assertThat(Jemalloc.stats().allocated()).as("jemalloc's allocated bytes after the shrink")
			.isLessThan(allocatedBefore - large / 2);
		buf.setByte(newCapacity - 1, 3);
		assertThat(buf.getByte(newCapacity - 1)).isEqualTo((byte) 3);
		assertThat(buf.release()).isTrue();
		assertThat(this.allocator.usedDirectMemory()).isZero();
	}

	@Test
	void shrinkingASmallBufferToHalfMovesItToTheSmallerClass() {
		ByteBuf buf = direct(8192);
		byte[] head = pattern(100, 2);
		buf.writeBytes(head);
		buf.capacity(2048);
		assertThat(content(buf, 0, 100)).isEqualTo(head);
		assertThat(JemallocNative.usableSize(buf.memoryAddress())).isEqualTo(2048);
		assertThat(this.allocator.usedDirectMemory()).isEqualTo(2048);
		// A shrink within a quarter of the class keeps the allocation where it is.
		long address = buf.memoryAddress();
		buf.capacity(1900);
		assertThat(buf.memoryAddress()).isEqualTo(address);
		assertThat(content(buf, 0, 100)).isEqualTo(head);
		buf.release();
		assertThat(this.allocator.usedDirectMemory()).isZero();
	}

	@Test
	void maxCapacityIsEnforcedAndEnsureWritableGrows() {
		ByteBuf buf = direct(4, 64);
		assertThat(buf.maxCapacity()).isEqualTo(64);
		buf.writeBytes(pattern(4, 5));
		buf.ensureWritable(20);
		assertThat(buf.capacity()).isBetween(24, 64);
		assertThat(buf.writableBytes()).isGreaterThanOrEqualTo(20);
		buf.writeBytes(pattern(60, 6));
		assertThat(buf.capacity()).isEqualTo(64);
		assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> buf.writeByte(1));
		assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> buf.ensureWritable(1));
		assertThat(buf.ensureWritable(1, false)).isEqualTo(1);
		assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> buf.capacity(65));
		assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> buf.capacity(-1));
		assertThat(buf.maxWritableBytes()).isZero();

		ByteBuf unbounded = direct(0);
		assertThat(unbounded.capacity()).isZero();
		assertThat(unbounded.maxCapacity()).isEqualTo(Integer.MAX_VALUE);
		assertThat(unbounded.memoryAddress()).isNotZero();
		unbounded.writeBytes(pattern(1000, 7));
		assertThat(unbounded.capacity()).isGreaterThanOrEqualTo(1000);
		assertThat(content(unbounded, 0, 1000)).isEqualTo(pattern(1000, 7));
	}

	@Test
	void bulkCopiesToAndFromArraysAndByteBuffers() {
		ByteBuf buf = direct(64);
		byte[] bytes = pattern(64, 8);
		buf.setBytes(0, bytes, 16, 48);
		byte[] back = new byte[64];
		buf.getBytes(0, back, 10, 48);
		assertThat(java.util.Arrays.copyOfRange(back, 10, 58)).isEqualTo(java.util.Arrays.copyOfRange(bytes, 16, 64));

		ByteBuffer heapSrc = ByteBuffer.wrap(bytes, 4, 20);
		buf.setBytes(0, heapSrc);
		assertThat(heapSrc.remaining()).isZero();
		assertThat(content(buf, 0, 20)).isEqualTo(java.util.Arrays.copyOfRange(bytes, 4, 24));
		ByteBuffer directSrc = ByteBuffer.allocateDirect(30).put(pattern(30, 9)).flip();
		directSrc.position(5);
		buf.setBytes(1, directSrc);
		assertThat(content(buf, 1, 25)).isEqualTo(java.util.Arrays.copyOfRange(pattern(30, 9), 5, 30));
		ByteBuffer readOnlySrc = ByteBuffer.wrap(bytes).asReadOnlyBuffer();
		buf.setBytes(0, readOnlySrc);
		assertThat(content(buf, 0, 64)).isEqualTo(bytes);

		ByteBuffer heapDst = ByteBuffer.allocate(70).position(3).limit(67);
		buf.getBytes(0, heapDst);
		assertThat(heapDst.position()).isEqualTo(67);
		assertThat(java.util.Arrays.copyOfRange(heapDst.array(), 3, 67)).isEqualTo(bytes);
		ByteBuffer directDst = ByteBuffer.allocateDirect(64);
		buf.getBytes(0, directDst);
		directDst.flip();
		byte[] fromDirect = new byte[64];
		directDst.get(fromDirect);
		assertThat(fromDirect).isEqualTo(bytes);
		assertThatExceptionOfType(ReadOnlyBufferException.class)
			.isThrownBy(() -> buf.getBytes(0, ByteBuffer.allocate(8).asReadOnlyBuffer()));
		assertThatExceptionOfType(IndexOutOfBoundsException.class)
			.isThrownBy(() -> buf.getBytes(60, ByteBuffer.allocate(8)));
	}

	@Test
	void bulkCopiesToAndFromOtherBuffers() {
		byte[] bytes = pattern(256, 10);
		ByteBuf ours = direct(256);
		ours.writeBytes(bytes);
		ByteBuf otherOurs = direct(256);
		ByteBuf nettyHeap = track(Unpooled.buffer(256));
		ByteBuf nettyDirect = track(Unpooled.directBuffer(256));
		CompositeByteBuf composite = Unpooled.compositeBuffer();
		composite.addComponents(true, Unpooled.buffer(100).writeZero(100), Unpooled.directBuffer(156).writeZero(156));
		track(composite);
		for (ByteBuf target : List.of(otherOurs, nettyHeap, nettyDirect, composite)) {
			ours.getBytes(0, target, 0, 256);
			assertThat(content(target, 0, 256)).as(target.toString()).isEqualTo(bytes);
			target.setZero(0, 256);
			target.setBytes(0, ours, 0, 256);
			assertThat(content(target, 0, 256)).as(target.toString()).isEqualTo(bytes);
		}
		for (ByteBuf source : List.of(otherOurs, nettyHeap, nettyDirect, composite)) {
			ours.setZero(0, 256);
			assertThat(content(ours, 0, 256)).containsOnly(0);
			ours.setBytes(0, source, 0, 256);
			assertThat(content(ours, 0, 256)).as(source.toString()).isEqualTo(bytes);
			ours.setZero(0, 256);
			source.getBytes(0, ours, 0, 256);
			assertThat(content(ours, 0, 256)).as(source.toString()).isEqualTo(bytes);
		}
		ByteBuf appended = direct(0);
		appended.writeBytes(nettyHeap, 10, 20).writeBytes(composite, 90, 20);
		assertThat(content(appended, 0, 20)).isEqualTo(java.util.Arrays.copyOfRange(bytes, 10, 30));
		assertThat(content(appended, 20, 20)).isEqualTo(java.util.Arrays.copyOfRange(bytes, 90, 110));

		ByteBuf copy = track(ours.copy(8, 100));
		assertThat(unwrapped(copy)).isNotSameAs(unwrapped(ours));
		assertThat(copy.readableBytes()).isEqualTo(100);
		assertThat(content(copy, 0, 100)).isEqualTo(java.util.Arrays.copyOfRange(bytes, 8, 108));
		copy.setByte(0, ~copy.getByte(0));
		assertThat(ours.getByte(8)).isEqualTo(bytes[8]);
		assertThatExceptionOfType(IndexOutOfBoundsException.class)
			.isThrownBy(() -> ours.getBytes(200, nettyHeap, 0, 100));
	}

	@Test
	void fileChannelTransfersBothWays(@TempDir Path dir) throws IOException {
		byte[] bytes = pattern(100_000, 11);
		ByteBuf buf = direct(100_000);
		buf.writeBytes(bytes);
		Path file = dir.resolve("data.bin");
		try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
				StandardOpenOption.READ)) {
			int written = 0;
			while (buf.isReadable()) {
				written += buf.readBytes(channel, buf.readableBytes());
			}
			assertThat(written).isEqualTo(100_000);
			assertThat(buf.getBytes(0, channel, 100_000L, 10)).isEqualTo(10);
			channel.force(false);
			assertThat(Files.size(file)).isEqualTo(100_010);

			ByteBuf back = direct(100_010);
			int read = 0;
			while (read < 100_010) {
				int n = back.setBytes(read, channel, read, 100_010 - read);
				assertThat(n).isPositive();
				read += n;
			}
			assertThat(content(back, 0, 100_000)).isEqualTo(bytes);
			assertThat(content(back, 100_000, 10)).isEqualTo(java.util.Arrays.copyOf(bytes, 10));
			channel.position(0);
			ByteBuf sequential = direct(0, 1000);
			assertThat(sequential.writeBytes(channel, 1000)).isEqualTo(1000);
			assertThat(content(sequential, 0, 1000)).isEqualTo(java.util.Arrays.copyOf(bytes, 1000));
		}
		FileChannel closed = FileChannel.open(file, StandardOpenOption.READ);
		closed.close();
		assertThat(buf.setBytes(0, closed, 0, 10)).as("closed channel").isEqualTo(-1);
	}

	@Test
	void pipeTransfersBothWays() throws Exception {
		byte[] bytes = pattern(50_000, 12);
		Pipe pipe = Pipe.open();
		ByteBuf out = direct(50_000);
		out.writeBytes(bytes);
		ByteBuf in = direct(50_000);
		CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
			try {
				while (out.isReadable()) {
					out.readBytes(pipe.sink(), out.readableBytes());
				}
				pipe.sink().close();
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
		});
		while (true) {
			int n = in.writeBytes(pipe.source(), in.writableBytes() == 0 ? 1 : in.writableBytes());
			if (n < 0) {
				break;
			}
		}
		writer.get();
		assertThat(in.readableBytes()).isEqualTo(50_000);
		assertThat(content(in, 0, 50_000)).isEqualTo(bytes);
		pipe.source().close();
		assertThat(in.setBytes(0, pipe.source(), 10)).as("closed channel").isEqualTo(-1);
	}

	@Test
	void streamsTransferBothWays() throws IOException {
		byte[] bytes = pattern(200_000, 13);
		ByteBuf buf = direct(0);
		int total = 0;
		ByteArrayInputStream input = new ByteArrayInputStream(bytes);
		while (true) {
			buf.ensureWritable(8192);
			int n = buf.writeBytes(input, 8192);
			if (n < 0) {
				break;
			}
			total += n;
		}
		assertThat(total).isEqualTo(200_000);
		ByteArrayOutputStream output = new ByteArrayOutputStream();
		buf.readBytes(output, buf.readableBytes());
		assertThat(output.toByteArray()).isEqualTo(bytes);
	}

	@Test
	void setZeroAndCharSequences() {
		ByteBuf buf = direct(32);
		buf.writeBytes(pattern(32, 14));
		buf.setZero(4, 20);
		assertThat(content(buf, 4, 20)).containsOnly(0);
		assertThat(buf.getByte(3)).isEqualTo(pattern(32, 14)[3]);
		buf.clear();
		buf.writeCharSequence("héllo", io.netty.util.CharsetUtil.UTF_8);
		assertThat(buf.toString(io.netty.util.CharsetUtil.UTF_8)).isEqualTo("héllo");
		assertThat(buf.indexOf(0, buf.writerIndex(), (byte) 'l')).isEqualTo(3);
	}

	@Test
	void releasedOnAnotherThreadFreesTheMemory() throws Exception {
		ByteBuf buf = direct(1000);
		buf.writeLong(1);
		assertThat(this.allocator.usedDirectMemory()).isEqualTo(1000);
		assertThat(CompletableFuture.supplyAsync(buf::release).get()).isTrue();
		assertThat(buf.refCnt()).isZero();
		assertThat(this.allocator.usedDirectMemory()).isZero();
		assertThatExceptionOfType(IllegalReferenceCountException.class).isThrownBy(buf::memoryAddress);
	}

	@Test
	void derivedBuffersWriteToAndReadFromFileChannelsOnManyThreadsWithoutSharingState(@TempDir Path dir)
			throws Exception {
		int threads = 4;
		int rounds = 300;
		int length = 64 * 1024;
		byte[] expected = pattern(length, 9);
		ByteBuf source = direct(length);
		source.writeBytes(expected);
		ByteBuf target = direct(threads * length);
		target.writerIndex(threads * length);
		Path[] files = new Path[threads];
		for (int t = 0; t < threads; t++) {
			files[t] = Files.write(dir.resolve("part-" + t), pattern(length, 100 + t));
		}
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		try {
			CyclicBarrier start = new CyclicBarrier(threads);
			List<Future<Void>> results = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				int part = t;
				results.add(pool.submit(() -> {
					Path out = dir.resolve("out-" + part);
					ByteBuf slice = target.retainedSlice(part * length, length);
					try (FileChannel write = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
							FileChannel read = FileChannel.open(files[part], StandardOpenOption.READ)) {
						start.await();
						for (int r = 0; r < rounds; r++) {
							// A broadcast: every thread writes its own duplicate of the
							// same buffer ...
							ByteBuf dup = source.retainedDuplicate();
							try {
								assertThat(dup.getBytes(0, write, 0L, length)).isEqualTo(length);
							}
							finally {
								dup.release();
							}
							// ... and fills its own slice of a shared buffer from its own
							// file.
							assertThat(slice.setBytes(0, read, 0L, length)).isEqualTo(length);
						}
					}
					finally {
						slice.release();
					}
					assertThat(Files.readAllBytes(out)).isEqualTo(expected);
					return null;
				}));
			}
			for (Future<Void> result : results) {
				result.get(60, TimeUnit.SECONDS);
			}
		}
		finally {
			pool.shutdownNow();
		}
		for (int t = 0; t < threads; t++) {
			assertThat(content(target, t * length, length)).as("slice " + t).isEqualTo(pattern(length, 100 + t));
		}
	}

	@Test
	void aZeroLengthReadFromAStreamAtItsEndReturnsMinusOneAsNettysBuffersDo() throws IOException {
		ByteBuf ours = direct(16);
		ByteBuf netty = Unpooled.directBuffer(16);
		try {
			assertThat(ours.setBytes(0, new ByteArrayInputStream(new byte[0]), 0))
				.isEqualTo(netty.setBytes(0, new ByteArrayInputStream(new byte[0]), 0))
				.isEqualTo(-1);
			assertThat(ours.setBytes(0, new ByteArrayInputStream(new byte[4]), 0)).isZero();
		}
		finally {
			netty.release();
		}
	}

}
