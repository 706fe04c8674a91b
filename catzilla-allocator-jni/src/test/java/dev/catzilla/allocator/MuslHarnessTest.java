package dev.catzilla.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The musl (Alpine) libraries, which no JVM on the build machine can load (no musl JVM
 * was used: none is obtainable here), run by the musl C harness
 * ({@code src/test/c/musl_jni_harness.c}, compiled with Debian's musl): musl's own
 * dynamic loader loads the musl library and refuses the glibc one of the same
 * architecture; and the harness, playing the JVM with a minimal JNIEnv, calls JNI_OnLoad,
 * takes the registered natives by name and runs them: allocation, reallocation and
 * release on 4 threads with Catzilla's default options (jemalloc's background threads
 * on), statistics back to their baseline, a purge giving freed pages back, options, size
 * classes and the error paths. linux-x86_64-musl natively, linux-aarch64-musl under the
 * build's qemu user-mode emulation.
 */
class MuslHarnessTest {

	private static final long MIB = 1024 * 1024;

	static final List<String> PLATFORMS = NativePlatform.SUPPORTED.stream()
		.filter((platform) -> NativePlatform.MUSL.equals(NativePlatform.field(platform, "libc")))
		.toList();

	@ParameterizedTest
	@FieldSource("PLATFORMS")
	void muslsDynamicLoaderLoadsTheMuslLibraryAndRefusesTheGlibcOne(String platform) throws Exception {
		MuslHarness harness = MuslHarness.require(platform);
		MuslHarness.Result musl = harness.run(MuslHarness.library(platform).toString(), "load");
		assertThat(musl.exitCode()).as(musl.describe()).isZero();
		assertThat(musl.get("dlopen")).as(musl.describe()).isEqualTo("ok");
		String glibcPlatform = NativePlatform.platform("linux", NativePlatform.field(platform, "arch"),
				NativePlatform.GLIBC);
		MuslHarness.Result glibc = harness.run(MuslHarness.library(glibcPlatform).toString(), "load");
		assertThat(glibc.exitCode()).as("the %s library under musl: %s", glibcPlatform, glibc.describe()).isEqualTo(3);
		// x86_64: "Error loading shared library ld-linux-x86-64.so.2"; aarch64: "Error
		// relocating ...:
		// __register_atfork: symbol not found" (glibc-only symbols the glibc build of
		// jemalloc calls).
		assertThat(glibc.get("dlerror")).as(glibc.describe())
			.containsAnyOf("Error loading shared library", "symbol not found");
	}

	@ParameterizedTest
	@FieldSource("PLATFORMS")
	void theRegisteredNativesAllocateReleaseCountAndPurgeOnSeveralThreadsWithBackgroundThreads(String platform)
			throws Exception {
		MuslHarness harness = MuslHarness.require(platform);
		String conf = JemallocOptions.defaults().toMallocConf();
		assertThat(conf).contains("background_thread:true");
		MuslHarness.Result result = harness.run(MuslHarness.library(platform).toString(), "run", conf);
		assertThat(result.exitCode()).as(result.describe()).isZero();
		assertThat(result.output()).as(result.describe()).doesNotContain("FAIL:").endsWith("result=ok\n");
		assertThat(result.get("version")).startsWith("5.3.0-");
		assertThat(result.getLong("registered")).as("natives registered by JNI_OnLoad").isGreaterThanOrEqualTo(12);
		assertThat(result.get("background_thread")).isEqualTo("true");
		assertThat(result.getLong("backgroundThreads")).as("jemalloc_bg_thd threads running").isPositive();
		assertThat(result.getLong("buffers")).isEqualTo(4 * 200 * 5);
		assertThat(result.getLong("allocatedAfter")).as("stats.allocated back to its baseline")
			.isEqualTo(result.getLong("allocatedBefore"));
		assertThat(result.getLong("residentAfterPurge")).as("purge gives the 64 MiB freed back")
			.isLessThanOrEqualTo(result.getLong("residentBeforePurge") - 56 * MIB);
		assertThat(result.getLong("sizeClasses")).isGreaterThan(10);
		assertThat(result.getLong("liveObjects")).as("every JNI local reference released").isZero();
	}

}
