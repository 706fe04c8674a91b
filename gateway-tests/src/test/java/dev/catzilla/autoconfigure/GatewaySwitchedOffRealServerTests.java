package dev.catzilla.autoconfigure;

import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code catzilla.client.gateway.enabled=false}: the proxy client stays on Netty's
 * default allocator, the gateway's server is still served.
 */
class GatewaySwitchedOffRealServerTests extends AbstractGatewayRealServerTests {

	@BeforeAll
	static void start() {
		start("catzilla.client.gateway.enabled=false", "catzilla.client.websocket.enabled=false");
	}

	@Test
	void theStartupLineListsOnlyTheServer() {
		assertThat(CatzillaLog.startupLine())
			.matches("Catzilla: jemalloc 5\\.3\\.\\d+ served: \\[server\\] \\(requested auto\\)");
	}

	@Test
	void theProxyClientStaysOnNettysDefaultWhileTheServerUsesJemalloc() throws Exception {
		byte[] body = body(41);
		assertThat(echoThroughTheProxy(body)).isEqualTo(sha256(body));
		probes().server.assertServedByJemalloc(context.getBean(CatzillaAllocator.class).allocator(), BODY / 2);
		probes().proxy.assertServedBy(ByteBufAllocator.DEFAULT, BODY / 2);
	}

}
