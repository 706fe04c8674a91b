package dev.catzilla.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import org.junit.jupiter.api.Test;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerConfig;

import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Reactor Netty server's customizer: the allocator on the server channel and on
 * accepted connections, applied after the application's own customizers, replaced by a
 * user's bean, switched off by {@code catzilla.server.enabled}.
 */
class CatzillaNettyServerAutoConfigurationTests {

	private final ReactiveWebApplicationContextRunner webRunner = CatzillaContextRunners.webRunner();

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
			assertThat((Object) server.configuration().childOptions().get(ChannelOption.ALLOCATOR))
				.isSameAs(UnpooledByteBufAllocator.DEFAULT);
			ReactorNettyAllocatorsTests.bindAndDispose(server);
			CatzillaWiring wiring = context.getBean(CatzillaWiring.class);
			assertThat(wiring.served()).isEmpty();
			assertThat(wiring.keptOwnAllocator()).containsExactly("server");
		});
	}

	@Test
	void serverEnabledFalseLeavesTheServerAloneAndTheWebClientServed() {
		this.webRunner.withPropertyValues("catzilla.server.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(CatzillaNettyServerCustomizer.class)
				.hasSingleBean(CatzillaClientHttpConnectorBuilderCustomizer.class));
	}

	@Test
	void aUserDefinedServerCustomizerReplacesOurs() {
		this.webRunner.withUserConfiguration(UserServer.class)
			.run((context) -> assertThat(context).getBean(CatzillaNettyServerCustomizer.class)
				.isSameAs(UserServer.SERVER));
	}

	@Configuration(proxyBeanMethods = false)
	static class UserServerCustomizer {

		@Bean
		NettyServerCustomizer userAllocatorCustomizer() {
			return (server) -> server.childOption(ChannelOption.ALLOCATOR, UnpooledByteBufAllocator.DEFAULT);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserServer {

		static final CatzillaAllocator OUTCOME = new CatzillaAllocator(AllocatorMode.MALLOC, ActiveAllocator.NETTY,
				ByteBufAllocator.DEFAULT, "test", null);

		static final CatzillaWiring WIRING = new CatzillaWiring();

		static final CatzillaNettyServerCustomizer SERVER = new CatzillaNettyServerCustomizer(OUTCOME, WIRING);

		@Bean
		CatzillaNettyServerCustomizer myServerCustomizer() {
			return SERVER;
		}

	}

}
