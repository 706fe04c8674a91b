package dev.catzilla.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Misuse ends in exceptions in a forked JVM (with -Xcheck:jni) that survives: exit 0 and
 * the marker line.
 */
class JemallocByteBufMisuseTest {

	@BeforeAll
	static void requireLibrary() {
		NativeTestSupport.requireNativeLibrary();
	}

	@Test
	void misuseEndsInExceptionsAndTheJvmSurvives() throws Exception {
		ForkedJvm.Result result = ForkedJvm.main(JemallocByteBufMisuseMain.class)
			.jvmArgs("-Xmx256m", "-Dio.netty.leakDetection.level=paranoid")
			.run();
		assertThat(result.exitCode()).as(result.describe()).isZero();
		assertThat(result.lines()).as(result.describe())
			.contains(JemallocByteBufMisuseMain.SURVIVED)
			.noneMatch(line -> line.startsWith("FAILED"))
			.contains("OK lazy-init", "OK usable-after-cap")
			.anyMatch(line -> line.startsWith("OK double-release -> io.netty.util.IllegalReferenceCountException"))
			.anyMatch(line -> line.startsWith("OK get-after-release -> io.netty.util.IllegalReferenceCountException"))
			.anyMatch(line -> line.startsWith("OK negative-capacity -> java.lang.IllegalArgumentException"))
			.anyMatch(line -> line.startsWith("OK huge-over-cap -> " + JemallocCapExceededException.class.getName()))
			.contains("ERROR-TYPE " + JemallocCapExceededException.class.getName())
			.anyMatch(line -> line.startsWith("ERROR-MESSAGE failed to allocate " + 17 * 1024 * 1024 + " byte(s)")
					&& line.contains("used: " + 48 * 1024 * 1024) && line.contains("max: " + 64 * 1024 * 1024));
		assertThat(result.stdout() + result.stderr()).as(result.describe())
			.doesNotContain("WARNING: JNI")
			.doesNotContain("WARNING in native method")
			.doesNotContain("FATAL ERROR");
	}

	@Test
	void aFailedMallocxThrowsInsteadOfCrashing() throws Exception {
		// A 6 GiB address-space limit (ulimit -v) for the forked JVM: jemalloc's 1 GiB
		// allocations run out of it.
		ForkedJvm.Result result = ForkedJvm.main(JemallocByteBufMisuseMain.class)
			.addressSpaceLimit(6L << 30)
			.jvmArgs("-Xmx64m", "-XX:ReservedCodeCacheSize=32m", "-XX:CompressedClassSpaceSize=64m",
					"-XX:MaxMetaspaceSize=128m", "-Dio.netty.leakDetection.level=paranoid")
			.run("native-oom");
		assertThat(result.exitCode()).as(result.describe()).isZero();
		assertThat(result.lines()).as(result.describe())
			.contains("OK native-oom", "OK usable-after-native-oom", JemallocByteBufMisuseMain.SURVIVED);
	}

}
