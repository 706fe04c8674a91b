package dev.catzilla.autoconfigure;

import dev.catzilla.allocator.NativePlatform;

/**
 * Facts about the platform, read from the JVM and {@code /proc} (no native code, no child process). The C library
 * and its version come from {@link NativePlatform#libc()} (the same detection the diagnostics report uses), read once.
 */
final class PlatformInfo {

	private static volatile String libc;

	private PlatformInfo() {
	}

	static String os() {
		return System.getProperty("os.name") + " " + System.getProperty("os.version");
	}

	static String arch() {
		return System.getProperty("os.arch");
	}

	static String jvm() {
		return System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + " ("
				+ System.getProperty("java.vm.vendor") + ")";
	}

	/** E.g. {@code glibc 2.36}, {@code musl}, or {@code unknown}. */
	static String libc() {
		String result = libc;
		if (result == null) {
			result = NativePlatform.libc();
			libc = result;
		}
		return result;
	}

}
