package dev.catzilla.autoconfigure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Starts {@link ForkedProbe} in a new JVM (this JVM's {@code java}, the test class path,
 * {@code -Xcheck:jni}) and collects its output.
 */
final class ForkedJvm {

	private ForkedJvm() {
	}

	record Result(int exitCode, String output, Map<String, String> probe) {

		String get(String key) {
			assertThat(this.probe).as("probe output:%n%s", this.output).containsKey(key);
			return this.probe.get(key);
		}

	}

	static Result run(List<String> jvmArgs, String... applicationArgs) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.add("-Xcheck:jni");
		command.add("-Xmx256m");
		command.addAll(jvmArgs);
		command.add("-cp");
		command.add(System.getProperty("java.class.path"));
		command.add(ForkedProbe.class.getName());
		command.addAll(List.of(applicationArgs));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		byte[] output = process.getInputStream().readAllBytes();
		if (!process.waitFor(2, TimeUnit.MINUTES)) {
			process.destroyForcibly();
			throw new AssertionError("forked JVM did not finish");
		}
		String text = new String(output, StandardCharsets.UTF_8);
		Map<String, String> probe = new LinkedHashMap<>();
		for (String line : text.split("\n")) {
			if (line.startsWith("PROBE ")) {
				String pair = line.substring("PROBE ".length());
				int equals = pair.indexOf('=');
				probe.put((equals > 0) ? pair.substring(0, equals) : pair,
						(equals > 0) ? pair.substring(equals + 1) : "");
			}
		}
		return new Result(process.exitValue(), text, probe);
	}

}
