package dev.catzilla.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * jemalloc's options: set from Java before it initialises, read back from jemalloc, never
 * taken from the process's MALLOC_CONF. Each test forks a JVM, because jemalloc
 * initialises once per process.
 */
class JemallocConfigurationTest {

	@BeforeEach
	void requireLibrary() {
		NativeTestSupport.requireNativeLibrary();
	}

	@Test
	void loadingTheLibraryReportsTheVersionAndLeavesJemallocUninitialised() throws Exception {
		ForkedJvm.Result result = ForkedJvm.probe().run("load");
		NativeTestSupport.assertCleanExit(result);
		assertThat(result.get("available")).isEqualTo("true");
		assertThat(result.get("version")).startsWith("5.3.0-");
		assertThat(result.get("initialized")).isEqualTo("false");
	}

	/**
	 * Also the proof that jemalloc's library constructor is neutralised: the library is
	 * loaded ("load") before the options are set; had jemalloc initialised during
	 * System.load, it would run with its own defaults (tcache_max 32768, dirty_decay_ms
	 * 10000, background_thread false).
	 */
	@Test
	void optionsSetFromJavaAfterTheLibraryLoadedAreTheOnesJemallocRunsWith() throws Exception {
		ForkedJvm.Result result = ForkedJvm.probe().run("load", "configure:131072:2500:false", "options");
		NativeTestSupport.assertCleanExit(result);
		assertThat(result.get("configured")).contains("tcache_max:131072").contains("dirty_decay_ms:2500");
		assertThat(result.get("opt.tcache_max")).isEqualTo("131072");
		assertThat(result.get("opt.dirty_decay_ms")).isEqualTo("2500");
		assertThat(result.get("opt.muzzy_decay_ms")).isEqualTo("0");
		assertThat(result.get("opt.background_thread")).isEqualTo("false");
		assertThat(result.get("initialized")).isEqualTo("true");
	}

	@Test
	void defaultOptionsAreEffectiveAndEveryTabledOptionReadsBack() throws Exception {
		ForkedJvm.Result result = ForkedJvm.probe().run("options");
		NativeTestSupport.assertCleanExit(result);
		assertThat(result.get("opt.background_thread")).isEqualTo("true");
		assertThat(result.get("opt.dirty_decay_ms")).isEqualTo("10000");
		assertThat(result.get("opt.muzzy_decay_ms")).isEqualTo("0");
		assertThat(result.get("opt.tcache_max")).isEqualTo("65536");
		assertThat(result.get("opt.cache_oblivious")).as("built with --disable-cache-oblivious").isEqualTo("false");
		assertThat(result.values()).containsKeys("opt.narenas", "opt.max_background_threads", "opt.percpu_arena",
				"opt.metadata_thp", "opt.thp", "opt.retain", "opt.dss", "opt.junk", "opt.zero", "opt.abort",
				"opt.confirm_conf");
		assertThat(Long.parseLong(result.get("opt.narenas"))).isPositive();
		assertThat(result.get("opt.abort")).isEqualTo("false");
	}

	@Test
	void theProcessWideMallocConfIsIgnored() throws Exception {
		ForkedJvm.Result result = ForkedJvm.probe()
			.environment("MALLOC_CONF", "tcache_max:4096,dirty_decay_ms:1234,narenas:3,abort:true")
			.run("options");
		NativeTestSupport.assertCleanExit(result);
		assertThat(result.get("opt.tcache_max")).isEqualTo("65536");
		assertThat(result.get("opt.dirty_decay_ms")).isEqualTo("10000");
		assertThat(result.get("opt.narenas")).isNotEqualTo("3");
		assertThat(result.get("opt.abort")).isEqualTo("false");
	}

	@Test
	void onlyTheCatzillaPrefixedEnvironmentVariableReachesJemalloc() throws Exception {
		// The control for the test above: the same setting under our prefixed name is
		// read.
		ForkedJvm.Result result = ForkedJvm.probe().environment("CATZILLA_JE_MALLOC_CONF", "narenas:3").run("options");
		NativeTestSupport.assertCleanExit(result);
		assertThat(result.get("opt.narenas")).isEqualTo("3");
	}

	@Test
	void afterInitialisationOnlyEqualOptionsAreAcceptedAndDifferentOnesAreNamed() throws Exception {
		ForkedJvm.Result result = ForkedJvm.probe()
			.run("configure:131072:2500:true", "options", "reconfigure-same", "reconfigure-different");
		NativeTestSupport.assertCleanExit(result);
		assertThat(result.get("reconfigureSame")).isEqualTo("ok");
		assertThat(result.get("reconfigureDifferent")).startsWith("IllegalStateException")
			.contains("tcache_max:131072")
			.contains("tcache_max:65536");
	}

	@Test
	void concurrentFirstUsesInitialiseJemallocExactlyOnce() throws Exception {
		ForkedJvm.Result result = ForkedJvm.probe().run("race");
		NativeTestSupport.assertCleanExit(result);
		assertThat(result.get("race")).isEqualTo("ok");
		assertThat(result.get("initialized")).isEqualTo("true");
	}

}
