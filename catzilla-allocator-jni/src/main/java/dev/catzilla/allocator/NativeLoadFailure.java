package dev.catzilla.allocator;

import java.util.HashSet;
import java.util.Set;

/**
 * The one place that names why Catzilla's native library cannot load and what to do about
 * it: the loader's messages, the {@link Diagnostics} report and the Spring Boot failure
 * analyzer all take their wording from here.
 */
public final class NativeLoadFailure {

	/**
	 * How to allow a JDK 24+ that refuses native access
	 * ({@code --illegal-native-access=deny}) to load Catzilla.
	 */
	public static final String NATIVE_ACCESS_FIX = "start the JVM with --enable-native-access=ALL-UNNAMED (for an"
			+ " executable jar: 'Enable-Native-Access: ALL-UNNAMED' in its manifest)";

	private static final String FALLBACK = " Meanwhile Netty's own allocator works: catzilla.allocator=auto falls back"
			+ " to it, catzilla.allocator=malloc never loads native code.";

	private NativeLoadFailure() {
	}

	/**
	 * Why no library may be loaded in a process whose C library is {@code libc} (as
	 * {@link NativePlatform#libc()} names it), or {@code null} when its library may load:
	 * musl (which gets the musl library), a glibc new enough (the glibc library). Checked
	 * before anything is loaded: a glibc library on musl (or the reverse) may crash the
	 * JVM instead of failing cleanly, so an unknown C library gets none.
	 */
	public static String libcRefusal(String libc) {
		if (NativePlatform.MUSL.equals(NativePlatform.libcFamily(libc))) {
			return null; // the musl library is chosen (NativePlatform.current())
		}
		if (libc.equals(NativePlatform.GLIBC)) {
			// a glibc whose version banner could not be read: the loader's own check says
			// the rest
			return null;
		}
		if (libc.startsWith(NativePlatform.GLIBC + " ")) {
			return (Diagnostics.compareVersions(libc.substring(6), NativePlatform.MINIMUM_GLIBC) < 0)
					? "this JVM runs on " + libc + ": Catzilla's glibc libraries need glibc "
							+ NativePlatform.MINIMUM_GLIBC + " or newer"
					: null;
		}
		return "the C library of this JVM could not be determined (neither glibc nor musl is mapped in"
				+ " /proc/self/maps): Catzilla loads its glibc libraries only in a process known to run on glibc, and"
				+ " its musl libraries only on musl";
	}

	/**
	 * {@code true} when {@code failure} or one of its causes is the JDK refusing native
	 * access to this code.
	 */
	public static boolean isNativeAccessRefusal(Throwable failure) {
		Set<Throwable> seen = new HashSet<>();
		for (Throwable cause = failure; cause != null && seen.add(cause); cause = cause.getCause()) {
			if (cause instanceof IllegalCallerException && cause.getMessage() != null
					&& cause.getMessage().toLowerCase(java.util.Locale.ROOT).contains("native access")) {
				return true;
			}
		}
		return false;
	}

	/**
	 * The loader's error for a refusal of native access, with the fix; {@code refusal} is
	 * its cause.
	 */
	static UnsatisfiedLinkError nativeAccessRefused(IllegalCallerException refusal) {
		UnsatisfiedLinkError error = new UnsatisfiedLinkError("The JVM refuses native access to Catzilla ("
				+ refusal.getMessage() + "; --illegal-native-access=deny, or a JDK that denies it by default): "
				+ NATIVE_ACCESS_FIX + ".");
		error.initCause(refusal);
		return error;
	}

	/**
	 * {@link #action(Throwable)} plus how Netty's own allocator is kept meanwhile: the
	 * diagnostics' "fix".
	 */
	public static String fix(Throwable cause) {
		String action = action(cause);
		return Boolean.getBoolean(NativeLibraryLoader.DISABLED_PROPERTY) ? action : action + FALLBACK;
	}

	/**
	 * What to do, from the cause of the unavailability and this process's platform and C
	 * library, in a sentence or two (the failure analyzer lists the fallbacks itself).
	 */
	public static String action(Throwable cause) {
		String platform = NativePlatform.current();
		if (Boolean.getBoolean(NativeLibraryLoader.DISABLED_PROPERTY)) {
			return "Remove -D" + NativeLibraryLoader.DISABLED_PROPERTY + "=true to let the library load.";
		}
		if (isNativeAccessRefusal(cause)) {
			return "The JVM refuses native access: " + NATIVE_ACCESS_FIX + ".";
		}
		if (!NativePlatform.isSupported(platform)) {
			return "This jar carries native libraries for " + NativePlatform.describeSupported() + ", not for "
					+ platform + "; run on one of those to use jemalloc.";
		}
		String libc = NativePlatform.libc();
		String refusal = libcRefusal(libc);
		if (refusal != null && libc.startsWith("glibc ")) {
			return "This system has " + libc + "; the libraries need glibc " + NativePlatform.MINIMUM_GLIBC
					+ " or newer (RHEL/CentOS 7 and every later glibc distribution).";
		}
		if (refusal != null) {
			return "The C library of this JVM is unknown; the libraries are for glibc " + NativePlatform.MINIMUM_GLIBC
					+ " or newer and for musl. Run on a glibc- or musl-based system (e.g. Debian, Ubuntu, Alpine).";
		}
		return "The library for " + platform + " did not load; the causes above say why. If the temporary "
				+ "directory is mounted noexec, set -D" + NativeLibraryLoader.WORKDIR_PROPERTY
				+ "=<a directory that allows executables>. If the jar has no library for " + platform
				+ ", it was built without the native build (see docs/native.md).";
	}

}
