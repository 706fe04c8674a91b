package dev.catzilla.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A read that races the final release (an application bug Netty's own buffers survive)
 * must end in stale bytes or an {@code IllegalReferenceCountException}, never in a crash:
 * two million buffers handed to a reading thread and released under it, in a forked JVM
 * whose exit status is asserted; with Netty's accessibility check on (the default) and
 * off.
 */
class JemallocByteBufRaceTest {

	@BeforeAll
	static void requireLibrary() {
		NativeTestSupport.requireNativeLibrary();
	}

	@ParameterizedTest(name = "io.netty.buffer.checkAccessible={0}")
	@ValueSource(booleans = { true, false })
	void readsRacingTheFinalReleaseNeverCrashTheJvm(boolean checkAccessible) throws Exception {
		ForkedJvm.Result result = ForkedJvm.main(JemallocRaceMain.class)
			.jvmArgs("-Xmx256m", "-Dio.netty.leakDetection.level=disabled",
					"-Dio.netty.buffer.checkAccessible=" + checkAccessible)
			.run("2000000");
		assertThat(result.exitCode()).as(result.describe()).isZero();
		assertThat(result.stdout()).as(result.describe()).contains(JemallocRaceMain.SURVIVED);
		assertThat(result.get("used")).as("every buffer released").isEqualTo("0");
		assertThat(result.get("retain")).as("jemalloc keeps freed memory mapped").isEqualTo("true");
		assertThat(Long.parseLong(result.get("reads")) + Long.parseLong(result.get("refused")))
			.as("the reader raced the releases")
			.isPositive();
		if (!checkAccessible) {
			assertThat(result.get("refused")).as("no accessibility check, no refusals").isEqualTo("0");
		}
	}

}
