package dev.catzilla.allocator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Test support: runs a main class of the test class path in a new JVM (same java, {@code -Xcheck:jni}). */
final class ForkedJvm {

	private ForkedJvm() {
	}

	record Result(int exitCode, String output) {

		List<String> lines() {
			return output.lines().toList();
		}

	}

	static Result run(Class<?> mainClass, List<String> jvmArgs, String... args) throws IOException,
			InterruptedException {
		return start(new ArrayList<>(), mainClass, prepend("-Xmx256m", jvmArgs), args);
	}

	/** Like {@link #run} with the address space limited to {@code bytes} ({@code ulimit -v}, through bash). */
	static Result runLimited(long bytes, Class<?> mainClass, List<String> jvmArgs, String... args)
			throws IOException, InterruptedException {
		List<String> prefix = new ArrayList<>(List.of("bash", "-c", "ulimit -v " + (bytes / 1024) + " && exec \"$@\"",
				"limited"));
		return start(prefix, mainClass, jvmArgs, args);
	}

	private static List<String> prepend(String first, List<String> rest) {
		List<String> all = new ArrayList<>();
		all.add(first);
		all.addAll(rest);
		return all;
	}

	private static Result start(List<String> command, Class<?> mainClass, List<String> jvmArgs, String... args)
			throws IOException, InterruptedException {
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.add("-Xcheck:jni");
		command.add("-Dio.netty.leakDetection.level=paranoid");
		for (String name : new String[] { "java.library.path", "catzilla.native.disabled" }) {
			String value = System.getProperty(name);
			if (value != null) {
				command.add("-D" + name + "=" + value);
			}
		}
		command.addAll(jvmArgs);
		command.add("-cp");
		command.add(System.getProperty("java.class.path"));
		command.add(mainClass.getName());
		command.addAll(List.of(args));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		byte[] output = process.getInputStream().readAllBytes();
		if (!process.waitFor(120, TimeUnit.SECONDS)) {
			process.destroyForcibly();
			throw new IllegalStateException("forked JVM did not end: " + command);
		}
		return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
	}

}
