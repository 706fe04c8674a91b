package dev.catzilla.benchmarks.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * What one set-up's server spent in one loaded phase, beside what it answered: the
 * server's CPU time, GC pause time and minor page faults over the phase
 * ({@link ProcessCost} read at its start and end), the answers and bytes of all streams,
 * and RSS when the phase ended.
 *
 * @param cost the server's counters over the phase
 * @param answered 2xx answers of all streams
 * @param mibMoved body MiB through the server: answers read, plus request bodies of
 * aggregate streams (which are sent back whole, so counted twice)
 * @param rssAtEnd RSS at the sample nearest the phase's end, bytes (NaN if none)
 */
record PhaseCost(ProcessCost cost, long answered, double mibMoved, double rssAtEnd) {

	static PhaseCost of(ProcessCost cost, List<LoadResult> results, Workload workload, double rssAtEnd) {
		long answered = 0;
		double bytes = 0;
		for (int i = 0; i < results.size(); i++) {
			LoadResult r = results.get(i);
			answered += r.ok();
			boolean aggregate = i < workload.streams().size()
					&& workload.streams().get(i).kind() == Workload.Kind.AGGREGATE;
			bytes += aggregate ? 2.0 * r.bytes() : r.bytes();
		}
		return new PhaseCost(cost, answered, bytes / Targets.MiB, rssAtEnd);
	}

	/** Server CPU milliseconds per answered request. */
	double cpuMillisPerRequest() {
		return Stats.ratio(this.cost.cpuSeconds() * 1000, this.answered);
	}

	/** Server CPU milliseconds per MiB moved. */
	double cpuMillisPerMiB() {
		return Stats.ratio(this.cost.cpuSeconds() * 1000, this.mibMoved);
	}

	/** GC pause milliseconds over the phase. */
	double gcMillis() {
		return this.cost.gcPauseSeconds() * 1000;
	}

	/** Minor page faults per answered request. */
	double faultsPerRequest() {
		return Stats.ratio(this.cost.minorFaults(), this.answered);
	}

	/** A figure over rounds: median, lowest, highest. */
	record Spread(double median, double min, double max) {

		static Spread of(List<PhaseCost> rounds, ToDoubleFunction<PhaseCost> figure) {
			List<Double> values = new ArrayList<>();
			rounds.forEach((r) -> values.add(figure.applyAsDouble(r)));
			return of(values);
		}

		static Spread of(List<Double> values) {
			return new Spread(Stats.median(values), Stats.min(values), Stats.max(values));
		}

		String format(int decimals) {
			if (!Double.isFinite(this.median)) {
				return "n/a";
			}
			String f = "%." + decimals + "f";
			return String.format(Locale.ROOT, f + " (" + f + "-" + f + ")", this.median, this.min, this.max);
		}

	}

	/**
	 * The Markdown table of the costs: per set-up, medians over rounds with the lowest
	 * and highest round.
	 */
	static String table(Map<String, List<PhaseCost>> costs) {
		StringBuilder md = new StringBuilder();
		md.append(
				"| set-up | answers per phase, all streams | server CPU ms per request | server CPU ms per MiB | GC pause ms"
						+ " per phase | minor faults per request | RSS at phase end MiB |\n");
		md.append("|---|---:|---:|---:|---:|---:|---:|\n");
		for (Map.Entry<String, List<PhaseCost>> e : costs.entrySet()) {
			List<PhaseCost> r = e.getValue();
			md.append("| ")
				.append(e.getKey())
				.append(" | ")
				.append(Spread.of(r, (c) -> c.answered).format(0))
				.append(" | ")
				.append(Spread.of(r, PhaseCost::cpuMillisPerRequest).format(3))
				.append(" | ")
				.append(Spread.of(r, PhaseCost::cpuMillisPerMiB).format(2))
				.append(" | ")
				.append(Spread.of(r, PhaseCost::gcMillis).format(0))
				.append(" | ")
				.append(Spread.of(r, PhaseCost::faultsPerRequest).format(1))
				.append(" | ")
				.append(Spread.of(r, (c) -> c.rssAtEnd / Targets.MiB).format(0))
				.append(" |\n");
		}
		return md.toString();
	}

	/**
	 * The CPU target (ours no more than {@code other}'s CPU per request), decided round
	 * by round: ours and the other ran in the same round, minutes apart, on the same
	 * requests, so each round gives one paired comparison (the machine's drift between
	 * rounds, which widens every set-up's range alike, cancels out). Met when ours was
	 * lower in every round, NOT met when higher in every round, with at least 3 rounds
	 * (all 3 the same way by chance: 1 in 8); otherwise undecided, with the count.
	 */
	static Targets.Verdict cpuVerdict(List<PhaseCost> ours, String otherName, List<PhaseCost> other) {
		Spread o = Spread.of(ours, PhaseCost::cpuMillisPerRequest);
		Spread t = Spread.of(other, PhaseCost::cpuMillisPerRequest);
		int rounds = Math.min(ours.size(), other.size());
		int lower = 0;
		List<Double> ratios = new ArrayList<>();
		for (int i = 0; i < rounds; i++) {
			double a = ours.get(i).cpuMillisPerRequest();
			double b = other.get(i).cpuMillisPerRequest();
			ratios.add(a / b);
			if (a <= b) {
				lower++;
			}
		}
		String measured = String.format(Locale.ROOT,
				"ours %s vs %s %s ms (median, rounds min-max); ours lower in %d of %d paired rounds, "
						+ "ratio %s (median, rounds min-max)",
				o.format(3), otherName, t.format(3), lower, rounds, Spread.of(ratios).format(2));
		String target = "server CPU per request <= " + otherName + "'s";
		if (rounds < 3) {
			return Targets.Verdict.undecided(target, measured + "; fewer than 3 rounds");
		}
		if (lower == rounds) {
			return new Targets.Verdict(target, measured, true);
		}
		if (lower == 0) {
			return new Targets.Verdict(target, measured, false);
		}
		return Targets.Verdict.undecided(target, measured + "; the rounds disagree");
	}

	/** Per phase, one tab-separated line of the raw counters. */
	String tsv() {
		return String.format(Locale.ROOT, "%.3f\t%d\t%.1f\t%d\t%.1f\t%.0f", this.cost.cpuSeconds(),
				this.cost.minorFaults(), this.gcMillis(), this.answered, this.mibMoved, this.rssAtEnd);
	}

}
