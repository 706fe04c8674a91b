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
 * Test support: the arm64 JVM under qemu user-mode emulation that
 * {@code src/main/native/aarch64-emulation.sh} fetched (Maven phase
 * process-test-classes). On a linux-x86_64 build machine a missing emulator or a missing
 * linux-aarch64 library is a test FAILURE with the reason; only
 * {@code -Dcatzilla.test.aarch64=false} turns the linux-aarch64 tests off (documented in
 * docs/native.md), and off linux-x86_64 they are skipped.
 */
record Aarch64Emulation(Path qemu, Path sysroot, Path java) {

	static final String ENABLED_PROPERTY = "catzilla.test.aarch64";

	static Aarch64Emulation require() {
		assumeTrue(NativeTestSupport.isLinuxX86_64(), "linux-aarch64 is emulated on linux-x86_64 build machines only");
		assumeTrue(!"false".equals(System.getProperty(ENABLED_PROPERTY)),
				"linux-aarch64 tests turned off with -D" + ENABLED_PROPERTY + "=false");
		Path work = Path.of(System.getProperty("catzilla.test.nativeWork", "target/native"));
		Path missing = work.resolve("missing-linux-aarch64.txt");
		if (Files.exists(missing)) {
			fail("this build made no linux-aarch64 library: " + read(missing).trim() + " (-D" + ENABLED_PROPERTY
					+ "=false turns the linux-aarch64 tests off)");
		}
		Path dir = Path.of(System.getProperty("catzilla.test.aarch64EmulationDir", "target/aarch64-emulation"));
		Path error = dir.resolve("error.txt");
		if (Files.exists(error)) {
			fail("no aarch64 emulation: " + read(error).trim() + " (-D" + ENABLED_PROPERTY
					+ "=false turns the linux-aarch64 tests off)");
		}
		Path file = dir.resolve("emulation.properties");
		assertThat(file).as("written by src/main/native/aarch64-emulation.sh before the tests").isRegularFile();
		Properties properties = new Properties();
		try (InputStream in = Files.newInputStream(file)) {
			properties.load(in);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		Aarch64Emulation emulation = new Aarch64Emulation(Path.of(properties.getProperty("qemu")),
				Path.of(properties.getProperty("sysroot")), Path.of(properties.getProperty("java")));
		assertThat(emulation.qemu()).isExecutable();
		assertThat(emulation.java()).isRegularFile();
		return emulation;
	}

	/** {@code qemu-aarch64-static -L <sysroot> <arm64 java>}. */
	List<String> javaCommand() {
		return List.of(this.qemu.toString(), "-L", this.sysroot.toString(), this.java.toString());
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
