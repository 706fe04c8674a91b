package dev.catzilla.allocator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Test support: the musl C harness ({@code src/test/c/musl_jni_harness.c}) that
 * {@code src/main/native/musl-harness.sh} compiled for one musl platform (Maven phase
 * process-test-classes), and how to run it: with musl's own dynamic loader natively, or
 * under the build's qemu for a row whose {@code tested} is {@code qemu}. On a
 * linux-x86_64 build machine a missing harness, toolchain or library is a test FAILURE
 * with the reason; only {@code -Dcatzilla.test.aarch64=false} turns the qemu rows off,
 * and off linux-x86_64 the tests are skipped.
 */
record MuslHarness(String platform, Path harness, Path root, Path loader, boolean emulated) {

	static MuslHarness require(String platform) {
		NativeTestSupport.requireLinuxX86_64();
		boolean emulated = "qemu".equals(NativePlatform.field(platform, "tested"));
		if (emulated) {
			// skips only with -Dcatzilla.test.aarch64=false, else fails with the reason
			Aarch64Emulation.require();
		}
		Path work = Path.of(System.getProperty("catzilla.test.nativeWork", "target/native"));
		Path missing = work.resolve("missing-" + platform + ".txt");
		if (Files.exists(missing)) {
			fail("this build made no " + platform + " library: " + read(missing).trim());
		}
		Path dir = Path.of(System.getProperty("catzilla.test.muslHarnessDir", "target/musl-harness"));
		Path error = dir.resolve("error.txt");
		if (Files.exists(error)) {
			fail("no musl harness: " + read(error).trim());
		}
		Path file = dir.resolve("musl-harness.properties");
		assertThat(file).as("written by src/main/native/musl-harness.sh before the tests").isRegularFile();
		Properties properties = new Properties();
		try (InputStream in = Files.newInputStream(file)) {
			properties.load(in);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		assertThat(properties.getProperty(platform + ".harness")).as("the harness for %s in %s", platform, file)
			.isNotNull();
		MuslHarness harness = new MuslHarness(platform, Path.of(properties.getProperty(platform + ".harness")),
				Path.of(properties.getProperty(platform + ".root")),
				Path.of(properties.getProperty(platform + ".loader")), emulated);
		assertThat(harness.harness()).isExecutable();
		assertThat(harness.loader()).exists();
		return harness;
	}

	/** The built library of {@code platform} (target/classes/META-INF/native). */
	static Path library(String platform) {
		return Path.of(System.getProperty("catzilla.test.nativeDir", "target/classes/META-INF/native"),
				NativePlatform.fileName(platform));
	}

	/**
	 * Runs the harness with {@code args} ({@code <library> load} or
	 * {@code <library> run <conf>}).
	 */
	Result run(String... args) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>();
		if (this.emulated) {
			command.addAll(List.of(Aarch64Emulation.require().qemu().toString(), "-L", this.root.toString()));
		}
		else {
			// musl's dynamic loader, run as a program
			command.add(this.loader.toString());
		}
		command.add(this.harness.toString());
		command.addAll(List.of(args));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(300, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
		Map<String, String> facts = new LinkedHashMap<>();
		output.lines()
			.filter((line) -> line.contains("=") && !line.startsWith("FAIL:"))
			.forEach((line) -> facts.putIfAbsent(line.substring(0, line.indexOf('=')),
					line.substring(line.indexOf('=') + 1)));
		return new Result(process.exitValue(), output, facts, String.join(" ", command));
	}

	record Result(int exitCode, String output, Map<String, String> facts, String command) {

		String get(String key) {
			return this.facts.get(key);
		}

		long getLong(String key) {
			assertThat(this.facts).as(describe()).containsKey(key);
			return Long.parseLong(this.facts.get(key));
		}

		String describe() {
			return this.command + " exited " + this.exitCode + ":\n" + this.output;
		}

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
