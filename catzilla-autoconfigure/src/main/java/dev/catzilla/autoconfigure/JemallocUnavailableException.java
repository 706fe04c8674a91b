package dev.catzilla.autoconfigure;

import org.jspecify.annotations.Nullable;

/**
 * Thrown when {@code catzilla.allocator=jemalloc} was requested but Catzilla's native
 * library cannot be used. Its cause is the library's unavailability cause;
 * {@link JemallocUnavailableFailureAnalyzer} explains it.
 */
public class JemallocUnavailableException extends RuntimeException {

	private final String platform;

	private final boolean disabledOnPurpose;

	public JemallocUnavailableException(String platform, boolean disabledOnPurpose, @Nullable Throwable cause) {
		super("catzilla.allocator=jemalloc was requested but jemalloc is unavailable on " + platform
				+ (disabledOnPurpose ? " (catzilla.native.disabled=true)" : "") + ((cause != null) ? ": " + cause : ""),
				cause);
		this.platform = platform;
		this.disabledOnPurpose = disabledOnPurpose;
	}

	/** The platform Catzilla detected, e.g. {@code linux-x86_64}. */
	public String getPlatform() {
		return this.platform;
	}

	/**
	 * Whether the system property {@code catzilla.native.disabled=true} switched the
	 * library off.
	 */
	public boolean isDisabledOnPurpose() {
		return this.disabledOnPurpose;
	}

}
