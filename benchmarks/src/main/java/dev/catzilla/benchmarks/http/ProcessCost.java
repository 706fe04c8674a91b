package dev.catzilla.benchmarks.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a server process has spent so far: CPU time (user + system, from
 * {@code /proc/<pid>/stat}), minor page faults (same file) and GC pause time
 * (Micrometer's {@code jvm.gc.pause} total from {@code /actuator/metrics}). Two readings,
 * one at the start and one at the end of a phase, give that phase's cost
 * ({@link #minus}).
 *
 * @param cpuSeconds utime + stime, seconds
 * @param minorFaults minflt
 * @param gcPauseSeconds total GC pause time, seconds, or NaN when the server did not
 * answer
 */
record ProcessCost(double cpuSeconds, long minorFaults, double gcPauseSeconds) {

	private static final Pattern TOTAL_TIME = Pattern
		.compile("\"statistic\"\\s*:\\s*\"TOTAL_TIME\"\\s*,\\s*\"value\"\\s*:\\s*([0-9.eE+-]+)");

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	/**
	 * Clock ticks per second of {@code /proc/<pid>/stat} times, from
	 * {@code getconf CLK_TCK} (100 if it fails).
	 */
	static final long CLOCK_TICKS = clockTicks();

	ProcessCost minus(ProcessCost start) {
		return new ProcessCost(this.cpuSeconds - start.cpuSeconds, this.minorFaults - start.minorFaults,
				this.gcPauseSeconds - start.gcPauseSeconds);
	}

	/** Reads the process's counters now (the GC figure over HTTP from {@code port}). */
	static ProcessCost read(long pid, int port) {
		String stat;
		try {
			stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
		}
		catch (IOException ex) {
			return new ProcessCost(Double.NaN, -1, Double.NaN);
		}
		ProcessCost cost = parse(stat, CLOCK_TICKS, Double.NaN);
		return new ProcessCost(cost.cpuSeconds, cost.minorFaults, gcPauseSeconds(port));
	}

	/**
	 * Parses a {@code /proc/<pid>/stat} line: fields after the command name (which may
	 * hold spaces and parentheses, hence the last ')'); minflt is field 10, utime 14,
	 * stime 15.
	 */
	static ProcessCost parse(String stat, long ticks, double gcPauseSeconds) {
		String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
		// f[0] is field 3 (state)
		long minflt = Long.parseLong(f[10 - 3]);
		long utime = Long.parseLong(f[14 - 3]);
		long stime = Long.parseLong(f[15 - 3]);
		return new ProcessCost((utime + stime) / (double) ticks, minflt, gcPauseSeconds);
	}

	/**
	 * The TOTAL_TIME of {@code jvm.gc.pause} in a {@code /actuator/metrics/jvm.gc.pause}
	 * answer, NaN if absent.
	 */
	static double parseGcPause(String json) {
		Matcher m = TOTAL_TIME.matcher(json);
		return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
	}

	private static double gcPauseSeconds(int port) {
		try {
			HttpRequest request = HttpRequest
				.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/metrics/jvm.gc.pause"))
				.timeout(Duration.ofSeconds(5))
				.build();
			HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
			// no pause yet: Micrometer has no such meter until the first GC, so 404 means
			// zero
			return (response.statusCode() == 404) ? 0 : parseGcPause(response.body());
		}
		catch (IOException ex) {
			return Double.NaN;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return Double.NaN;
		}
	}

	private static long clockTicks() {
		try {
			Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
			String out = new String(p.getInputStream().readAllBytes()).trim();
			return (p.waitFor() == 0) ? Long.parseLong(out) : 100;
		}
		catch (IOException | RuntimeException ex) {
			return 100;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return 100;
		}
	}

}
