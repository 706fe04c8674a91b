package dev.catzilla.allocator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Locale;

/**
 * Shared by the native tests. Native tests are skipped ONLY off the platforms of
 * {@link NativePlatform#SUPPORTED} (CI runs them on linux-x86_64 natively and on
 * linux-aarch64 under emulation); there, a missing or unloadable library is a failure.
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
	 * The platforms whose library this build must have put into the jar: all of
	 * {@link NativePlatform#SUPPORTED}, minus linux-aarch64 when its tests are turned off
	 * on purpose ({@code -Dcatzilla.test.aarch64=false}).
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

	/**
	 * Empties every allocator's hand-off cache into jemalloc and waits (at most 10 s)
	 * until no quiet-purge watch runs, and until jemalloc's {@code stats.allocated} holds
	 * still for 50 ms (at most 2 s), so that nothing earlier tests left behind is freed
	 * in the background while a test compares it before and after.
	 */
	static void settleBackgroundFrees() throws InterruptedException {
		Jemalloc.initialize();
		HandOffCache.drainAll();
		// The drain freed the blocks into this thread's jemalloc cache, whose garbage
		// collection would otherwise give
		// them back during the test's own allocations: flush it (and purge).
		JemallocNative.purge();
		for (int i = 0; i < 400 && QuietPurge.watching(); i++) {
			Thread.sleep(25);
		}
		assertThat(QuietPurge.watching()).as("a quiet-purge watch still runs after 10 s").isFalse();
		// The watch thread flushes its jemalloc cache when it ends, after it stopped
		// watching.
		for (Thread thread : Thread.getAllStackTraces().keySet()) {
			if (thread.getName().equals("catzilla-quiet-purge")) {
				thread.join(10_000);
			}
		}
		// Threads of earlier tests flush theirs when they end, a moment after join()
		// returned: until it is stable.
		long allocated = Jemalloc.stats().allocated();
		for (int i = 0; i < 40; i++) {
			Thread.sleep(50);
			long now = Jemalloc.stats().allocated();
			if (now == allocated) {
				return;
			}
			allocated = now;
		}
	}

}
