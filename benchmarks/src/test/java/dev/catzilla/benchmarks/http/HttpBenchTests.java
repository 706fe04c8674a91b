package dev.catzilla.benchmarks.http;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HttpBenchTests {

	@Test
	void eachRoundStartsWithTheNextSetup() {
		List<String> setups = List.of("a", "b", "c");
		assertThat(HttpBench.rotated(setups, 0)).containsExactly("a", "b", "c");
		assertThat(HttpBench.rotated(setups, 1)).containsExactly("b", "c", "a");
		assertThat(HttpBench.rotated(setups, 4)).containsExactly("b", "c", "a");
	}

}
