package dev.catzilla.autoconfigure;

import reactor.netty.http.server.HttpServer;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;

/**
 * Hands the active allocator to every channel of the Reactor Netty web server, and
 * answers requests that do not fit under its cap with 503
 * ({@link CatzillaCapExceededHandler}), unless {@code catzilla.server.enabled=false}.
 */
@AutoConfiguration(after = CatzillaAutoConfiguration.class)
@ConditionalOnClass({ HttpServer.class, NettyServerCustomizer.class })
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnBean(CatzillaAllocator.class)
@ConditionalOnBooleanProperty(name = "catzilla.server.enabled", matchIfMissing = true)
public final class CatzillaNettyServerAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	CatzillaNettyServerCustomizer catzillaNettyServerCustomizer(CatzillaAllocator outcome, CatzillaWiring wiring) {
		return new CatzillaNettyServerCustomizer(outcome, wiring);
	}

	@Bean
	@ConditionalOnMissingBean
	CatzillaCapExceededHandler catzillaCapExceededHandler() {
		return new CatzillaCapExceededHandler();
	}

}
