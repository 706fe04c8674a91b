package dev.catzilla.benchmarks.http;

import java.util.List;
import java.util.Locale;

/**
 * The Markdown results of one scenario: how it was run, one table of the set-ups, and the
 * targets.
 */
final class Report {

	private static final double MiB = Targets.MiB;

	private Report() {
	}

	/**
	 * @param title the scenario's heading
	 * @param method paragraphs saying how it was run (load, durations, command, commit,
	 * machine)
	 * @param summaries the set-ups, in the order they were started
	 * @param verdicts the targets' outcomes
	 * @param chart file name of the RSS plot next to the Markdown file
	 */
	static String markdown(String title, String method, List<SetupSummary> summaries, List<Targets.Verdict> verdicts,
			String chart) {
		return markdown(title, method, summaries, verdicts, chart, "");
	}

	/**
	 * As above, with the table of what each server spent per phase
	 * ({@link PhaseCost#table}) after the load table.
	 */
	static String markdown(String title, String method, List<SetupSummary> summaries, List<Targets.Verdict> verdicts,
			String chart, String costTable) {
		StringBuilder md = new StringBuilder();
		md.append("# ").append(title).append("\n\n").append(method.strip()).append("\n\n");
		md.append(loadTable(summaries)).append('\n');
		if (!costTable.isEmpty()) {
			md.append(
					"What each server spent per phase (CPU: utime + stime of the server process from `/proc/<pid>/stat`;"
							+ " GC: `jvm.gc.pause` total from `/actuator/metrics`; faults: minflt; per request = over the answers"
							+ " of all streams; MiB moved = answer bodies + aggregated request bodies), median over rounds"
							+ " (lowest-highest round):\n\n");
			md.append(costTable).append('\n');
		}
		md.append(memoryTable(summaries)).append('\n');
		md.append("![RSS over time](").append(chart).append(")\n\n");
		if (verdicts.isEmpty()) {
			md.append("No targets: `ours` or `adaptive` did not run.\n");
		}
		else {
			md.append("Targets (ours against the other set-ups of this run):\n\n");
			md.append("| target | measured | verdict |\n|---|---|---|\n");
			for (Targets.Verdict verdict : verdicts) {
				md.append("| ")
					.append(verdict.target())
					.append(" | ")
					.append(verdict.measured())
					.append(" | ")
					.append((verdict.outcome() == Targets.Outcome.NOT_MET) ? "**NOT met**" : verdict.word())
					.append(" |\n");
			}
		}
		return md.toString();
	}

	static String loadTable(List<SetupSummary> summaries) {
		StringBuilder md = new StringBuilder();
		md.append("| set-up | requests/s median (rounds min-max) | p50 ms | p99 ms | errors |");
		int streams = summaries.isEmpty() ? 0 : summaries.get(0).streams();
		List<String> others = (streams > 1) ? otherStreams(summaries.get(0)) : List.of();
		for (String stream : others) {
			md.append(' ').append(stream).append(": answers, p99 s |");
		}
		md.append("\n|---|---:|---:|---:|---:|").append("---:|".repeat(others.size())).append('\n');
		for (SetupSummary s : summaries) {
			md.append("| ")
				.append(s.setup())
				.append(" | ")
				.append(String.format(Locale.ROOT, "%.0f (%.0f-%.0f)", s.medianRequestsPerSecond(),
						Stats.min(s.requestsPerSecond()), Stats.max(s.requestsPerSecond())))
				.append(" | ")
				.append(number(s.medianLatencyMillis(0, 50), 2))
				.append(" | ")
				.append(number(s.medianLatencyMillis(0, 99), 2))
				.append(" | ")
				.append(s.errors())
				.append(" |");
			for (int i = 1; i < streams; i++) {
				md.append(' ')
					.append(s.ok(i))
					.append(", ")
					.append(number(s.medianLatencyMillis(i, 99) / 1000, 1))
					.append(" |");
			}
			md.append('\n');
		}
		return md.toString();
	}

	static String memoryTable(List<SetupSummary> summaries) {
		StringBuilder md = new StringBuilder();
		md.append("| set-up | baseline MiB | peak MiB | +15 s MiB | +60 s MiB | end MiB | allocator's count at peak MiB"
				+ " | jemalloc resident at peak MiB | fragmentation at peak MiB | back within 32 MiB of baseline after s |\n");
		md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
		for (SetupSummary s : summaries) {
			Memory m = s.memory();
			md.append("| ")
				.append(s.setup())
				.append(" | ")
				.append(mib(m.baseline()))
				.append(" | ")
				.append(mib(m.peak()))
				.append(" | ")
				.append(mib(m.after15s()))
				.append(" | ")
				.append(mib(m.after60s()))
				.append(" | ")
				.append(mib(s.endRss()))
				.append(" | ")
				.append(mib(m.nettyUsedAtPeak()))
				.append(" | ")
				.append(mib(m.jemallocResidentAtPeak()))
				.append(" | ")
				.append(mib(m.fragmentation()))
				.append(" | ")
				.append(Double.isFinite(m.backWithinMillis())
						? String.format(Locale.ROOT, "%.1f", m.backWithinMillis() / 1000)
						: Double.isInfinite(m.backWithinMillis()) ? "never" : "n/a")
				.append(" |\n");
		}
		return md.toString();
	}

	private static List<String> otherStreams(SetupSummary summary) {
		return summary.rounds().get(0).stream().skip(1).map(LoadResult::stream).toList();
	}

	static String mib(double bytes) {
		return Double.isFinite(bytes) ? String.format(Locale.ROOT, "%.0f", bytes / MiB) : "n/a";
	}

	static String number(double value, int decimals) {
		return Double.isFinite(value) ? String.format(Locale.ROOT, "%." + decimals + "f", value) : "n/a";
	}

}
