package dev.catzilla.autoconfigure;

import java.util.List;

import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The startup line's wording in each case, and the line for a kind of client first wired
 * after startup.
 */
@ExtendWith(OutputCaptureExtension.class)
class CatzillaStartupReporterTests {

	private static final CatzillaAllocator MALLOC = new CatzillaAllocator(AllocatorMode.MALLOC, ActiveAllocator.NETTY,
			ByteBufAllocator.DEFAULT, "catzilla.allocator=malloc: Netty's default allocator", null);

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CatzillaAutoConfiguration.class));

	@Test
	void servedKindsAreListedInBrackets() {
		assertThat(CatzillaStartupReporter.line(MALLOC, List.of("server", "webclient", "gateway-proxy"), List.of()))
			.isEqualTo("Catzilla: Netty's default allocator (" + ByteBufAllocator.DEFAULT.getClass().getSimpleName()
					+ ") served: [server, webclient, gateway-proxy] (requested malloc; "
					+ "catzilla.allocator=malloc: Netty's default allocator)");
	}

	@Test
	void kindsThatKeptTheirOwnAllocatorAreNamedToo() {
		assertThat(CatzillaStartupReporter.line(MALLOC, List.of("server"), List.of("webclient")))
			.contains(") served: [server], own allocator kept: [webclient] (requested malloc; ");
		assertThat(CatzillaStartupReporter.line(MALLOC, List.of(), List.of("webclient")))
			.contains(") served: [], own allocator kept: [webclient] (requested malloc; ");
	}

	@Test
	void theLineNamesTheMuslLibraryWhenThatIsTheOneServing() {
		assertThat(CatzillaStartupReporter.jemallocLabel("5.3.0", "linux-x86_64")).isEqualTo("jemalloc 5.3.0");
		assertThat(CatzillaStartupReporter.jemallocLabel("5.3.0", "linux-aarch64")).isEqualTo("jemalloc 5.3.0");
		assertThat(CatzillaStartupReporter.jemallocLabel("5.3.0", "linux-x86_64-musl"))
			.isEqualTo("jemalloc 5.3.0 (linux-x86_64-musl)");
		assertThat(CatzillaStartupReporter.jemallocLabel("5.3.0", "linux-aarch64-musl"))
			.isEqualTo("jemalloc 5.3.0 (linux-aarch64-musl)");
	}

	@Test
	void nothingWiredSaysThereIsNothingToServe() {
		assertThat(CatzillaStartupReporter.line(MALLOC, List.of(), List.of()))
			.contains(") selected, nothing to serve: no Reactor Netty server or client was built (requested malloc; ");
	}

	@Test
	void theLineIsLoggedOnceWhenTheContextIsRefreshedAndLateWiringGetsALineOfItsOwn(CapturedOutput output) {
		this.runner.run((context) -> {
			assertThat(output).containsOnlyOnce("Catzilla: jemalloc").contains("selected, nothing to serve");
			context.getBean(CatzillaWiring.class).served(CatzillaTarget.RESTCLIENT);
			assertThat(output).contains("Catzilla: restclient wired after startup, served: [restclient]");
			context.getBean(CatzillaWiring.class).keptOwnAllocator(CatzillaTarget.WEBCLIENT);
			assertThat(output)
				.contains("Catzilla: webclient built after startup with its own allocator, kept: [webclient]");
		});
	}

}
