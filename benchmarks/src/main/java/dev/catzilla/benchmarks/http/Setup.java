package dev.catzilla.benchmarks.http;

/**
 * One running sample-app server under test: how it was set up (the name says; the script
 * that started it holds the flags), where it listens and which process it is.
 *
 * @param name the set-up's name, e.g. {@code ours}, {@code adaptive}
 * @param port its port on 127.0.0.1
 * @param pid its process id, for its RSS
 */
record Setup(String name, int port, long pid) {

	/** The reference every ratio is taken against: Netty's default allocator. */
	static final String REFERENCE = "adaptive";

	/** Catzilla with its jemalloc. */
	static final String OURS = "ours";

	/** Parses {@code name=port:pid}, as the script passes it. */
	static Setup parse(String spec) {
		int eq = spec.indexOf('=');
		int colon = spec.indexOf(':', eq + 1);
		if (eq <= 0 || colon < 0) {
			throw new IllegalArgumentException("a set-up is name=port:pid, not '" + spec + "'");
		}
		return new Setup(spec.substring(0, eq), Integer.parseInt(spec.substring(eq + 1, colon)),
				Long.parseLong(spec.substring(colon + 1)));
	}

}
