package dev.catzilla.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.netty.buffer.ByteBuf;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The leak guard itself: Netty's detector tracks our buffers and the recorder sees a
 * deliberate leak.
 */
class JemallocByteBufLeakDetectionTest {

	@BeforeAll
	static void requireLibrary() {
		NativeTestSupport.requireNativeLibrary();
	}

	@Test
	void theGuardIsInPlaceBeforeAnyBufferClassLoaded() {
		assertThat(LeakRecorder.installed()).isTrue();
		assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
		ByteBuf buf = JemallocByteBufAllocator.DEFAULT.directBuffer(1);
		buf.release();
		assertThat(LeakRecorder.detectorTypes()).contains(ByteBuf.class);
	}

	@Test
	void aDeliberatelyLeakedJemallocBufferIsReported() throws InterruptedException {
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder().build();
		String marker = LeakRecorder.DELIBERATE + "-" + UUID.randomUUID();
		leak(allocator, marker);
		assertThat(allocator.usedDirectMemory()).as("the leaked buffer still holds its memory").isEqualTo(123);
		List<String> reports = new ArrayList<>();
		for (int attempt = 0; attempt < 50 && reports.stream().noneMatch(r -> r.contains(marker)); attempt++) {
			LeakRecorder.collectAndReport(1);
			reports.addAll(LeakRecorder.drainDeliberateLeaks());
		}
		assertThat(reports).as("leak reports")
			.anySatisfy(report -> assertThat(report).contains(marker)
				.contains("LEAK: ByteBuf.release() was not called")
				.contains(JemallocByteBufLeakDetectionTest.class.getName() + ".leak"));
	}

	private static void leak(JemallocByteBufAllocator allocator, String marker) {
		ByteBuf buf = allocator.directBuffer(123);
		buf.writeLong(1); // recorded access, with its stack trace
		buf.touch(marker);
		// dropped without release()
	}

}
