package dev.catzilla.autoconfigure;

import dev.catzilla.allocator.Jemalloc;
import dev.catzilla.autoconfigure.actuate.endpoint.CatzillaEndpoint;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * A JVM where Catzilla's native library is unavailable: its own surefire execution runs
 * these with {@code -Dcatzilla.native.disabled=true} (the default execution excludes
 * them).
 */
@ExtendWith(OutputCaptureExtension.class)
class NativeDisabledTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CatzillaAutoConfiguration.class));

	@BeforeAll
	static void theLibraryIsDisabledInThisJvm() {
		assertThat(System.getProperty("catzilla.native.disabled")).isEqualTo("true");
		assertThat(Jemalloc.isAvailable()).isFalse();
	}

	@Test
	void autoModeFallsBackToNettysDefaultAndKeepsTheCause() {
		this.runner.run((context) -> {
			CatzillaAllocator outcome = context.getBean(CatzillaAllocator.class);
			assertThat(outcome.requested()).isEqualTo(AllocatorMode.AUTO);
			assertThat(outcome.active()).isEqualTo(ActiveAllocator.NETTY);
			assertThat(outcome.allocator()).isSameAs(ByteBufAllocator.DEFAULT);
			assertThat(outcome.unavailabilityCause()).isSameAs(Jemalloc.unavailabilityCause());
			assertThat(outcome.reason()).startsWith("jemalloc unavailable on " + Jemalloc.platform() + ": ")
				.contains("catzilla.native.disabled");
		});
	}

	@Test
	void startupLineSaysTheFallbackAndWhy(CapturedOutput output) {
		new SpringApplicationBuilder(EchoApplication.class).properties("server.port=0", "server.address=127.0.0.1")
			.run()
			.close();
		assertThat(output)
			.contains("Catzilla: Netty's default allocator (" + ByteBufAllocator.DEFAULT.getClass().getSimpleName()
					+ ") served: [server] (requested auto; jemalloc unavailable on ");
	}

	@Test
	void jemallocModeFailsWithAClearReportWhenTheLibraryIsDisabled(CapturedOutput output) {
		assertThatException()
			.isThrownBy(() -> new SpringApplicationBuilder(EchoApplication.class).web(WebApplicationType.REACTIVE)
				.properties("server.port=0", "server.address=127.0.0.1", "catzilla.allocator=jemalloc")
				.run());
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("catzilla.allocator=jemalloc was requested, but Catzilla's native jemalloc library could not "
					+ "be loaded on this platform (" + Jemalloc.platform())
			.contains("The system property catzilla.native.disabled=true switches the library off on purpose.")
			.contains("Why it could not be loaded:")
			.contains("java.lang.UnsatisfiedLinkError: ")
			.contains("caused by java.lang.UnsatisfiedLinkError: Catzilla's native library is disabled on purpose")
			.contains("remove -Dcatzilla.native.disabled=true")
			.contains("set catzilla.allocator=auto")
			.contains("set catzilla.allocator=malloc");
	}

	@Test
	void theEndpointSaysTheLibraryIsUnavailableAndWhy() {
		CatzillaAllocator outcome = AllocatorSelector.select(new CatzillaProperties());
		CatzillaEndpoint.CatzillaDescriptor descriptor = new CatzillaEndpoint(outcome, new CatzillaWiring()).catzilla();
		assertThat(descriptor.active()).isEqualTo("netty");
		assertThat(descriptor.nativeLibrary().status()).isEqualTo("unavailable");
		assertThat(descriptor.nativeLibrary().problem()).contains("catzilla.native.disabled");
		assertThat(descriptor.platform().catzillaPlatform()).isEqualTo(Jemalloc.platform());
		assertThat(descriptor.jemalloc()).isNull();
		assertThat(new CatzillaEndpoint(outcome, new CatzillaWiring()).purge().purged()).isFalse();
	}

}
