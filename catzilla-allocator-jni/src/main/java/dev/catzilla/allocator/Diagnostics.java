package dev.catzilla.allocator;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A report to paste into a bug report: the platform, the native libraries this jar
 * carries, whether Catzilla's jemalloc loads here (and if not, the whole cause chain and
 * what to do), jemalloc's version and effective options, and a short self-test (buffers
 * of several sizes allocated and freed on several threads, stats before and after, a
 * purge; through the Netty {@code ByteBufAllocator} as well when Netty is on the class
 * path, else through the raw native calls only). Run it with
 * {@code java -jar catzilla-allocator-jni-<version>.jar} or
 * {@code java -cp <application class path> dev.catzilla.allocator.Diagnostics};
 * {@code --json} prints the same as one JSON object. Exit status: 0 when jemalloc works,
 * 1 when it is unavailable, 2 when it loaded but the self-test failed.
 * <p>
 * {@code --doctor <url>} asks a running service's memory doctor instead
 * ({@code /actuator/catzilla/doctor}, e.g.
 * {@code http://localhost:8080/actuator/catzilla/doctor}) and prints its findings as
 * text. Exit status: 0 when it found no problem, {@link #DOCTOR_FOUND_PROBLEMS} when it
 * did, 1 when the service could not be asked.
 */
public final class Diagnostics {

	/** Exit status when jemalloc loaded and the self-test passed. */
	public static final int OK = 0;

	/**
	 * Exit status when Catzilla's native library is unavailable (Netty's own allocator
	 * would be used).
	 */
	public static final int UNAVAILABLE = 1;

	/** Exit status when the library loaded but the self-test failed. */
	public static final int SELF_TEST_FAILED = 2;

	/** Exit status of {@code --doctor} when the service's doctor found a problem. */
	public static final int DOCTOR_FOUND_PROBLEMS = 3;

	private static final int[] SELF_TEST_SIZES = { 64, 1024, 16_384, 65_536, 1 << 20 };

	private static final int SELF_TEST_THREADS = 4;

	private static final int SELF_TEST_ROUNDS = 200;

	private Diagnostics() {
	}

	public static void main(String[] args) {
		boolean json = false;
		if (args.length == 2 && args[0].equals("--doctor")) {
			System.exit(doctor(args[1], System.out, System.err));
		}
		for (String arg : args) {
			if (arg.equals("--json")) {
				json = true;
			}
			else {
				System.err.println("usage: java -jar catzilla-allocator-jni.jar [--json | --doctor <url>]  (or java "
						+ "-cp ... " + Diagnostics.class.getName() + " [--json | --doctor <url>])");
				System.exit(64);
			}
		}
		Map<String, Object> report = report();
		PrintStream out = System.out;
		if (json) {
			out.println(toJson(report));
		}
		else {
			out.print(toText(report, ""));
		}
		out.flush();
		System.exit((Integer) report.get("exitStatus"));
	}

	/**
	 * Asks the memory doctor at {@code url} ({@code /actuator/catzilla/doctor} of a
	 * running service) for its text report and prints it; returns the exit status.
	 */
	static int doctor(String url, PrintStream out, PrintStream err) {
		String target = url.contains("?") ? url + "&format=text" : url + "?format=text";
		try {
			java.net.HttpURLConnection connection = (java.net.HttpURLConnection) java.net.URI.create(target)
				.toURL()
				.openConnection();
			connection.setConnectTimeout(5_000);
			connection.setReadTimeout(30_000);
			connection.setRequestProperty("Accept", "text/plain");
			int status = connection.getResponseCode();
			InputStream body = (status < 400) ? connection.getInputStream() : connection.getErrorStream();
			String text = (body != null) ? new String(body.readAllBytes(), StandardCharsets.UTF_8) : "";
			connection.disconnect();
			if (status != 200) {
				err.println("The doctor at " + target + " answered " + status + ": " + text.strip());
				return UNAVAILABLE;
			}
			out.print(text);
			out.flush();
			return text.startsWith(MemoryDoctor.NO_PROBLEM) ? OK : DOCTOR_FOUND_PROBLEMS;
		}
		catch (IOException | IllegalArgumentException ex) {
			err.println("Could not ask the doctor at " + target + ": " + ex);
			return UNAVAILABLE;
		}
	}

	/** The report as an ordered tree of maps, lists, strings, numbers and booleans. */
	static Map<String, Object> report() {
		Map<String, Object> report = new LinkedHashMap<>();
		Package pkg = Diagnostics.class.getPackage();
		String version = (pkg != null) ? pkg.getImplementationVersion() : null;
		report.put("catzilla", (version != null) ? version : "unknown (not run from the jar)");
		Map<String, Object> platform = new LinkedHashMap<>();
		platform.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
		platform.put("arch", System.getProperty("os.arch"));
		platform.put("platform", NativePlatform.current());
		platform.put("supported", NativePlatform.isSupported(NativePlatform.current()));
		platform.put("libc", NativePlatform.libc());
		platform.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + " ("
				+ System.getProperty("java.vm.vendor") + ")");
		platform.put("javaHome", System.getProperty("java.home"));
		platform.put("pageSize", NativePlatform.pageSize());
		report.put("platform", platform);
		report.put("libraries", carriedLibraries());
		report.put("requiredGlibc", NativePlatform.MINIMUM_GLIBC + " or newer");

		Map<String, Object> jemalloc = new LinkedHashMap<>();
		report.put("jemalloc", jemalloc);
		jemalloc.put("available", Jemalloc.isAvailable());
		if (!Jemalloc.isAvailable()) {
			jemalloc.put("causes", causeChain(Jemalloc.unavailabilityCause()));
			jemalloc.put("fix", fix(Jemalloc.unavailabilityCause()));
			report.put("result", "jemalloc UNAVAILABLE here: Netty's own allocator would be used");
			report.put("exitStatus", UNAVAILABLE);
			return report;
		}
		jemalloc.put("loadedFrom", Jemalloc.libraryLocation());
		jemalloc.put("version", Jemalloc.version());
		try {
			jemalloc.put("options", new LinkedHashMap<String, Object>(Jemalloc.effectiveOptions()));
			Map<String, Object> selfTest = selfTest();
			report.put("selfTest", selfTest);
			jemalloc.put("statistics", statistics(JemallocStatistics.read(), true));
			boolean passed = Boolean.TRUE.equals(selfTest.get("passed"));
			report.put("result", passed ? "OK: jemalloc works here" : "FAILED: jemalloc loaded, the self-test failed");
			report.put("exitStatus", passed ? OK : SELF_TEST_FAILED);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			report.put("result", "FAILED: the self-test was interrupted");
			report.put("exitStatus", SELF_TEST_FAILED);
		}
		catch (RuntimeException | Error ex) {
			report.put("selfTest", Map.of("passed", false, "causes", causeChain(ex)));
			report.put("result", "FAILED: jemalloc loaded but does not work: " + ex);
			report.put("exitStatus", SELF_TEST_FAILED);
		}
		return report;
	}

	/**
	 * Every platform of {@link NativePlatform#SUPPORTED} with whether this class path
	 * carries its library.
	 */
	private static List<Object> carriedLibraries() {
		List<Object> libraries = new ArrayList<>();
		ClassLoader loader = Diagnostics.class.getClassLoader();
		for (String platform : NativePlatform.SUPPORTED) {
			Map<String, Object> library = new LinkedHashMap<>();
			String resource = NativeLibraryLoader.RESOURCE_DIR + NativePlatform.fileName(platform);
			library.put("platform", platform);
			library.put("resource", resource);
			URL url = loader.getResource(resource);
			URL checksum = loader.getResource(resource + ".sha256");
			library.put("present", url != null);
			if (url != null) {
				try {
					String actual = sha256(url);
					String expected = (checksum != null) ? read(checksum).trim() : null;
					library.put("sha256", actual);
					library.put("checksum",
							(expected == null) ? "MISSING" : expected.equals(actual) ? "ok" : "MISMATCH");
				}
				catch (IOException ex) {
					library.put("checksum", "unreadable: " + ex);
				}
			}
			libraries.add(library);
		}
		return libraries;
	}

	/** Buffers of several sizes on several threads, stats before and after, a purge. */
	private static Map<String, Object> selfTest() throws InterruptedException {
		Map<String, Object> result = new LinkedHashMap<>();
		boolean netty = nettyPresent();
		Jemalloc.initialize();
		JemallocStats before = Jemalloc.stats();
		ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
		List<Thread> threads = new ArrayList<>();
		for (int t = 0; t < SELF_TEST_THREADS; t++) {
			int seed = t;
			threads.add(new Thread(() -> exercise(netty, seed, failures), "catzilla-diagnostics-" + t));
		}
		long start = System.nanoTime();
		threads.forEach(Thread::start);
		for (Thread thread : threads) {
			thread.join(60_000);
		}
		long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
		// Ended threads flush their jemalloc thread caches from a TLS destructor, a
		// moment after join() returns.
		JemallocStats after = Jemalloc.stats();
		for (int i = 0; i < 200 && after.allocated() != before.allocated(); i++) {
			Thread.sleep(25);
			after = Jemalloc.stats();
		}
		long released = Jemalloc.purge();
		JemallocStats afterPurge = Jemalloc.stats();
		result.put("through", netty ? "Netty ByteBufAllocator (JemallocByteBufAllocator) and raw native calls"
				: "raw native calls only (Netty is not on the class path)");
		result.put("threads", SELF_TEST_THREADS);
		result.put("sizes", List.of(64, 1024, 16_384, 65_536, 1 << 20));
		result.put("buffers", (long) SELF_TEST_THREADS * SELF_TEST_ROUNDS * SELF_TEST_SIZES.length * (netty ? 2 : 1));
		result.put("millis", elapsedMillis);
		result.put("before", stats(before));
		result.put("after", stats(after));
		result.put("purgeReleasedBytes", released);
		result.put("afterPurge", stats(afterPurge));
		List<String> problems = new ArrayList<>();
		for (Throwable failure : failures) {
			problems.add(failure.toString());
		}
		if (threads.stream().anyMatch(Thread::isAlive)) {
			problems.add("a self-test thread did not finish within 60 s");
		}
		if (netty && DiagnosticsNettyCheck.usedDirectMemory() != 0) {
			problems
				.add("the ByteBufAllocator still counts " + DiagnosticsNettyCheck.usedDirectMemory() + " bytes in use");
		}
		if (after.allocated() != before.allocated()) {
			problems.add("jemalloc stats.allocated did not return to " + before.allocated() + " (is "
					+ after.allocated() + ")");
		}
		result.put("problems", problems);
		result.put("passed", problems.isEmpty());
		return result;
	}

	private static boolean nettyPresent() {
		try {
			Class.forName("io.netty.buffer.AbstractByteBufAllocator", false, Diagnostics.class.getClassLoader());
			return true;
		}
		catch (ClassNotFoundException | LinkageError ex) {
			return false;
		}
	}

	private static void exercise(boolean netty, int seed, ConcurrentLinkedQueue<Throwable> failures) {
		try {
			for (int round = 0; round < SELF_TEST_ROUNDS; round++) {
				for (int size : SELF_TEST_SIZES) {
					byte mark = (byte) (seed * 31 + round + size);
					long address = JemallocNative.allocate(size);
					if (address == 0) {
						throw new IllegalStateException("jemalloc returned no memory for " + size + " bytes");
					}
					try {
						ByteBuffer view = JemallocNative.directBuffer(address, size);
						view.put(0, mark).put(size - 1, mark);
						if (view.get(0) != mark || view.get(size - 1) != mark
								|| JemallocNative.usableSize(address) < size) {
							throw new IllegalStateException(
									size + " bytes at 0x" + Long.toHexString(address) + " did not keep their content");
						}
					}
					finally {
						JemallocNative.free(address, size);
					}
					if (netty) {
						DiagnosticsNettyCheck.exercise(size, mark);
					}
				}
			}
		}
		catch (Throwable ex) {
			failures.add(ex);
		}
	}

	private static Map<String, Object> stats(JemallocStats stats) {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("allocated", stats.allocated());
		map.put("active", stats.active());
		map.put("resident", stats.resident());
		map.put("mapped", stats.mapped());
		map.put("retained", stats.retained());
		map.put("metadata", stats.metadata());
		return map;
	}

	/**
	 * A snapshot as the report (and the endpoint) shows it, iterating the model:
	 * {@code totals} by {@link JemallocStatistic#key()}, {@code ratios} by
	 * {@link JemallocRatio#key()} with the bytes each stands for, and with
	 * {@code details} the arenas, the small size classes in use (slabs) and the large
	 * ones in use (extents).
	 */
	public static Map<String, Object> statistics(JemallocStatistics.Snapshot snapshot, boolean details) {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("totals", new LinkedHashMap<String, Object>(snapshot.totalsByKey()));
		map.put("processResident", snapshot.processResident());
		Map<String, Object> ratios = new LinkedHashMap<>();
		for (JemallocRatio ratio : JemallocRatio.values()) {
			Map<String, Object> value = new LinkedHashMap<>();
			value.put("ratio", Math.round(1000 * ratio.ratio(snapshot)) / 1000.0);
			value.put("bytes", ratio.bytes(snapshot));
			ratios.put(ratio.key(), value);
		}
		map.put("ratios", ratios);
		if (details) {
			List<Object> arenas = new ArrayList<>();
			for (JemallocStatistics.Arena arena : snapshot.arenas()) {
				Map<String, Object> a = new LinkedHashMap<>();
				a.put("index", arena.index());
				a.put(JemallocStatistic.ARENA_THREADS.key(), arena.threads());
				a.put(JemallocStatistic.ARENA_SMALL_ALLOCATED.key(), arena.smallAllocated());
				a.put(JemallocStatistic.ARENA_LARGE_ALLOCATED.key(), arena.largeAllocated());
				a.put(JemallocStatistic.ARENA_DIRTY.key(), arena.dirty());
				a.put(JemallocStatistic.ARENA_MUZZY.key(), arena.muzzy());
				arenas.add(a);
			}
			map.put("arenas", arenas);
			List<Object> bins = new ArrayList<>();
			for (JemallocStatistics.Bin bin : snapshot.bins()) {
				if (bin.slabs() == 0) {
					continue;
				}
				Map<String, Object> b = new LinkedHashMap<>();
				b.put(JemallocStatistic.BIN_SIZE.key(), bin.size());
				b.put(JemallocStatistic.BIN_REGIONS.key(), bin.regions());
				b.put(JemallocStatistic.BIN_SLABS.key(), bin.slabs());
				b.put(JemallocStatistic.BIN_REGIONS_PER_SLAB.key(), bin.regionsPerSlab());
				b.put("utilisation", Math.round(1000 * bin.utilisation()) / 1000.0);
				b.put("wastedBytes", bin.wastedBytes());
				bins.add(b);
			}
			map.put("bins", bins);
			List<Object> large = new ArrayList<>();
			for (JemallocStatistics.LargeClass lextent : snapshot.largeClasses()) {
				if (lextent.extents() == 0) {
					continue;
				}
				Map<String, Object> l = new LinkedHashMap<>();
				l.put(JemallocStatistic.LARGE_SIZE.key(), lextent.size());
				l.put(JemallocStatistic.LARGE_EXTENTS.key(), lextent.extents());
				l.put("bytes", lextent.bytes());
				large.add(l);
			}
			map.put("largeClasses", large);
		}
		return map;
	}

	private static List<Object> causeChain(Throwable failure) {
		List<Object> chain = new ArrayList<>();
		Set<Throwable> seen = new HashSet<>();
		for (Throwable cause = failure; cause != null && seen.add(cause); cause = cause.getCause()) {
			chain.add(cause.getClass().getName() + ": " + cause.getMessage());
			for (Throwable suppressed : cause.getSuppressed()) {
				chain.add("(also tried) " + suppressed.getClass().getName() + ": " + suppressed.getMessage());
			}
		}
		return chain;
	}

	/**
	 * What to do, from the cause and the platform (the one wording:
	 * {@link NativeLoadFailure#fix}).
	 */
	static String fix(Throwable cause) {
		return NativeLoadFailure.fix(cause);
	}

	static int compareVersions(String a, String b) {
		String[] x = a.split("\\.");
		String[] y = b.split("\\.");
		for (int i = 0; i < Math.max(x.length, y.length); i++) {
			int p = (i < x.length) ? parse(x[i]) : 0;
			int q = (i < y.length) ? parse(y[i]) : 0;
			if (p != q) {
				return Integer.compare(p, q);
			}
		}
		return 0;
	}

	private static int parse(String number) {
		try {
			return Integer.parseInt(number);
		}
		catch (NumberFormatException ex) {
			return 0;
		}
	}

	private static String sha256(URL url) throws IOException {
		MessageDigest digest;
		try {
			digest = MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IOException("SHA-256 is not available", ex);
		}
		try (InputStream in = url.openStream()) {
			byte[] buffer = new byte[64 * 1024];
			for (int n; (n = in.read(buffer)) > 0;) {
				digest.update(buffer, 0, n);
			}
		}
		return HexFormat.of().formatHex(digest.digest());
	}

	private static String read(URL url) throws IOException {
		try (InputStream in = url.openStream()) {
			return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
		}
	}

	/** Indented {@code key: value} lines, lists as {@code - item}. */
	static String toText(Map<String, Object> map, String indent) {
		StringBuilder text = new StringBuilder();
		if (indent.isEmpty()) {
			text.append("Catzilla diagnostics\n");
		}
		for (Map.Entry<String, Object> entry : map.entrySet()) {
			Object value = entry.getValue();
			if (value instanceof Map<?, ?> nested) {
				text.append(indent).append(entry.getKey()).append(":\n");
				text.append(toText(cast(nested), indent + "  "));
			}
			else if (value instanceof List<?> list) {
				text.append(indent).append(entry.getKey()).append(':').append(list.isEmpty() ? " (none)\n" : "\n");
				for (Object item : list) {
					if (item instanceof Map<?, ?> nested) {
						text.append(indent).append("  -\n").append(toText(cast(nested), indent + "    "));
					}
					else {
						text.append(indent).append("  - ").append(item).append('\n');
					}
				}
			}
			else {
				text.append(indent).append(entry.getKey()).append(": ").append(value).append('\n');
			}
		}
		return text.toString();
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> cast(Map<?, ?> map) {
		return (Map<String, Object>) map;
	}

	/** A minimal JSON writer for the report's types (no dependency). */
	static String toJson(Object value) {
		StringBuilder json = new StringBuilder();
		writeJson(value, json);
		return json.toString();
	}

	private static void writeJson(Object value, StringBuilder json) {
		if (value == null) {
			json.append("null");
		}
		else if (value instanceof Boolean || value instanceof Integer || value instanceof Long) {
			json.append(value);
		}
		else if (value instanceof Double number && Double.isFinite(number)) {
			json.append(number);
		}
		else if (value instanceof Map<?, ?> map) {
			json.append('{');
			boolean first = true;
			for (Map.Entry<?, ?> entry : map.entrySet()) {
				json.append(first ? "" : ",");
				first = false;
				writeString(String.valueOf(entry.getKey()), json);
				json.append(':');
				writeJson(entry.getValue(), json);
			}
			json.append('}');
		}
		else if (value instanceof List<?> list) {
			json.append('[');
			for (int i = 0; i < list.size(); i++) {
				json.append(i == 0 ? "" : ",");
				writeJson(list.get(i), json);
			}
			json.append(']');
		}
		else {
			writeString(value.toString(), json);
		}
	}

	private static void writeString(String s, StringBuilder json) {
		json.append('"');
		for (int i = 0; i < s.length(); i++) {
			char c = s.charAt(i);
			switch (c) {
				case '"' -> json.append("\\\"");
				case '\\' -> json.append("\\\\");
				case '\n' -> json.append("\\n");
				case '\r' -> json.append("\\r");
				case '\t' -> json.append("\\t");
				default -> {
					if (c < 0x20) {
						json.append(String.format("\\u%04x", (int) c));
					}
					else {
						json.append(c);
					}
				}
			}
		}
		json.append('"');
	}

}
