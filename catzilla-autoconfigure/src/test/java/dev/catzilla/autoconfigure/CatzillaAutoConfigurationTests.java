package dev.catzilla.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import dev.catzilla.allocator.Jemalloc;
import dev.catzilla.allocator.JemallocByteBufAllocator;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerConfig;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.reactive.ClientHttpConnectorBuilderCustomizer;
import org.springframework.boot.http.client.autoconfigure.reactive.ReactiveHttpClientAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.reactor.netty.autoconfigure.NettyReactiveWebServerAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The auto-configuration in each mode and with parts of the classpath missing, with a JVM where Catzilla's native
 * library loads (CI's platform, linux-x86_64).
 */
@ExtendWith(OutputCaptureExtension.class)
class CatzillaAutoConfigurationTests {

	private static final AutoConfigurations CATZILLA = AutoConfigurations.of(CatzillaAutoConfiguration.class,
			CatzillaNettyServerAutoConfiguration.class, CatzillaWebClientAutoConfiguration.class,
			CatzillaRestClientAutoConfiguration.class, CatzillaGatewayAutoConfiguration.class,
			CatzillaClientBeansAutoConfiguration.class, CatzillaMetricsAutoConfiguration.class, CatzillaEndpointAutoConfiguration.class,
			CatzillaHealthAutoConfiguration.class);

	private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(CATZILLA);

	private final ReactiveWebApplicationContextRunner webRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(CATZILLA)
		.withConfiguration(AutoConfigurations.of(NettyReactiveWebServerAutoConfiguration.class,
				HttpClientAutoConfiguration.class, ReactiveHttpClientAutoConfiguration.class,
				WebClientAutoConfiguration.class));

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
			.run((context) -> assertThat(output).contains("Catzilla: Netty's default allocator ("
					+ ByteBufAllocator.DEFAULT.getClass().getSimpleName()
					+ ") served: [webclient] (requested malloc; catzilla.allocator=malloc: "
					+ "Netty's default allocator, Catzilla's native library not loaded)"));
	}

	@Test
	void serverCustomizerSetsTheAllocatorOnTheServerChannelAndOnAcceptedConnections() {
		this.webRunner.run((context) -> {
			ByteBufAllocator allocator = context.getBean(CatzillaAllocator.class).allocator();
			HttpServerConfig config = context.getBean(CatzillaNettyServerCustomizer.class)
				.apply(HttpServer.create())
				.configuration();
			assertThat((Object) config.options().get(ChannelOption.ALLOCATOR)).isSameAs(allocator);
			assertThat((Object) config.childOptions().get(ChannelOption.ALLOCATOR)).isSameAs(allocator);
		});
	}

	@Test
	void bootsNettyServerFactoryRunsOurCustomizerLastAndItKeepsAUsersAllocator() {
		this.webRunner.withUserConfiguration(UserServerCustomizer.class).run((context) -> {
			List<NettyServerCustomizer> customizers = new ArrayList<>(
					context.getBean(NettyReactiveWebServerFactory.class).getServerCustomizers());
			NettyServerCustomizer user = context.getBean("userAllocatorCustomizer", NettyServerCustomizer.class);
			assertThat(customizers).contains(user);
			assertThat(customizers.indexOf(context.getBean(CatzillaNettyServerCustomizer.class)))
				.isGreaterThan(customizers.indexOf(user));
			HttpServer server = HttpServer.create();
			for (NettyServerCustomizer customizer : customizers) {
				server = customizer.apply(server);
			}
			assertThat((Object) server.configuration().childOptions().get(ChannelOption.ALLOCATOR)).isSameAs(UnpooledByteBufAllocator.DEFAULT);
			ReactorNettyAllocatorsTests.bindAndDispose(server);
			CatzillaWiring wiring = context.getBean(CatzillaWiring.class);
			assertThat(wiring.served()).isEmpty();
			assertThat(wiring.keptOwnAllocator()).containsExactly("server");
		});
	}

	@Test
	void aUserDefinedOutcomeWinsAndEverythingReadsIt() {
		this.webRunner.withUserConfiguration(UserOutcome.class).run((context) -> {
			assertThat(context).hasSingleBean(CatzillaAllocator.class);
			HttpServerConfig config = context.getBean(CatzillaNettyServerCustomizer.class)
				.apply(HttpServer.create())
				.configuration();
			assertThat((Object) config.childOptions().get(ChannelOption.ALLOCATOR)).isSameAs(UnpooledByteBufAllocator.DEFAULT);
		});
	}

	@Test
	void userDefinedCatzillaBeansReplaceOurs() {
		this.webRunner.withUserConfiguration(UserBeans.class)
			.withPropertyValues("management.endpoints.web.exposure.include=catzilla")
			.withConfiguration(AutoConfigurations.of(EndpointAutoConfiguration.class,
					WebEndpointAutoConfiguration.class, MetricsAutoConfiguration.class,
					SimpleMetricsExportAutoConfiguration.class))
			.run((context) -> {
				assertThat(context).hasSingleBean(CatzillaEndpoint.class)
					.hasSingleBean(CatzillaMeterBinder.class)
					.hasSingleBean(CatzillaNettyServerCustomizer.class)
					.hasSingleBean(CatzillaClientHttpConnectorBuilderCustomizer.class);
				assertThat(context.getBean(CatzillaEndpoint.class)).isSameAs(UserBeans.ENDPOINT);
				assertThat(context.getBean(CatzillaMeterBinder.class)).isSameAs(UserBeans.METERS);
				assertThat(context.getBean(CatzillaNettyServerCustomizer.class)).isSameAs(UserBeans.SERVER);
				assertThat(context.getBean(CatzillaClientHttpConnectorBuilderCustomizer.class))
					.isSameAs(UserBeans.CLIENT);
			});
	}

	@Test
	void webClientGetsTheAllocatorThroughBootsConnectorBuilder() {
		this.webRunner.run((context) -> {
			assertThat(context).hasSingleBean(CatzillaClientHttpConnectorBuilderCustomizer.class);
			assertThat(context.getBeansOfType(ClientHttpConnectorBuilderCustomizer.class))
				.containsValue(context.getBean(CatzillaClientHttpConnectorBuilderCustomizer.class));
			assertThat(context).hasSingleBean(WebClient.Builder.class);
		});
	}

	@Test
	void clientEnabledFalseLeavesTheWebClientAlone(CapturedOutput output) {
		this.webRunner.withUserConfiguration(BuildsAWebClient.class)
			.withPropertyValues("catzilla.client.enabled=false")
			.run((context) -> {
				assertThat(context).doesNotHaveBean(CatzillaClientHttpConnectorBuilderCustomizer.class);
				assertThat(context).hasSingleBean(CatzillaNettyServerCustomizer.class);
				assertThat(output).containsPattern("Catzilla: jemalloc \\S+ selected, nothing to serve");
			});
	}

	@Test
	void webclientEnabledFalseLeavesTheWebClientAloneAndTheServerServed() {
		this.webRunner.withPropertyValues("catzilla.client.webclient.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(CatzillaClientHttpConnectorBuilderCustomizer.class)
				.hasSingleBean(CatzillaNettyServerCustomizer.class));
	}

	@Test
	void serverEnabledFalseLeavesTheServerAloneAndTheWebClientServed() {
		this.webRunner.withPropertyValues("catzilla.server.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(CatzillaNettyServerCustomizer.class)
				.hasSingleBean(CatzillaClientHttpConnectorBuilderCustomizer.class));
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

	@Test
	void withoutWebClientOnlyTheServerIsServed() {
		this.webRunner.withClassLoader(new FilteredClassLoader(WebClient.class)).run((context) -> {
			assertThat(context).hasNotFailed().hasSingleBean(CatzillaNettyServerCustomizer.class);
			assertThat(context).doesNotHaveBean(CatzillaClientHttpConnectorBuilderCustomizer.class);
		});
	}

	@Test
	void withoutMicrometerThereAreNoMetersAndNothingFails() {
		this.webRunner.withClassLoader(new FilteredClassLoader("io.micrometer.core"))
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(CatzillaAllocator.class)
				.hasSingleBean(CatzillaNettyServerCustomizer.class)
				.doesNotHaveBean(CatzillaMeterBinder.class));
	}

	@Test
	void withoutAMeterRegistryThereAreNoMeters() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(CatzillaMeterBinder.class));
	}

	@Test
	void withAMeterRegistryOurMetersAreBound() {
		this.runner
			.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
					SimpleMetricsExportAutoConfiguration.class))
			.run((context) -> {
				assertThat(context).hasSingleBean(CatzillaMeterBinder.class);
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(registry.get("catzilla.allocator.info").tag("active", "jemalloc").gauge().value())
					.isEqualTo(1.0);
				assertThat(registry.get("catzilla.jemalloc.resident").gauge().value()).isPositive();
			});
	}

	@Test
	void withoutTheActuatorThereIsNoEndpointNorHealthAndNothingFails() {
		this.webRunner
			.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate",
					"org.springframework.boot.health"))
			.withPropertyValues("management.endpoints.web.exposure.include=*")
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(CatzillaNettyServerCustomizer.class)
				.doesNotHaveBean(CatzillaEndpoint.class)
				.doesNotHaveBean(CatzillaHealthIndicator.class));
	}

	@Test
	void theEndpointExistsOnlyWhenExposed() {
		ApplicationContextRunner actuator = this.runner.withConfiguration(
				AutoConfigurations.of(EndpointAutoConfiguration.class, WebEndpointAutoConfiguration.class));
		actuator.run((context) -> assertThat(context).doesNotHaveBean(CatzillaEndpoint.class));
		actuator.withPropertyValues("management.endpoints.web.exposure.include=catzilla")
			.run((context) -> assertThat(context).hasSingleBean(CatzillaEndpoint.class));
		actuator.withPropertyValues("management.endpoints.web.exposure.include=catzilla",
				"management.endpoint.catzilla.access=NONE")
			.run((context) -> assertThat(context).doesNotHaveBean(CatzillaEndpoint.class));
	}

	@Test
	void healthIsUpWithTheAllocatorsDetails() {
		this.runner.run((context) -> {
			var health = context.getBean(CatzillaHealthIndicator.class).health(true);
			assertThat(health.getStatus().getCode()).isEqualTo("UP");
			assertThat(health.getDetails()).containsEntry("active", "jemalloc")
				.containsEntry("requested", "auto")
				.containsKeys("usedDirectMemory", "maxDirectMemory");
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class UserServerCustomizer {

		@Bean
		NettyServerCustomizer userAllocatorCustomizer() {
			return (server) -> server.childOption(ChannelOption.ALLOCATOR, UnpooledByteBufAllocator.DEFAULT);
		}

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

	@Configuration(proxyBeanMethods = false)
	static class UserBeans {

		static final CatzillaAllocator OUTCOME = new CatzillaAllocator(AllocatorMode.MALLOC, ActiveAllocator.NETTY,
				ByteBufAllocator.DEFAULT, "test", null);

		static final CatzillaWiring WIRING = new CatzillaWiring();

		static final CatzillaEndpoint ENDPOINT = new CatzillaEndpoint(OUTCOME, WIRING);

		static final CatzillaMeterBinder METERS = new CatzillaMeterBinder(OUTCOME);

		static final CatzillaNettyServerCustomizer SERVER = new CatzillaNettyServerCustomizer(OUTCOME, WIRING);

		static final CatzillaClientHttpConnectorBuilderCustomizer CLIENT = new CatzillaClientHttpConnectorBuilderCustomizer(
				OUTCOME, WIRING);

		@Bean
		CatzillaEndpoint myEndpoint() {
			return ENDPOINT;
		}

		@Bean
		CatzillaMeterBinder myMeters() {
			return METERS;
		}

		@Bean
		CatzillaNettyServerCustomizer myServerCustomizer() {
			return SERVER;
		}

		@Bean
		CatzillaClientHttpConnectorBuilderCustomizer myClientCustomizer() {
			return CLIENT;
		}

	}

}
