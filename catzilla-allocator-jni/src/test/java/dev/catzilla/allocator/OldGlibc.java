package dev.catzilla.allocator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * Test support: Debian 11's real glibc 2.31 that {@code src/main/native/old-glibc.sh}
 * fetched (Maven phase process-test-classes), and Temurin 25 run on it through that
 * glibc's own dynamic loader. On a linux-x86_64 build machine a missing glibc or JVM is a
 * test FAILURE with the reason; off linux-x86_64 the tests are skipped.
 */
record OldGlibc(Path loader, String libraryPath, String version, Path java, Path aarch64Sysroot, Path aarch64Java) {

	static OldGlibc require() {
		assumeTrue(NativeTestSupport.isLinuxX86_64(), "the glibc 2.31 runs are set up on linux-x86_64 build machines");
		Path dir = Path.of(System.getProperty("catzilla.test.oldGlibcDir", "target/old-glibc"));
		Path error = dir.resolve("error.txt");
		if (Files.exists(error)) {
			fail("no glibc 2.31 to test on: " + read(error).trim());
		}
		Path file = dir.resolve("old-glibc.properties");
		assertThat(file).as("written by src/main/native/old-glibc.sh before the tests").isRegularFile();
		Properties properties = new Properties();
		try (InputStream in = Files.newInputStream(file)) {
			properties.load(in);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		OldGlibc glibc = new OldGlibc(Path.of(properties.getProperty("loader")), properties.getProperty("libraryPath"),
				properties.getProperty("glibc"), Path.of(properties.getProperty("java")),
				path(properties.getProperty("aarch64Sysroot")), path(properties.getProperty("aarch64Java")));
		assertThat(glibc.loader()).isExecutable();
		assertThat(glibc.java()).isExecutable();
		return glibc;
	}

	/**
	 * The bullseye arm64 sysroot (glibc 2.31, Debian 11's OpenJDK 17) under the build's
	 * qemu; fails when it was not fetched, skips only when the linux-aarch64 tests are
	 * off ({@code -Dcatzilla.test.aarch64=false}).
	 */
	Aarch64Emulation aarch64() {
		Aarch64Emulation emulation = Aarch64Emulation.require();
		assertThat(this.aarch64Sysroot).as("the bullseye arm64 sysroot (old-glibc.sh)").isNotNull();
		assertThat(this.aarch64Sysroot.resolve("lib/aarch64-linux-gnu/libc-2.31.so")).isRegularFile();
		return new Aarch64Emulation(emulation.qemu(), this.aarch64Sysroot, this.aarch64Java);
	}

	private static Path path(String value) {
		return (value != null) ? Path.of(value) : null;
	}

	/** {@code <ld-2.31.so> --library-path <glibc 2.31 libraries> <Temurin 25 java>}. */
	List<String> javaCommand() {
		return List.of(this.loader.toString(), "--library-path", this.libraryPath, this.java.toString(),
				"--enable-native-access=ALL-UNNAMED");
	}

	private static String read(Path file) {
		try {
			return Files.readString(file, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			return "(unreadable: " + ex + ")";
		}
	}

}
