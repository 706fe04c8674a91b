package dev.catzilla.autoconfigure;

import dev.catzilla.allocator.Jemalloc;
import dev.catzilla.allocator.JemallocByteBufAllocator;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerConfig;

import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The allocator's choice in each mode, a user's own choice, the startup line, and Reactor
 * Netty missing, with a JVM where Catzilla's native library loads (CI's platform,
 * linux-x86_64). What each other auto-configuration adds is tested in its own
 * {@code ...AutoConfigurationTests}.
 */
@ExtendWith(OutputCaptureExtension.class)
class CatzillaAutoConfigurationTests {

	private final ApplicationContextRunner runner = CatzillaContextRunners.runner();

	private final ReactiveWebApplicationContextRunner webRunner = CatzillaContextRunners.webRunner();

	@Test
	void theNativeLibraryLoadsOnThisPlatform() {
		assertThat(Jemalloc.isAvailable()).as("unavailable: %s", Jemalloc.unavailabilityCause()).isTrue();
	}

	@Test
	void autoModeChoosesJemallocWhenTheNativeLibraryLoads() {
		this.runner.run((context) -> {
			CatzillaAllocator outcome = context.getBean(CatzillaAllocator.class);
			assertThat(outcome.requested()).isEqualTo(AllocatorMode.AUTO);
			assertThat(outcome.active()).isEqualTo(ActiveAllocator.JEMALLOC);
			assertThat(outcome.allocator()).isInstanceOf(JemallocByteBufAllocator.class);
			assertThat(outcome.allocatorClass()).isEqualTo(JemallocByteBufAllocator.class.getName());
			assertThat(outcome.reason()).startsWith("native library available, loaded from ");
			assertThat(outcome.unavailabilityCause()).isNull();
		});
	}

	@Test
	void jemallocModeUsesJemallocAndAppliesTheOptionsBeforeTheFirstAllocation() {
		this.runner.withPropertyValues("catzilla.allocator=jemalloc").run((context) -> {
			CatzillaAllocator outcome = context.getBean(CatzillaAllocator.class);
			assertThat(outcome.requested()).isEqualTo(AllocatorMode.JEMALLOC);
			assertThat(outcome.isJemalloc()).isTrue();
			assertThat(outcome.reason()).startsWith("requested explicitly");
			assertThat(Jemalloc.requestedOptions())
				.isEqualTo(context.getBean(CatzillaProperties.class).getJemalloc().toOptions());
		});
	}

	@Test
	void anEmptyAllocatorPropertyMeansAuto() {
		this.runner.withPropertyValues("catzilla.allocator=").run((context) -> {
			CatzillaAllocator outcome = context.getBean(CatzillaAllocator.class);
			assertThat(outcome.requested()).isEqualTo(AllocatorMode.AUTO);
			assertThat(outcome.isJemalloc()).isTrue();
		});
	}

	@Test
	void mallocModeKeepsNettysDefaultAllocator() {
		this.runner.withPropertyValues("catzilla.allocator=malloc").run((context) -> {
			CatzillaAllocator outcome = context.getBean(CatzillaAllocator.class);
			assertThat(outcome.requested()).isEqualTo(AllocatorMode.MALLOC);
			assertThat(outcome.active()).isEqualTo(ActiveAllocator.NETTY);
			assertThat(outcome.allocator()).isSameAs(ByteBufAllocator.DEFAULT);
			assertThat(outcome.reason()).contains("native library not loaded");
			assertThat(outcome.isNativeLibraryConsidered()).isFalse();
		});
	}

	@Test
	void maxDirectMemoryBecomesTheAllocatorsCap() {
		this.runner.withPropertyValues("catzilla.jemalloc.max-direct-memory=48MB").run((context) -> {
			JemallocByteBufAllocator allocator = (JemallocByteBufAllocator) context.getBean(CatzillaAllocator.class)
				.allocator();
			assertThat(allocator).isNotSameAs(JemallocByteBufAllocator.DEFAULT);
			assertThat(allocator.maxDirectMemory()).isEqualTo(48L * 1024 * 1024);
		});
	}

	@Test
	void differentOptionsAfterJemallocInitialisedAreReportedNotSilentlyIgnored(CapturedOutput output) {
		Jemalloc.stats(); // initialises jemalloc with whatever was configured so far
		this.runner.withPropertyValues("catzilla.jemalloc.dirty-decay=7s").run((context) -> {
			CatzillaAllocator outcome = context.getBean(CatzillaAllocator.class);
			assertThat(outcome.isJemalloc()).isTrue();
			assertThat(outcome.reason()).contains("already initialised")
				.contains("dirty_decay_ms:7000")
				.contains("after a restart");
		});
		assertThat(output).contains("WARN").contains("jemalloc is already initialised");
	}

	@Test
	void startupLineListsWhatWasWiredNotWhichBeansExist(CapturedOutput output) {
		this.webRunner.withUserConfiguration(BuildsAWebClient.class)
			.run((context) -> assertThat(output)
				.containsPattern("Catzilla: jemalloc 5\\.3\\.\\d+ served: \\[webclient\\] \\(requested auto\\)"));
	}

	@Test
	void startupLineSaysNothingToServeWhenNoServerOrClientWasBuilt(CapturedOutput output) {
		this.webRunner.run((context) -> {
			assertThat(context).hasSingleBean(CatzillaNettyServerCustomizer.class)
				.hasSingleBean(CatzillaClientHttpConnectorBuilderCustomizer.class);
			assertThat(output).containsPattern("Catzilla: jemalloc 5\\.3\\.\\d+ selected, nothing to serve: "
					+ "no Reactor Netty server or client was built \\(requested auto\\)");
		});
	}

	@Test
	void startupLineInMallocModeSaysNettysDefaultAndThatNoNativeCodeLoaded(CapturedOutput output) {
		this.webRunner.withUserConfiguration(BuildsAWebClient.class)
			.withPropertyValues("catzilla.allocator=malloc")
			.run((context) -> assertThat(output)
				.contains("Catzilla: Netty's default allocator (" + ByteBufAllocator.DEFAULT.getClass().getSimpleName()
						+ ") served: [webclient] (requested malloc; catzilla.allocator=malloc: "
						+ "Netty's default allocator, Catzilla's native library not loaded)"));
	}

	@Test
	void aUserDefinedOutcomeWinsAndEverythingReadsIt() {
		this.webRunner.withUserConfiguration(UserOutcome.class).run((context) -> {
			assertThat(context).hasSingleBean(CatzillaAllocator.class);
			HttpServerConfig config = context.getBean(CatzillaNettyServerCustomizer.class)
				.apply(HttpServer.create())
				.configuration();
			assertThat((Object) config.childOptions().get(ChannelOption.ALLOCATOR))
				.isSameAs(UnpooledByteBufAllocator.DEFAULT);
		});
	}

	@Test
	void withoutReactorNettyTheAllocatorIsStillChosenAndNothingFails(CapturedOutput output) {
		this.webRunner.withClassLoader(new FilteredClassLoader("reactor.netty")).run((context) -> {
			assertThat(context).hasNotFailed().hasSingleBean(CatzillaAllocator.class);
			assertThat(context).doesNotHaveBean(CatzillaNettyServerCustomizer.class)
				.doesNotHaveBean(CatzillaClientHttpConnectorBuilderCustomizer.class);
			assertThat(output).contains("selected, nothing to serve: no Reactor Netty server or client was built");
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class BuildsAWebClient {

		@Bean
		WebClient webClient(WebClient.Builder builder) {
			return builder.build();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserOutcome {

		@Bean
		CatzillaAllocator myOutcome() {
			return new CatzillaAllocator(AllocatorMode.MALLOC, ActiveAllocator.NETTY, UnpooledByteBufAllocator.DEFAULT,
					"chosen by the application", null);
		}

	}

}
