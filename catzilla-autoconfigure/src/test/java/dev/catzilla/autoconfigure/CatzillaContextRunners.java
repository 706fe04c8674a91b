package dev.catzilla.autoconfigure;

import dev.catzilla.autoconfigure.actuate.endpoint.CatzillaEndpointAutoConfiguration;
import dev.catzilla.autoconfigure.actuate.health.CatzillaHealthAutoConfiguration;
import dev.catzilla.autoconfigure.actuate.metrics.CatzillaMetricsAutoConfiguration;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.reactive.ReactiveHttpClientAutoConfiguration;
import org.springframework.boot.reactor.netty.autoconfigure.NettyReactiveWebServerAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;

/**
 * The context runners every auto-configuration test starts from: all of Catzilla's
 * auto-configurations, and for a reactive web application Boot's Reactor Netty server and
 * {@code WebClient} beside them.
 */
public final class CatzillaContextRunners {

	/** Every auto-configuration of {@code AutoConfiguration.imports}. */
	public static final AutoConfigurations ALL = AutoConfigurations.of(CatzillaAutoConfiguration.class,
			CatzillaNettyServerAutoConfiguration.class, CatzillaWebClientAutoConfiguration.class,
			CatzillaRestClientAutoConfiguration.class, CatzillaGatewayAutoConfiguration.class,
			CatzillaClientBeansAutoConfiguration.class, CatzillaMetricsAutoConfiguration.class,
			CatzillaEndpointAutoConfiguration.class, CatzillaHealthAutoConfiguration.class);

	private CatzillaContextRunners() {
	}

	/** A plain application context with Catzilla's auto-configurations. */
	public static ApplicationContextRunner runner() {
		return new ApplicationContextRunner().withConfiguration(ALL);
	}

	/**
	 * A reactive web application context with Catzilla's, Boot's Reactor Netty server and
	 * Boot's WebClient.
	 */
	public static ReactiveWebApplicationContextRunner webRunner() {
		return new ReactiveWebApplicationContextRunner().withConfiguration(ALL)
			.withConfiguration(AutoConfigurations.of(NettyReactiveWebServerAutoConfiguration.class,
					HttpClientAutoConfiguration.class, ReactiveHttpClientAutoConfiguration.class,
					WebClientAutoConfiguration.class));
	}

}
