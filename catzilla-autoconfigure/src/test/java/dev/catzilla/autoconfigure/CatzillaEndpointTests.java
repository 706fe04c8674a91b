package dev.catzilla.autoconfigure;

import dev.catzilla.allocator.Jemalloc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link CatzillaEndpoint}: what one application context reports, also next to another in the same JVM. */
@ExtendWith(OutputCaptureExtension.class)
class CatzillaEndpointTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CatzillaAutoConfiguration.class,
				CatzillaEndpointAutoConfiguration.class));

	@Test
	void twoContextsWithDifferentJemallocOptionsEachShowWhatTheyAskedForNextToWhatJemallocRunsWith(
			CapturedOutput output) {
		ApplicationContextRunner withEndpoint = this.runner
			.withPropertyValues("management.endpoints.web.exposure.include=catzilla");
		// The second context asks for the defaults, so that this JVM's jemalloc (shared with other tests) keeps them.
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
		// At most one of the two is what jemalloc runs with: a WARN names the other beside jemalloc's.
		assertThat(output.getOut().lines())
			.anyMatch((line) -> line.contains("WARN") && line.contains("Catzilla: jemalloc")
					&& line.contains("dirty_decay_ms:8000") && line.contains(running));
	}

}
