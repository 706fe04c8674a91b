package dev.catzilla.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import org.junit.jupiter.api.Test;

/**
 * A JVM that runs with a system jemalloc preloaded (a common deployment) still loads our
 * library, and both heaps work side by side. The system jemalloc is Debian's
 * libjemalloc2, fetched by the build (src/main/native/system-jemalloc.sh), never
 * installed.
 */
class JemallocPreloadTest {

	@Test
	void aJvmWithSystemJemallocPreloadedUsesBothHeapsAndExitsCleanly() throws Exception {
		NativeTestSupport.requireNativeLibrary();
		Path dir = Paths.get(System.getProperty("catzilla.test.systemJemallocDir", "target/system-jemalloc"));
		Path systemJemalloc = dir.resolve("libjemalloc.so.2");
		Path error = dir.resolve("error.txt");
		assertThat(systemJemalloc)
			.as("libjemalloc.so.2 from Debian's libjemalloc2 (src/main/native/system-jemalloc.sh): %s",
					Files.exists(error) ? Files.readString(error) : "the script did not run")
			.isRegularFile();
		ForkedJvm.Result result = ForkedJvm.probe()
			.environment("LD_PRELOAD", systemJemalloc.toAbsolutePath().toString())
			.run("load", "both-heaps");
		NativeTestSupport.assertCleanExit(result);
		assertThat(result.get("available")).isEqualTo("true");
		assertThat(result.get("mapsSystemJemalloc")).as("the system jemalloc was preloaded").isEqualTo("true");
		assertThat(result.get("mapsCatzilla")).isEqualTo("true");
		assertThat(result.get("bothHeaps")).isEqualTo("ok");
		assertThat(result.stderr()).doesNotContain("<jemalloc>");
	}

}
