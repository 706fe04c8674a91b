package dev.catzilla.autoconfigure.actuate.endpoint;

import java.util.Arrays;

import dev.catzilla.allocator.Jemalloc;
import dev.catzilla.allocator.JemallocRatio;
import dev.catzilla.allocator.JemallocStatistic;
import dev.catzilla.autoconfigure.CatzillaAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link CatzillaEndpoint}: what one application context reports, also next to another in
 * the same JVM.
 */
@ExtendWith(OutputCaptureExtension.class)
class CatzillaEndpointTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(CatzillaAutoConfiguration.class, CatzillaEndpointAutoConfiguration.class));

	@Test
	void twoContextsWithDifferentJemallocOptionsEachShowWhatTheyAskedForNextToWhatJemallocRunsWith(
			CapturedOutput output) {
		ApplicationContextRunner withEndpoint = this.runner
			.withPropertyValues("management.endpoints.web.exposure.include=catzilla");
		// The second context asks for the defaults, so that this JVM's jemalloc (shared
		// with other tests) keeps them.
		withEndpoint.withPropertyValues("catzilla.jemalloc.dirty-decay=8s").run((first) -> {
			withEndpoint.run((second) -> {
				CatzillaEndpoint.JemallocDescriptor one = first.getBean(CatzillaEndpoint.class).catzilla().jemalloc();
				CatzillaEndpoint.JemallocDescriptor two = second.getBean(CatzillaEndpoint.class).catzilla().jemalloc();
				assertThat(one.requestedOptions()).containsEntry("dirty_decay_ms", "8000");
				assertThat(two.requestedOptions()).containsEntry("dirty_decay_ms", "10000");
				assertThat(one.effectiveOptions()).isEqualTo(two.effectiveOptions());
			});
		});
		String running = "dirty_decay_ms:" + Jemalloc.requestedOptions().dirtyDecay().toMillis();
		assertThat(Jemalloc.isInitialized()).isTrue();
		// At most one of the two is what jemalloc runs with: a WARN names the other
		// beside jemalloc's.
		assertThat(output.getOut().lines())
			.anyMatch((line) -> line.contains("WARN") && line.contains("Catzilla: jemalloc")
					&& line.contains("dirty_decay_ms:8000") && line.contains(running));
	}

	@Test
	void theStatisticsShowEveryTotalAndRatioOfTheModelByNameAndThePartAddsTheSizeClassesInUse() {
		this.runner.withPropertyValues("management.endpoints.web.exposure.include=catzilla").run((context) -> {
			CatzillaEndpoint endpoint = context.getBean(CatzillaEndpoint.class);
			CatzillaEndpoint.JemallocDescriptor jemalloc = endpoint.catzilla().jemalloc();
			assertThat(jemalloc.stats().keySet()).containsExactlyElementsOf(
					JemallocStatistic.of(JemallocStatistic.Scope.TOTAL).stream().map(JemallocStatistic::key).toList());
			assertThat(jemalloc.ratios().keySet())
				.containsExactly(Arrays.stream(JemallocRatio.values()).map(JemallocRatio::key).toArray(String[]::new));
			WebEndpointResponse<?> response = endpoint.part("statistics", null, null, null);
			assertThat(response.getStatus()).isEqualTo(200);
			CatzillaEndpoint.StatisticsDescriptor statistics = (CatzillaEndpoint.StatisticsDescriptor) response
				.getBody();
			assertThat(statistics.totals()).containsKeys("allocated", "dirty", "backgroundThreadRuns");
			assertThat(statistics.arenas()).isNotEmpty();
			assertThat(statistics.bins()).allSatisfy((bin) -> assertThat(bin.slabs()).isPositive());
			assertThat(statistics.largeClasses()).allSatisfy((large) -> {
				assertThat(large.extents()).isPositive();
				assertThat(large.bytes()).isEqualTo(large.size() * large.extents());
			});
		});
	}

	@Test
	void theStatisticsPartIsNotFoundWhenJemallocIsNotActive() {
		this.runner
			.withPropertyValues("management.endpoints.web.exposure.include=catzilla", "catzilla.allocator=malloc")
			.run((context) -> {
				WebEndpointResponse<?> response = context.getBean(CatzillaEndpoint.class)
					.part("statistics", null, null, null);
				assertThat(response.getStatus()).isEqualTo(404);
				assertThat(((CatzillaEndpoint.StatisticsUnavailable) response.getBody()).message())
					.contains("jemalloc is not active");
			});
	}

}
