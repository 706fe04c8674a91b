package dev.catzilla.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The library in this JVM (loaded the way a user's JVM loads it: extracted from the class
 * path). Never configures options here (other tests in this JVM may depend on the
 * defaults); option tests fork their own JVM.
 */
class JemallocNativeTest {

	private static final long MIB = 1024 * 1024;

	@BeforeEach
	void requireLibrary() {
		NativeTestSupport.requireNativeLibrary();
	}

	@Test
	void libraryLoadsAndReportsJemalloc530() {
		assertThat(Jemalloc.isAvailable()).isTrue();
		assertThat(Jemalloc.platform()).isEqualTo(NativePlatform.current()).isIn(NativePlatform.SUPPORTED);
		assertThat(Jemalloc.version()).startsWith("5.3.0-");
		assertThat(JemallocNative.version()).isEqualTo(Jemalloc.version());
	}

	@Test
	void libraryIsExtractedFromTheClassPathWhenNotOnTheLibraryPath() {
		assertThat(Jemalloc.libraryLocation()).contains("catzilla-")
			.endsWith("/" + NativePlatform.fileName(NativePlatform.current()));
	}

	@Test
	void allocatedMemoryIsUsableThroughADirectByteBufferAndFreed() {
		Jemalloc.initialize();
		long size = 4096;
		long address = JemallocNative.allocate(size);
		assertThat(address).isNotZero();
		try {
			assertThat(JemallocNative.usableSize(address)).isGreaterThanOrEqualTo(size);
			ByteBuffer buffer = JemallocNative.directBuffer(address, size);
			assertThat(buffer.isDirect()).isTrue();
			assertThat(buffer.capacity()).isEqualTo((int) size);
			for (int i = 0; i < size; i += 8) {
				buffer.putLong(i, i * 31L);
			}
			for (int i = 0; i < size; i += 8) {
				assertThat(buffer.getLong(i)).isEqualTo(i * 31L);
			}
		}
		finally {
			JemallocNative.free(address, size);
		}
	}

	@Test
	void allocateReturnsZeroForImpossibleSizes() {
		Jemalloc.initialize();
		assertThat(JemallocNative.allocate(0)).isZero();
		assertThat(JemallocNative.allocate(-1)).isZero();
		assertThat(JemallocNative.allocate(Long.MAX_VALUE)).isZero();
		assertThat(JemallocNative.reallocate(0, 16)).isZero();
	}

	@Test
	void reallocateKeepsTheContentAndResizeInPlaceReportsTheUsableSize() {
		Jemalloc.initialize();
		long address = JemallocNative.allocate(64);
		assertThat(address).isNotZero();
		JemallocNative.directBuffer(address, 64).putLong(0, 0x1234_5678_9abcL);
		long grown = JemallocNative.reallocate(address, 1024 * 1024);
		assertThat(grown).isNotZero();
		assertThat(JemallocNative.directBuffer(grown, 8).getLong(0)).isEqualTo(0x1234_5678_9abcL);
		long usable = JemallocNative.resizeInPlace(grown, 1024 * 1024 + 1);
		assertThat(usable).isGreaterThanOrEqualTo(1024 * 1024);
		assertThat(JemallocNative.usableSize(grown)).isEqualTo(usable);
		JemallocNative.free(grown, usable);
	}

	@Test
	void statsRiseWithAllocationsAndFallBackAfterFree() throws InterruptedException {
		NativeTestSupport.settleBackgroundFrees();
		long size = 4 * MIB;
		long[] addresses = new long[4];
		JemallocStats before;
		JemallocStats during;
		JemallocStats after;
		// Threads of earlier test classes flush their thread caches when they end, which
		// lowers stats.allocated at
		// any moment (40 KiB once, right after DirectMemoryCounterTest): a rise short of
		// 16 MiB is measured again.
		int attempt = 0;
		do {
			before = Jemalloc.stats();
			for (int i = 0; i < addresses.length; i++) {
				addresses[i] = JemallocNative.allocate(size);
				assertThat(addresses[i]).isNotZero();
			}
			during = Jemalloc.stats();
			for (long address : addresses) {
				JemallocNative.free(address, size);
			}
			after = Jemalloc.stats();
		}
		while (during.allocated() - before.allocated() < addresses.length * size && ++attempt < 3);
		assertThat(during.allocated() - before.allocated()).isGreaterThanOrEqualTo(addresses.length * size);
		assertThat(during.active()).isGreaterThanOrEqualTo(during.allocated());
		assertThat(during.resident()).isGreaterThanOrEqualTo(during.active());
		assertThat(during.mapped()).isGreaterThanOrEqualTo(during.active());
		assertThat(during.metadata()).isPositive();
		assertThat(after.allocated()).isLessThan(during.allocated() - (addresses.length - 1) * size);
		assertThat(Jemalloc.isInitialized()).isTrue();
	}

	@Test
	void statisticsRejectArraysOfDifferentLengthsAndAnUnknownType() {
		Jemalloc.initialize();
		org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
			.isThrownBy(() -> JemallocNative.statistics(true, new String[] { "stats.allocated" }, new int[] { 0 },
					new long[0]))
			.withMessageContaining("same length");
		org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
			.isThrownBy(() -> JemallocNative.statistics(false, new String[] { "stats.allocated" }, new int[] { 99 },
					new long[1]))
			.withMessageContaining("unknown C type 99");
		org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
			.isThrownBy(() -> JemallocNative.statistics(false, new String[] { null }, new int[] { 0 }, new long[1]))
			.withMessageContaining("null");
		org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
			.isThrownBy(() -> JemallocNative.statistics(false, null, new int[0], new long[0]));
	}

	@Test
	void jemallocCannotBeInitialisedTwice() {
		Jemalloc.initialize();
		org.assertj.core.api.Assertions.assertThatIllegalStateException()
			.isThrownBy(() -> JemallocNative.initialize("narenas:1"))
			.withMessageContaining("already initialised");
	}

	@Test
	void directBufferRejectsANullAddressAndImpossibleCapacities() {
		Jemalloc.initialize();
		long address = JemallocNative.allocate(64);
		try {
			org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
				.isThrownBy(() -> JemallocNative.directBuffer(0, 64));
			org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
				.isThrownBy(() -> JemallocNative.directBuffer(address, -1));
			org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
				.isThrownBy(() -> JemallocNative.directBuffer(address, Integer.MAX_VALUE + 1L))
				.withMessageContaining("Integer.MAX_VALUE");
		}
		finally {
			JemallocNative.free(address, 64);
		}
	}

}
