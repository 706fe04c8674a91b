package dev.catzilla.autoconfigure;

import dev.catzilla.allocator.NativePlatform;

import org.jspecify.annotations.Nullable;

/**
 * Facts about the platform, read from the JVM and {@code /proc} (no native code, no child
 * process). The C library and its version come from {@link NativePlatform#libc()} (the
 * same detection the diagnostics report uses), read once. Public for the actuator
 * packages only; not an API.
 */
public final class PlatformInfo {

	private static volatile @Nullable String libc;

	private PlatformInfo() {
	}

	public static String os() {
		return System.getProperty("os.name") + " " + System.getProperty("os.version");
	}

	public static String arch() {
		return System.getProperty("os.arch");
	}

	public static String jvm() {
		return System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + " ("
				+ System.getProperty("java.vm.vendor") + ")";
	}

	/** E.g. {@code glibc 2.36}, {@code musl}, or {@code unknown}. */
	public static String libc() {
		String result = libc;
		if (result == null) {
			result = NativePlatform.libc();
			libc = result;
		}
		return result;
	}

}
