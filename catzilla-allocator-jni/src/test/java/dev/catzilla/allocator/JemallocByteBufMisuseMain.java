package dev.catzilla.allocator;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.netty.buffer.ByteBuf;
import io.netty.util.IllegalReferenceCountException;

/**
 * Test support, run in a forked JVM by {@link JemallocByteBufMisuseTest}: every misuse
 * must end in the expected exception and the JVM must survive. Prints {@code OK <case>}
 * per case and {@link #SURVIVED} at the end; any surprise exits with status 1 (a crash
 * exits otherwise).
 */
public final class JemallocByteBufMisuseMain {

	static final String SURVIVED = "CATZILLA-MISUSE-SURVIVED";

	private static final int MIB = 1024 * 1024;

	private JemallocByteBufMisuseMain() {
	}

	public static void main(String[] args) throws Exception {
		if (args.length > 0 && args[0].equals("native-oom")) {
			nativeOutOfMemory();
			System.out.println(SURVIVED);
			return;
		}
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder().maxDirectMemory(64 * MIB).build();
		check("lazy-init", !Jemalloc.isInitialized() && JemallocByteBufAllocator.DEFAULT.maxDirectMemory() > 0
				&& !Jemalloc.isInitialized());

		ByteBuf buf = allocator.directBuffer(64);
		buf.writeLong(42);
		ByteBuf slice = buf.slice();
		check("release", buf.release() && buf.refCnt() == 0 && allocator.usedDirectMemory() == 0);
		expect("double-release", IllegalReferenceCountException.class, buf::release);
		expect("release-n-after-release", IllegalReferenceCountException.class, () -> buf.release(2));
		expect("retain-after-release", IllegalReferenceCountException.class, buf::retain);
		expect("get-after-release", IllegalReferenceCountException.class, () -> buf.getLong(0));
		expect("read-after-release", IllegalReferenceCountException.class, buf::readByte);
		expect("set-after-release", IllegalReferenceCountException.class, () -> buf.setByte(0, 1));
		expect("write-after-release", IllegalReferenceCountException.class, () -> buf.writeLong(1));
		expect("bulk-get-after-release", IllegalReferenceCountException.class, () -> buf.getBytes(0, new byte[8]));
		expect("nio-after-release", IllegalReferenceCountException.class, () -> buf.nioBuffer(0, 8));
		expect("address-after-release", IllegalReferenceCountException.class, buf::memoryAddress);
		expect("capacity-after-release", IllegalReferenceCountException.class, () -> buf.capacity(1000));
		expect("copy-after-release", IllegalReferenceCountException.class, buf::copy);
		expect("slice-after-release", IllegalReferenceCountException.class, () -> slice.getByte(0));

		ByteBuf other = allocator.directBuffer(8);
		check("release-on-other-thread", CompletableFuture.supplyAsync(other::release).get());
		expect("double-release-on-other-thread", IllegalReferenceCountException.class, other::release);
		ByteBuf counted = allocator.directBuffer(8);
		expect("release-negative", IllegalArgumentException.class, () -> counted.release(-1));
		expect("over-release", IllegalReferenceCountException.class, () -> counted.release(2));
		check("still-alive-after-over-release", counted.refCnt() == 1 && counted.release());

		expect("negative-capacity", IllegalArgumentException.class, () -> allocator.directBuffer(-1));
		expect("negative-max-capacity", IllegalArgumentException.class, () -> allocator.directBuffer(0, -1));
		expect("initial-above-max", IllegalArgumentException.class, () -> allocator.directBuffer(100, 10));
		expect("negative-heap", IllegalArgumentException.class, () -> allocator.heapBuffer(-1));
		expect("huge-over-cap", JemallocCapExceededException.class, () -> allocator.directBuffer(Integer.MAX_VALUE));
		ByteBuf bounded = allocator.directBuffer(16, 32);
		expect("capacity-above-max", IllegalArgumentException.class, () -> bounded.capacity(33));
		expect("negative-new-capacity", IllegalArgumentException.class, () -> bounded.capacity(-1));
		expect("write-beyond-max", IndexOutOfBoundsException.class, () -> bounded.writeBytes(new byte[33]));
		expect("ensure-writable-huge", IndexOutOfBoundsException.class,
				() -> bounded.ensureWritable(Integer.MAX_VALUE));
		expect("negative-index", IndexOutOfBoundsException.class, () -> bounded.getInt(-4));
		expect("negative-length", IndexOutOfBoundsException.class, () -> bounded.getBytes(0, new byte[4], 0, -1));
		ByteBuf unbounded = allocator.directBuffer(16);
		unbounded.writerIndex(16);
		expect("grow-beyond-integer-range", IndexOutOfBoundsException.class,
				() -> unbounded.ensureWritable(Integer.MAX_VALUE));
		bounded.release();
		unbounded.release();

		// The cap is never exceeded, and idle leases are revoked before a refusal (see
		// DirectMemoryCounter):
		// 48 MiB live, so 17 MiB more does not fit under 64 MiB, and 60 MiB fits once
		// they are released.
		List<ByteBuf> held = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			held.add(allocator.directBuffer(16 * MIB));
		}
		JemallocCapExceededException overCap = expect("over-the-cap", JemallocCapExceededException.class,
				() -> allocator.directBuffer(17 * MIB));
		System.out.println("ERROR-TYPE " + overCap.getClass().getName());
		System.out.println("ERROR-MESSAGE " + overCap.getMessage());
		expect("grow-over-the-cap", JemallocCapExceededException.class, () -> held.get(0).capacity(33 * MIB));
		check("unchanged-after-failed-growth", held.get(0).capacity() == 16 * MIB);
		held.forEach(ByteBuf::release);
		check("usable-after-cap", allocator.usedDirectMemory() == 0 && allocator.directBuffer(60 * MIB).release());
		System.out.println(SURVIVED);
	}

	/**
	 * With the address space limited by the caller (ulimit -v): mallocx returns NULL; we
	 * throw, never crash.
	 */
	private static void nativeOutOfMemory() {
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder().maxDirectMemory(Long.MAX_VALUE).build();
		List<ByteBuf> held = new ArrayList<>();
		OutOfMemoryError error = null;
		try {
			for (int i = 0; i < 64 && error == null; i++) {
				try {
					held.add(allocator.directBuffer(1 << 30));
				}
				catch (OutOfMemoryError ex) {
					error = ex;
				}
			}
		}
		finally {
			held.forEach(ByteBuf::release);
		}
		check("native-oom", error != null && error.getMessage().contains("jemalloc has no memory to give"));
		System.out.println("ERROR-MESSAGE " + error.getMessage());
		check("usable-after-native-oom", allocator.usedDirectMemory() == 0 && allocator.directBuffer(1024).release());
	}

	private static void check(String name, boolean ok) {
		if (!ok) {
			System.out.println("FAILED " + name);
			System.exit(1);
		}
		System.out.println("OK " + name);
	}

	private static <T extends Throwable> T expect(String name, Class<T> type, ThrowingRunnable action) {
		try {
			action.run();
		}
		catch (Throwable ex) {
			if (type.isInstance(ex)) {
				System.out.println("OK " + name + " -> " + ex.getClass().getName());
				return type.cast(ex);
			}
			System.out.println("FAILED " + name + ": unexpected " + ex);
			ex.printStackTrace(System.out);
			System.exit(1);
		}
		System.out.println("FAILED " + name + ": no exception");
		System.exit(1);
		return null;
	}

	@FunctionalInterface
	interface ThrowingRunnable {

		void run() throws Exception;

	}

}
