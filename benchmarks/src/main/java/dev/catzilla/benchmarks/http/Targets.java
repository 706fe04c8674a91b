package dev.catzilla.benchmarks.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Issue 12's targets for Catzilla ({@code ours}) against the other set-ups of the same
 * run, with the figures that decide each.
 */
final class Targets {

	static final double MiB = 1024.0 * 1024.0;

	/**
	 * One target's outcome: what was wanted, what was measured, and whether it was met.
	 */
	record Verdict(String target, String measured, boolean met) {

		String word() {
			return this.met ? "met" : "NOT met";
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
		if (rssAfterBurst) {
			verdicts.add(heldAfterBurst(ours));
			verdicts.add(afterBurstAgainstTheBest(ours, summaries));
		}
		if (fragmentation) {
			verdicts.add(fragmentation(ours, adaptive));
		}
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

	static Verdict afterBurstAgainstTheBest(SetupSummary ours, Map<String, SetupSummary> summaries) {
		Optional<SetupSummary> best = summaries.values()
			.stream()
			.filter((s) -> !s.setup().equals(Setup.OURS) && Double.isFinite(s.memory().after15s()))
			.min((a, b) -> Double.compare(a.memory().after15s(), b.memory().after15s()));
		if (best.isEmpty()) {
			return new Verdict("RSS 15 s after the burst <= the best other set-up + 16 MiB",
					"no other set-up has a figure", false);
		}
		double oursAfter = ours.memory().after15s();
		double bestAfter = best.get().memory().after15s();
		// the baselines differ between set-ups (MALLOC_ARENA_MAX and trimming shrink the
		// JVM's own malloc too), so
		// what each held above its own baseline is shown beside the absolute figures the
		// target compares
		return new Verdict("RSS 15 s after the burst <= the best other set-up + 16 MiB",
				String.format("%.0f MiB vs %s %.0f + 16 MiB (above their baselines: %+.0f vs %+.0f MiB)",
						oursAfter / MiB, best.get().setup(), bestAfter / MiB, ours.memory().heldAfter15s() / MiB,
						best.get().memory().heldAfter15s() / MiB),
				oursAfter <= bestAfter + 16 * MiB);
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
