package dev.catzilla.benchmarks.http;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RssTests {

	@Test
	void vmRssIsReadInKibibytes() {
		assertThat(Rss.parseStatus("Name:\tjava\nVmPeak:\t 9000 kB\nVmRSS:\t  345678 kB\nThreads:\t40\n"))
			.hasValue(345678L * 1024);
	}

	@Test
	void aStatusWithoutVmRssHasNoValue() {
		assertThat(Rss.parseStatus("Name:\tzombie\nState:\tZ\n")).isEmpty();
	}

	@Test
	void thisJvmHasAnRssAndAProcessThatIsGoneHasNone() {
		assertThat(Rss.of(ProcessHandle.current().pid()).getAsLong()).isPositive();
		assertThat(Rss.of(Long.MAX_VALUE)).isEmpty();
	}

}
