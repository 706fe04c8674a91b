package dev.catzilla.benchmarks.http;

import java.util.ArrayList;
import java.util.List;

/**
 * One set-up's figures in one scenario, over all its rounds.
 *
 * @param setup the set-up's name
 * @param rounds per round, the results of each stream (the first stream is the reported
 * one)
 * @param memory its memory figures (the median over rounds where a scenario has one
 * loaded period per round)
 * @param endRss its last RSS sample, bytes
 */
record SetupSummary(String setup, List<List<LoadResult>> rounds, Memory memory, double endRss) {

	/** Requests/s of the reported stream, per round. */
	List<Double> requestsPerSecond() {
		return perRound(0, LoadResult::requestsPerSecond);
	}

	/** The median over rounds of the reported stream's requests/s. */
	double medianRequestsPerSecond() {
		return Stats.median(requestsPerSecond());
	}

	/** The median over rounds of a stream's latency at {@code percentile}, in ms. */
	double medianLatencyMillis(int stream, double percentile) {
		return Stats.median(perRound(stream, (r) -> r.latencyMillis(percentile)));
	}

	/** Answered requests of a stream over all rounds. */
	long ok(int stream) {
		return this.rounds.stream().mapToLong((round) -> round.get(stream).ok()).sum();
	}

	/** Non-2xx answers and failures of every stream over all rounds. */
	long errors() {
		return this.rounds.stream().flatMap(List::stream).mapToLong(LoadResult::errors).sum();
	}

	int streams() {
		return this.rounds.isEmpty() ? 0 : this.rounds.get(0).size();
	}

	private List<Double> perRound(int stream, java.util.function.ToDoubleFunction<LoadResult> figure) {
		List<Double> values = new ArrayList<>();
		for (List<LoadResult> round : this.rounds) {
			values.add(figure.applyAsDouble(round.get(stream)));
		}
		return values;
	}

}
