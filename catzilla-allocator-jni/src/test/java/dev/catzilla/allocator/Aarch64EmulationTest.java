package dev.catzilla.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The linux-aarch64 library, cross-built by this build, loaded and exercised by Debian's
 * arm64 Java 17 under qemu user-mode emulation (no ARM hardware): the library loads from
 * the class path like on a real arm64 machine, the allocator's tests pass there,
 * jemalloc's purge gives pages back, and the diagnostics report works.
 */
class Aarch64EmulationTest {

	private static final long MIB = 1024 * 1024;

	/**
	 * {@code -Dcatzilla.test.aarch64.contract=true}: the emulated JVM also runs Netty's
	 * ByteBuf contract suite.
	 */
	static final String CONTRACT_PROPERTY = "catzilla.test.aarch64.contract";

	@BeforeAll
	static void requireEmulation() {
		Aarch64Emulation.require();
	}

	@Test
	void theArm64JvmLoadsTheAarch64LibraryAndJemallocPurges() throws Exception {
		ForkedJvm.Result result = ForkedJvm.probe()
			.onAarch64Emulation()
			.run("load", "configure:65536:-1:false", "purge:64");
		NativeTestSupport.assertCleanExit(result);
		assertThat(result.get("platform")).isEqualTo("linux-aarch64");
		assertThat(result.get("available")).as(result.describe()).isEqualTo("true");
		assertThat(result.get("version")).startsWith("5.3.0-");
		long before = Long.parseLong(result.get("residentBeforePurge"));
		long released = Long.parseLong(result.get("released"));
		long after = Long.parseLong(result.get("residentAfterPurge"));
		assertThat(before).as("freed pages stay resident until purged").isGreaterThanOrEqualTo(60 * MIB);
		assertThat(released).isGreaterThanOrEqualTo(56 * MIB);
		assertThat(after).isLessThanOrEqualTo(before - 56 * MIB);
	}

	@Test
	void theAllocatorsTestsPassInTheArm64Jvm() throws Exception {
		List<String> classes = new ArrayList<>(List.of(JemallocNativeTest.class.getName(),
				JemallocByteBufAllocatorTest.class.getName(), JemallocByteBufTest.class.getName(),
				JemallocByteBufStressTest.class.getName(), NativePlatformTest.class.getName()));
		if (Boolean.getBoolean(CONTRACT_PROPERTY)) {
			// Netty's contract suite, 2 x 412 tests: about 5 min under qemu here, so not
			// in every build.
			classes.add(JemallocByteBufContractTest.class.getName());
			classes.add(JemallocByteBufLeakAwareContractTest.class.getName());
		}
		ForkedJvm.Result result = ForkedJvm.main(EmulatedTestsMain.class)
			.onAarch64Emulation()
			.jvmArgs("-Dio.netty.leakDetection.level=paranoid")
			.run(classes.toArray(String[]::new));
		NativeTestSupport.assertCleanExit(result);
		assertThat(result.get("platform")).isEqualTo("linux-aarch64");
		assertThat(result.get("failed")).as(result.describe()).isEqualTo("0");
		assertThat(result.get("skipped")).as(result.describe()).isEqualTo("0");
		assertThat(result.get("aborted")).as("no test may skip itself under emulation: " + result.describe())
			.isEqualTo("0");
		assertThat(Integer.parseInt(result.get("succeeded"))).isGreaterThanOrEqualTo(30)
			.isEqualTo(Integer.parseInt(result.get("found")));
	}

	@Test
	void theDiagnosticsReportJemallocWorkingOnAarch64() throws Exception {
		ForkedJvm.Result result = ForkedJvm.main(Diagnostics.class).onAarch64Emulation().run("--json");
		assertThat(result.exitCode()).as(result.describe()).isZero();
		assertThat(result.stdout()).contains("\"platform\":\"linux-aarch64\"", "\"supported\":true",
				"\"available\":true", "\"version\":\"5.3.0-", "\"passed\":true", "\"exitStatus\":0");
		// every statistic of the model read by name on aarch64
		// (JemallocStatistics.read(): totals, arenas, size classes)
		assertThat(result.stdout()).contains("\"statistics\":{\"totals\":{\"allocated\":", "\"backgroundThreadRuns\":",
				"\"binFragmentation\":{\"ratio\":", "\"arenas\":[{\"index\":0,", "\"largeClasses\":[");
		assertThat(result.stdout() + result.stderr()).doesNotContain("WARNING in native method");
	}

}
