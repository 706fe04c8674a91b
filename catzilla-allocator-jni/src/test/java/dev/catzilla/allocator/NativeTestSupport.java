package dev.catzilla.allocator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Locale;

/**
 * Shared by the native tests. Native tests are skipped ONLY off the platforms of {@link NativePlatform#SUPPORTED}
 * (CI runs them on linux-x86_64 natively and on linux-aarch64 under emulation); there, a missing or unloadable library
 * is a failure.
 */
final class NativeTestSupport {

	private NativeTestSupport() {
	}

	static boolean isLinuxX86_64() {
		String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
		String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
		return os.equals("linux") && (arch.equals("amd64") || arch.equals("x86_64"));
	}

	/** Skips off the supported platforms; on them fails unless the library loaded. */
	static void requireNativeLibrary() {
		assumeTrue(NativePlatform.isSupported(NativePlatform.current()),
				"Catzilla's native library is built for " + NativePlatform.SUPPORTED + " only");
		assertThat(Jemalloc.unavailabilityCause()).as("why Catzilla's native library is unavailable").isNull();
		assertThat(Jemalloc.isAvailable()).isTrue();
	}

	/**
	 * The platforms whose library this build must have put into the jar: all of {@link NativePlatform#SUPPORTED},
	 * minus linux-aarch64 when its tests are turned off on purpose ({@code -Dcatzilla.test.aarch64=false}).
	 */
	static List<String> platformsInJar() {
		return NativePlatform.SUPPORTED.stream()
			.filter((platform) -> !"qemu".equals(NativePlatform.field(platform, "tested"))
					|| !"false".equals(System.getProperty(Aarch64Emulation.ENABLED_PROPERTY)))
			.toList();
	}

	static void requireLinuxX86_64() {
		assumeTrue(isLinuxX86_64(), "Catzilla's native library is built and tested on Linux x86_64 only");
	}

	/** The forked JVM ended normally, and -Xcheck:jni found nothing to complain about. */
	static void assertCleanExit(ForkedJvm.Result result) {
		assertThat(result.exitCode()).as(result.describe()).isZero();
		assertThat(result.get("exit")).as(result.describe()).isEqualTo("normal");
		assertThat(result.stdout() + result.stderr()).as(result.describe())
			.doesNotContain("WARNING in native method")
			.doesNotContain("FATAL ERROR in native method");
	}

}
