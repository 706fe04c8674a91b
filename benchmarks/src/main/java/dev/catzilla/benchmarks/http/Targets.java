package dev.catzilla.benchmarks.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * The targets of issues 12 and 16 for Catzilla ({@code ours}) against the other set-ups
 * of the same run, with the figures that decide each. (The CPU-per-request targets are
 * {@link PhaseCost#cpuVerdict}'s.)
 */
final class Targets {

	static final double MiB = 1024.0 * 1024.0;

	/** Whether a target was met, missed, or could not be decided from the figures. */
	enum Outcome {

		MET, NOT_MET, UNDECIDED

	}

	/**
	 * One target's outcome: what was wanted, what was measured, and whether it was met
	 * (undecided where the figures cannot say: too few rounds, rounds that disagree, a
	 * figure missing).
	 */
	record Verdict(String target, String measured, Outcome outcome) {

		Verdict(String target, String measured, boolean met) {
			this(target, measured, met ? Outcome.MET : Outcome.NOT_MET);
		}

		static Verdict undecided(String target, String why) {
			return new Verdict(target, why, Outcome.UNDECIDED);
		}

		boolean met() {
			return this.outcome == Outcome.MET;
		}

		/** As the results show it: {@code met}, {@code NOT met} or {@code undecided}. */
		String word() {
			return switch (this.outcome) {
				case MET -> "met";
				case NOT_MET -> "NOT met";
				case UNDECIDED -> "undecided";
			};
		}

	}

	private Targets() {
	}

	/**
	 * Every target that applies to a scenario; empty when {@code ours} or
	 * {@code adaptive} did not run.
	 * @param summaries the set-ups' figures, by name
	 * @param rssAfterBurst whether the scenario is the burst-then-idle one (RSS 15 s
	 * after)
	 * @param fragmentation whether the fragmentation target applies (many live buffers,
	 * proxy)
	 */
	static List<Verdict> evaluate(Map<String, SetupSummary> summaries, boolean rssAfterBurst, boolean fragmentation) {
		SetupSummary ours = summaries.get(Setup.OURS);
		SetupSummary adaptive = summaries.get(Setup.REFERENCE);
		List<Verdict> verdicts = new ArrayList<>();
		if (ours == null || adaptive == null) {
			return verdicts;
		}
		verdicts.add(throughput(ours, adaptive));
		verdicts.add(p99(ours, adaptive));
		verdicts.add(answers(ours, adaptive));
		if (rssAfterBurst) {
			verdicts.add(heldAfterBurst(ours));
		}
		verdicts.add(backWithin(ours));
		verdicts.add(againstTheBest(ours, summaries, "+15 s", Memory::after15s));
		verdicts.add(againstTheBest(ours, summaries, "+60 s", Memory::after60s));
		if (fragmentation) {
			verdicts.add(fragmentation(ours, adaptive));
		}
		verdicts.add(fragmentationAgainstTheBest(ours, summaries));
		return verdicts;
	}

	static Verdict throughput(SetupSummary ours, SetupSummary adaptive) {
		double ratio = Stats.ratio(ours.medianRequestsPerSecond(), adaptive.medianRequestsPerSecond());
		return new Verdict("throughput >= 1.0x adaptive", String.format("%.2fx (%.0f vs %.0f req/s, medians)", ratio,
				ours.medianRequestsPerSecond(), adaptive.medianRequestsPerSecond()), ratio >= 1.0);
	}

	static Verdict p99(SetupSummary ours, SetupSummary adaptive) {
		double a = ours.medianLatencyMillis(0, 99);
		double b = adaptive.medianLatencyMillis(0, 99);
		double ratio = Stats.ratio(a, b);
		return new Verdict("p99 <= 1.0x adaptive", String.format("%.2fx (%.1f vs %.1f ms)", ratio, a, b), ratio <= 1.0);
	}

	static Verdict heldAfterBurst(SetupSummary ours) {
		Memory m = ours.memory();
		return new Verdict("RSS 15 s after the burst <= baseline + 32 MiB",
				String.format("%.0f MiB vs %.0f + 32 MiB (%+.0f MiB)", m.after15s() / MiB, m.baseline() / MiB,
						m.heldAfter15s() / MiB),
				m.heldAfter15s() <= 32 * MiB);
	}

	/**
	 * No stream (body type) of the scenario gets fewer answers with ours than with
	 * adaptive, within 3 % (the tolerance of a paced stream's offered rate); undecided
	 * unless both ran the same streams and rounds.
	 */
	static Verdict answers(SetupSummary ours, SetupSummary adaptive) {
		String target = "no stream gets fewer answers than with adaptive (within 3 %)";
		if (ours.streams() == 0 || ours.streams() != adaptive.streams()
				|| ours.rounds().size() != adaptive.rounds().size()) {
			return Verdict.undecided(target, "the set-ups ran different streams or rounds");
		}
		StringBuilder measured = new StringBuilder();
		boolean met = true;
		for (int i = 0; i < ours.streams(); i++) {
			long a = ours.ok(i);
			long b = adaptive.ok(i);
			boolean fewer = a < 0.97 * b;
			met &= !fewer;
			measured.append((measured.length() > 0) ? "; " : "")
				.append(ours.rounds().get(0).get(i).stream())
				.append(String.format(Locale.ROOT, " %d vs %d", a, b))
				.append(fewer ? " (fewer)" : "");
		}
		return new Verdict(target, measured.toString(), met);
	}

	/**
	 * Issue 16: RSS back within 32 MiB of the baseline no later than 5 s after the load.
	 */
	static Verdict backWithin(SetupSummary ours) {
		double millis = ours.memory().backWithinMillis();
		String measured;
		if (Double.isFinite(millis)) {
			measured = String.format(Locale.ROOT, "after %.1f s", millis / 1000);
		}
		else {
			measured = Double.isInfinite(millis) ? "not while sampled" : "no baseline";
		}
		return new Verdict("RSS back within 32 MiB of the baseline <= 5 s after the load", measured,
				Double.isFinite(millis) && millis <= 5_000);
	}

	/**
	 * Ours' RSS at a moment after the load no more than 16 MiB above the lowest of the
	 * other set-ups' (absolute figures: the baselines differ, because trimming and
	 * {@code MALLOC_ARENA_MAX} shrink the JVM's own malloc too; what each held above its
	 * own baseline is shown beside them). Undecided where the run was too short for a
	 * figure.
	 */
	static Verdict againstTheBest(SetupSummary ours, Map<String, SetupSummary> summaries, String moment,
			ToDoubleFunction<Memory> figure) {
		String target = "RSS at " + moment + " <= the best other set-up's + 16 MiB";
		Optional<SetupSummary> best = summaries.values()
			.stream()
			.filter((s) -> isOther(s) && Double.isFinite(figure.applyAsDouble(s.memory())))
			.min((a, b) -> Double.compare(figure.applyAsDouble(a.memory()), figure.applyAsDouble(b.memory())));
		double oursAt = figure.applyAsDouble(ours.memory());
		if (!Double.isFinite(oursAt)) {
			return Verdict.undecided(target, "no figure for ours (the run ended sooner after its last phase)");
		}
		if (best.isEmpty()) {
			return Verdict.undecided(target, "no other set-up has a figure");
		}
		double bestAt = figure.applyAsDouble(best.get().memory());
		return new Verdict(target,
				String.format(Locale.ROOT, "%.0f MiB vs %s %.0f + 16 MiB (above their baselines: %+.0f vs %+.0f MiB)",
						oursAt / MiB, best.get().setup(), bestAt / MiB, (oursAt - ours.memory().baseline()) / MiB,
						(bestAt - best.get().memory().baseline()) / MiB),
				oursAt <= bestAt + 16 * MiB);
	}

	/**
	 * Issue 16: fragmentation at the peak no more than the best other set-up's, or none
	 * at all (as for {@link #fragmentation}: against a negative figure, which is noise,
	 * no overhead is as good as it gets).
	 */
	static Verdict fragmentationAgainstTheBest(SetupSummary ours, Map<String, SetupSummary> summaries) {
		String target = "fragmentation at the peak <= the best other set-up's (or none at all)";
		Optional<SetupSummary> best = summaries.values()
			.stream()
			.filter((s) -> isOther(s) && Double.isFinite(s.memory().fragmentation()))
			.min((a, b) -> Double.compare(a.memory().fragmentation(), b.memory().fragmentation()));
		double a = ours.memory().fragmentation();
		if (best.isEmpty() || !Double.isFinite(a)) {
			return Verdict.undecided(target, "no figure to compare");
		}
		double b = best.get().memory().fragmentation();
		return new Verdict(target,
				String.format(Locale.ROOT, "%.0f MiB vs %s %.0f MiB", a / MiB, best.get().setup(), b / MiB),
				a <= Math.max(b, 0));
	}

	/**
	 * The set-ups ours is compared with: neither ours nor its variants
	 * ({@code ours-unprofiled}, {@code ours-dense}).
	 */
	private static boolean isOther(SetupSummary summary) {
		return !summary.setup().equals(Setup.OURS) && !summary.setup().startsWith(Setup.OURS + "-");
	}

	/**
	 * Met when ours is at most 0.8x adaptive's, or when ours has no overhead at all (then
	 * a ratio against a small or negative figure says nothing).
	 */
	static Verdict fragmentation(SetupSummary ours, SetupSummary adaptive) {
		double a = ours.memory().fragmentation();
		double b = adaptive.memory().fragmentation();
		boolean met = Double.isFinite(a) && Double.isFinite(b) && (a <= 0 || a <= 0.8 * b);
		String ratio = (b > 0) ? String.format("%.2fx, ", a / b) : "";
		return new Verdict("fragmentation overhead at the peak <= 0.8x adaptive's",
				String.format("%s%.0f vs %.0f MiB", ratio, a / MiB, b / MiB), met);
	}

}
