package dev.catzilla.autoconfigure;

import java.util.List;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What only a fresh JVM can show: {@code malloc} never loads Catzilla's native code, and
 * {@code catzilla.jemalloc.*} reaches jemalloc before it initialises.
 */
class ForkedJvmTests {

	@Test
	void mallocModeNeverLoadsTheJemallocClassNorTheNativeLibrary() throws Exception {
		ForkedJvm.Result result = ForkedJvm.run(List.of("-Xlog:class+load=info"), "--catzilla.allocator=malloc");
		assertThat(result.exitCode()).as(result.output()).isZero();
		assertThat(result.get("done")).isEmpty();
		assertThat(result.get("echo")).isEqualTo("true");
		String nettyDefault = ByteBufAllocator.DEFAULT.getClass().getName();
		assertThat(result.get("accepted")).isEqualTo(nettyDefault);
		assertThat(result.get("requestBuffers")).isEqualTo(nettyDefault);
		assertThat(result.get("catzillaStatus")).isEqualTo("200");
		assertThat(result.get("catzilla")).contains("\"nativeLibrary\":{\"status\":\"not-loaded\"");
		assertThat(result.get("prometheusStatus")).isEqualTo("200");
		// The class-loading log proves the classes were loaded at all (it names every
		// class the JVM loads) ...
		assertThat(result.output()).as("class loading is logged")
			.contains("dev.catzilla.autoconfigure.CatzillaAllocator ");
		assertThat(result.output()).doesNotContain("dev.catzilla.allocator.Jemalloc ")
			.doesNotContain("dev.catzilla.allocator.JemallocNative ")
			.doesNotContain("dev.catzilla.allocator.NativeLibraryLoader ")
			.doesNotContain("dev.catzilla.autoconfigure.JemallocSupport ");
		// ... and no file with catzilla in its name was ever mapped into the process.
		assertThat(result.get("catzillaMappings")).isEqualTo("0");
	}

	@Test
	void autoModeLoadsTheNativeLibraryInTheSameSetup() throws Exception {
		// The counter-check of the test above: same probe, auto mode, and the library
		// does show up.
		ForkedJvm.Result result = ForkedJvm.run(List.of("-Xlog:class+load=info"), "--catzilla.allocator=auto");
		assertThat(result.exitCode()).as(result.output()).isZero();
		assertThat(result.get("accepted")).isEqualTo("dev.catzilla.allocator.JemallocByteBufAllocator");
		assertThat(result.output()).contains("dev.catzilla.allocator.Jemalloc ");
		assertThat(Long.parseLong(result.get("catzillaMappings"))).isPositive();
	}

	@Test
	void jemallocPropertiesReachJemallocBeforeItInitialises() throws Exception {
		ForkedJvm.Result result = ForkedJvm.run(List.of(), "--catzilla.allocator=jemalloc",
				"--catzilla.jemalloc.background-thread=false", "--catzilla.jemalloc.dirty-decay=3s",
				"--catzilla.jemalloc.muzzy-decay=-1", "--catzilla.jemalloc.tcache-max=32KB",
				"--catzilla.jemalloc.arenas=3");
		assertThat(result.exitCode()).as(result.output()).isZero();
		assertThat(result.get("echo")).isEqualTo("true");
		DocumentContext catzilla = JsonPath.parse(result.get("catzilla"));
		assertThat(catzilla.read("$.active", String.class)).isEqualTo("jemalloc");
		assertThat(catzilla.read("$.reason", String.class)).doesNotContain("already initialised");
		assertThat(catzilla.read("$.jemalloc.requestedOptions.dirty_decay_ms", String.class)).isEqualTo("3000");
		String effective = "$.jemalloc.effectiveOptions.";
		assertThat(catzilla.read(effective + "dirty_decay_ms", String.class)).isEqualTo("3000");
		assertThat(catzilla.read(effective + "muzzy_decay_ms", String.class)).isEqualTo("-1");
		assertThat(catzilla.read(effective + "background_thread", String.class)).isEqualTo("false");
		assertThat(catzilla.read(effective + "narenas", String.class)).isEqualTo("3");
		assertThat(catzilla.read(effective + "tcache_max", String.class)).isEqualTo("32768");
		assertThat(result.output())
			.containsPattern("Catzilla: jemalloc 5\\.3\\.\\d+ served: \\[server\\] \\(requested jemalloc\\)");
	}

}
