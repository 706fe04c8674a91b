package dev.catzilla.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.jar.JarFile;

import org.junit.jupiter.api.Test;

/**
 * The packaged jar as a user runs it:
 * {@code java -jar catzilla-allocator-jni-<version>.jar} alone (no Netty on the class
 * path), on this machine and on linux-aarch64 under emulation. Run by failsafe after
 * {@code package}.
 */
class DiagnosticsJarIT {

	@Test
	void theJarCarriesBothLibrariesAndItsManifestRunsTheDiagnostics() throws Exception {
		try (JarFile jar = new JarFile(jar().toFile())) {
			assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
				.isEqualTo(Diagnostics.class.getName());
			for (String platform : NativeTestSupport.platformsInJar()) {
				String library = NativeLibraryLoader.RESOURCE_DIR + NativePlatform.fileName(platform);
				assertThat(jar.getEntry(library)).as(library).isNotNull();
				assertThat(jar.getEntry(library + ".sha256")).as(library + ".sha256").isNotNull();
			}
		}
	}

	@Test
	void javaDashJarReportsJemallocWorkingHere() throws Exception {
		NativeTestSupport.requireNativeLibrary();
		ForkedJvm.Result result = ForkedJvm.jar(jar()).run();
		assertThat(result.exitCode()).as(result.describe()).isZero();
		assertThat(result.stdout()).startsWith("Catzilla diagnostics\ncatzilla: 0.")
			.contains("  platform: " + NativePlatform.current() + "\n", "  available: true\n",
					"through: raw native calls only (Netty is not on the class path)", "passed: true",
					"result: OK: jemalloc works here");
	}

	@Test
	void javaDashJarReportsJemallocWorkingOnEmulatedAarch64() throws Exception {
		ForkedJvm.Result result = ForkedJvm.jar(jar()).onAarch64Emulation().run("--json");
		assertThat(result.exitCode()).as(result.describe()).isZero();
		assertThat(result.stdout()).contains("\"platform\":\"linux-aarch64\"", "\"available\":true", "\"passed\":true",
				"\"exitStatus\":0");
	}

	private static Path jar() {
		Path jar = Path.of(System.getProperty("catzilla.test.jar", "target/catzilla-allocator-jni.jar"));
		assertThat(jar).as("the packaged jar (system property catzilla.test.jar)").isRegularFile();
		return jar;
	}

}
