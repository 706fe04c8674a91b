package dev.catzilla.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Class-loader isolation and unloading, in a forked JVM whose exit status is asserted:
 * the class loader that loaded the library is collected while jemalloc's background
 * threads run (the library is never unmapped), and a second class loader gets the library
 * as unavailable with a cause naming both, never a second jemalloc heap.
 */
class JemallocClassLoaderTest {

	@BeforeAll
	static void requireLibrary() {
		NativeTestSupport.requireNativeLibrary();
	}

	@Test
	void collectingTheClassLoaderThatLoadedTheLibraryLeavesTheJvmRunningAndASecondLoaderGetsAClearCause()
			throws Exception {
		ForkedJvm.Result result = ForkedJvm.main(JemallocClassLoaderMain.class)
			.jvmArgs("-Xmx256m", "-Dio.netty.leakDetection.level=disabled", "-Xlog:library=info")
			.run();
		assertThat(result.exitCode()).as(result.describe()).isZero();
		assertThat(result.stdout()).as(result.describe()).contains(JemallocClassLoaderMain.SURVIVED);
		assertThat(result.get("first.available")).isEqualTo("true");
		assertThat(result.get("first.backgroundThread")).as("background threads run in the library").isEqualTo("true");
		assertThat(Long.parseLong(result.get("first.allocated"))).as("10,000 buffers were live")
			.isGreaterThan(10_000L * 64);
		assertThat(result.get("second.available")).isEqualTo("false");
		assertThat(result.get("second.cause")).contains("already loaded in this JVM by another class loader")
			.contains("'catzilla-first'")
			.contains("'catzilla-second'")
			.contains("second, separate jemalloc heap");
		assertThat(result.get("first.collected")).as(result.describe()).isEqualTo("true");
		Matcher loaded = Pattern.compile("Loaded library \\S*libcatzilla_jemalloc\\S*, handle (0x[0-9a-f]+)")
			.matcher(result.stdout());
		assertThat(loaded.find()).as(result.describe()).isTrue();
		assertThat(result.stdout()).as("the JVM unloaded the library (dlclose)")
			.contains("Unloaded library with handle " + loaded.group(1));
		assertThat(result.get("third.available")).as("the claim outlives the first class loader").isEqualTo("false");
		assertThat(result.get("loadedBy")).contains("'catzilla-first'");
	}

}
