package dev.catzilla.allocator;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Test support: runs a main class of the test class path in a fresh JVM: the same java
 * binary as this test JVM ({@code java.home}), {@code -Xcheck:jni}, this JVM's class
 * path, plus the given JVM arguments and environment. The child's jemalloc-related
 * environment ({@code MALLOC_CONF}, {@code CATZILLA_JE_MALLOC_CONF}, {@code LD_PRELOAD})
 * is cleared unless a test sets it. Output goes to files, so a child that hangs ends in a
 * failure after 120 s instead of blocking the build.
 */
final class ForkedJvm {

	private static final long TIMEOUT_SECONDS = 120;

	/**
	 * An emulated arm64 JVM starts in ~1 s but runs code several times slower than a
	 * native one.
	 */
	private static final long EMULATED_TIMEOUT_SECONDS = 1200;

	private Aarch64Emulation emulation;

	private OldGlibc oldGlibc;

	private Path java;

	private final Class<?> mainClass;

	private final List<String> jvmArgs = new ArrayList<>();

	private final Map<String, String> environment = new LinkedHashMap<>();

	private Path classPathFirst;

	private Path jar;

	private long addressSpaceLimit;

	private String leftOut;

	private ForkedJvm(Class<?> mainClass) {
		this.mainClass = mainClass;
	}

	/** A JVM that runs {@link NativeProbe} (its arguments are the probe's steps). */
	static ForkedJvm probe() {
		return new ForkedJvm(NativeProbe.class);
	}

	/**
	 * A JVM that runs {@code java -jar <jar>} (the jar's own manifest, nothing else on
	 * the class path).
	 */
	static ForkedJvm jar(Path jar) {
		ForkedJvm forked = new ForkedJvm(null);
		forked.jar = jar;
		return forked;
	}

	/** A JVM that runs {@code mainClass}. */
	static ForkedJvm main(Class<?> mainClass) {
		return new ForkedJvm(mainClass);
	}

	ForkedJvm jvmArgs(String... args) {
		this.jvmArgs.addAll(List.of(args));
		return this;
	}

	ForkedJvm environment(String name, String value) {
		this.environment.put(name, value);
		return this;
	}

	/** Puts {@code entry} ahead of this JVM's class path. */
	ForkedJvm classPathFirst(Path entry) {
		this.classPathFirst = entry;
		return this;
	}

	/**
	 * Runs the child in the arm64 JVM under qemu user-mode emulation instead of this
	 * JVM's java binary.
	 */
	ForkedJvm onAarch64Emulation() {
		this.emulation = Aarch64Emulation.require();
		return this;
	}

	/** Runs the child with this {@code java} binary instead of this JVM's. */
	ForkedJvm java(Path java) {
		this.java = java;
		return this;
	}

	/**
	 * Runs the child in Temurin 25 on Debian 11's glibc 2.31 (through its loader) instead
	 * of this JVM.
	 */
	ForkedJvm onOldGlibc() {
		this.oldGlibc = OldGlibc.require();
		return this;
	}

	/**
	 * Runs the child in Debian 11's arm64 OpenJDK 17 on its glibc 2.31, under qemu
	 * user-mode emulation.
	 */
	ForkedJvm onOldGlibcAarch64() {
		this.emulation = OldGlibc.require().aarch64();
		return this;
	}

	/**
	 * Limits the child's address space to {@code bytes} ({@code ulimit -v}, through
	 * bash).
	 */
	ForkedJvm addressSpaceLimit(long bytes) {
		this.addressSpaceLimit = bytes;
		return this;
	}

	/**
	 * Leaves out of the child's class path every entry whose path contains {@code part}
	 * (e.g. {@code micrometer}).
	 */
	ForkedJvm withoutClassPathEntries(String part) {
		this.leftOut = part;
		return this;
	}

	Result run(String... args) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>();
		if (this.addressSpaceLimit > 0) {
			command.addAll(List.of("bash", "-c", "ulimit -v " + (this.addressSpaceLimit / 1024) + " && exec \"$@\"",
					"limited"));
		}
		String classPath = System.getProperty("java.class.path");
		if (this.leftOut != null) {
			classPath = String.join(File.pathSeparator,
					Arrays.stream(classPath.split(File.pathSeparator))
						.filter((entry) -> !entry.contains(this.leftOut))
						.toList());
		}
		if (this.classPathFirst != null) {
			classPath = this.classPathFirst.toAbsolutePath() + File.pathSeparator + classPath;
		}
		if (this.emulation != null) {
			command.addAll(this.emulation.javaCommand());
		}
		else if (this.oldGlibc != null) {
			command.addAll(this.oldGlibc.javaCommand());
		}
		else if (this.java != null) {
			command.add(this.java.toString());
		}
		else {
			command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		}
		command.add("-Xcheck:jni");
		command.addAll(this.jvmArgs);
		if (this.jar != null) {
			command.add("-jar");
			command.add(this.jar.toAbsolutePath().toString());
		}
		else {
			command.add("-cp");
			command.add(classPath);
			command.add(this.mainClass.getName());
		}
		command.addAll(List.of(args));
		ProcessBuilder builder = new ProcessBuilder(command);
		builder.environment().remove("CATZILLA_JE_MALLOC_CONF");
		builder.environment().remove("MALLOC_CONF");
		builder.environment().remove("LD_PRELOAD");
		builder.environment().putAll(this.environment);
		Path out = Files.createTempFile("catzilla-forked", ".out");
		Path err = Files.createTempFile("catzilla-forked", ".err");
		try {
			builder.redirectOutput(out.toFile());
			builder.redirectError(err.toFile());
			Process process = builder.start();
			long timeout = (this.emulation != null) ? EMULATED_TIMEOUT_SECONDS : TIMEOUT_SECONDS;
			if (!process.waitFor(timeout, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new IllegalStateException("forked JVM did not finish within " + timeout + " s: " + command);
			}
			return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
					Files.readString(err, StandardCharsets.UTF_8));
		}
		finally {
			Files.deleteIfExists(out);
			Files.deleteIfExists(err);
		}
	}

	record Result(int exitCode, String stdout, String stderr) {

		/** Every line the child printed, standard output first. */
		List<String> lines() {
			List<String> lines = new ArrayList<>(this.stdout.lines().toList());
			lines.addAll(this.stderr.lines().toList());
			return lines;
		}

		/**
		 * The {@code key=value} lines of standard output ({@link NativeProbe}'s format),
		 * the last one per key.
		 */
		Map<String, String> values() {
			Map<String, String> values = new LinkedHashMap<>();
			for (String line : this.stdout.split("\n")) {
				int eq = line.indexOf('=');
				if (eq > 0 && !line.startsWith("WARNING")) {
					values.put(line.substring(0, eq), line.substring(eq + 1));
				}
			}
			return values;
		}

		String get(String key) {
			return values().get(key);
		}

		String describe() {
			return "exit " + this.exitCode + "\n--- stdout ---\n" + this.stdout + "\n--- stderr ---\n" + this.stderr;
		}

	}

}
