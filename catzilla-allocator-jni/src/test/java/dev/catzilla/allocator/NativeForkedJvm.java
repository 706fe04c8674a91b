package dev.catzilla.allocator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link NativeProbe} in a fresh JVM: the same java binary as this test JVM ({@code java.home}),
 * {@code -Xcheck:jni}, this JVM's class path, plus the given JVM arguments and environment.
 */
final class NativeForkedJvm {

	private NativeForkedJvm() {
	}

	record Result(int exitCode, String stdout, String stderr, Map<String, String> values) {

		String get(String key) {
			return this.values.get(key);
		}

		String describe() {
			return "exit " + this.exitCode + "\n--- stdout ---\n" + this.stdout + "\n--- stderr ---\n" + this.stderr;
		}

	}

	static Result run(List<String> jvmArgs, Map<String, String> environment, String... steps)
			throws IOException, InterruptedException {
		return run(null, jvmArgs, environment, steps);
	}

	/** Like {@link #run(List, Map, String...)} with {@code classPathFirst} ahead of this JVM's class path. */
	static Result run(Path classPathFirst, List<String> jvmArgs, Map<String, String> environment, String... steps)
			throws IOException, InterruptedException {
		String classPath = System.getProperty("java.class.path");
		if (classPathFirst != null) {
			classPath = classPathFirst.toAbsolutePath() + java.io.File.pathSeparator + classPath;
		}
		List<String> command = new ArrayList<>();
		command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
		command.add("-Xcheck:jni");
		command.addAll(jvmArgs);
		command.add("-cp");
		command.add(classPath);
		command.add(NativeProbe.class.getName());
		command.addAll(List.of(steps));
		ProcessBuilder builder = new ProcessBuilder(command);
		builder.environment().remove("CATZILLA_JE_MALLOC_CONF");
		builder.environment().remove("MALLOC_CONF");
		builder.environment().remove("LD_PRELOAD");
		builder.environment().putAll(environment);
		Path out = Files.createTempFile("catzilla-probe", ".out");
		Path err = Files.createTempFile("catzilla-probe", ".err");
		try {
			builder.redirectOutput(out.toFile());
			builder.redirectError(err.toFile());
			Process process = builder.start();
			if (!process.waitFor(120, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new IllegalStateException("forked JVM did not finish within 120 s: " + command);
			}
			String stdout = Files.readString(out, StandardCharsets.UTF_8);
			String stderr = Files.readString(err, StandardCharsets.UTF_8);
			Map<String, String> values = new LinkedHashMap<>();
			for (String line : stdout.split("\n")) {
				int eq = line.indexOf('=');
				if (eq > 0 && !line.startsWith("WARNING")) {
					values.put(line.substring(0, eq), line.substring(eq + 1));
				}
			}
			return new Result(process.exitValue(), stdout, stderr, values);
		}
		finally {
			Files.deleteIfExists(out);
			Files.deleteIfExists(err);
		}
	}

}
