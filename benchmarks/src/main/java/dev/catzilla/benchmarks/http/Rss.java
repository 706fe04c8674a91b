package dev.catzilla.benchmarks.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The resident set size of a process, as Linux reports it in {@code /proc/<pid>/status}
 * (VmRSS).
 */
final class Rss {

	private Rss() {
	}

	/** The RSS of {@code pid} in bytes, or empty when the process is gone. */
	static OptionalLong of(long pid) {
		try {
			return parseStatus(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
		}
		catch (IOException ex) {
			return OptionalLong.empty();
		}
	}

	/**
	 * VmRSS out of a {@code /proc/<pid>/status} text, in bytes (the kernel writes kB,
	 * meaning KiB).
	 */
	static OptionalLong parseStatus(String status) {
		for (String line : status.split("\n")) {
			if (line.startsWith("VmRSS:")) {
				String[] fields = line.substring("VmRSS:".length()).trim().split("\\s+");
				return OptionalLong.of(Long.parseLong(fields[0]) * 1024);
			}
		}
		return OptionalLong.empty();
	}

}
