package dev.catzilla.autoconfigure;

import java.util.HashSet;
import java.util.Set;

import dev.catzilla.allocator.NativeLoadFailure;
import dev.catzilla.allocator.NativePlatform;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a {@link JemallocUnavailableException}: what was requested, why the native
 * library could not load (the whole cause chain) and what to do about it.
 */
class JemallocUnavailableFailureAnalyzer extends AbstractFailureAnalyzer<JemallocUnavailableException> {

	/**
	 * The platforms Catzilla's jar carries a native library for (the one list:
	 * {@link NativePlatform}).
	 */
	static final String SUPPORTED_PLATFORMS = NativePlatform.describeSupported();

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, JemallocUnavailableException cause) {
		StringBuilder description = new StringBuilder();
		description.append(String.format(
				"catzilla.allocator=jemalloc was requested, but Catzilla's native jemalloc "
						+ "library could not be loaded on this platform (%s, %s %s, Java %s).%n",
				cause.getPlatform(), System.getProperty("os.name"), System.getProperty("os.arch"),
				System.getProperty("java.version")));
		if (cause.isDisabledOnPurpose()) {
			description.append(String
				.format("The system property catzilla.native.disabled=true switches the library off on purpose.%n"));
		}
		description.append(String.format("%nWhy it could not be loaded:%n"));
		Set<Throwable> seen = new HashSet<>();
		Throwable reason = cause.getCause();
		if (reason == null) {
			description.append(String.format("    (no cause was recorded)%n"));
		}
		for (String indent = "    "; reason != null && seen.add(reason); reason = reason.getCause()) {
			description.append(String.format("%s%s: %s%n", indent, reason.getClass().getName(),
					(reason.getMessage() != null) ? reason.getMessage() : "(no message)"));
			indent = "    caused by ";
		}
		StringBuilder action = new StringBuilder();
		action.append(String.format("Do one of the following:%n"));
		if (cause.isDisabledOnPurpose()) {
			action.append(String.format(
					"    - remove -Dcatzilla.native.disabled=true (or set it to false) to let the library load,%n"));
		}
		else if (!NativePlatform.isSupported(cause.getPlatform())) {
			action.append(String.format("    - run on a platform Catzilla ships a native library for: %s,%n",
					SUPPORTED_PLATFORMS));
		}
		else {
			action.append(String.format("    - %s%n", NativeLoadFailure.action(cause.getCause())));
		}
		action.append(String.format("    - set catzilla.allocator=auto to fall back to Netty's default allocator "
				+ "when jemalloc is unavailable (the reason is logged at startup),%n"));
		action.append(String.format(
				"    - set catzilla.allocator=malloc to use Netty's default allocator without loading native code."));
		return new FailureAnalysis(description.toString().stripTrailing(), action.toString(), cause);
	}

}
