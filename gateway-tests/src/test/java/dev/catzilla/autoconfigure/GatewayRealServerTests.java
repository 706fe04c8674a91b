package dev.catzilla.autoconfigure;

import dev.catzilla.autoconfigure.actuate.endpoint.CatzillaEndpoint;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A gateway with the starter and nothing else: every buffer on both legs (the gateway's
 * server and its proxy client, HTTP and WebSocket) comes from jemalloc, and the startup
 * line and the endpoint say so.
 */
class GatewayRealServerTests extends AbstractGatewayRealServerTests {

	@BeforeAll
	static void start() {
		start("management.endpoints.web.exposure.include=catzilla");
	}

	@Test
	void theStartupLineListsTheServerTheProxyClientAndItsWebSocketClient() {
		assertThat(CatzillaLog.startupLine()).matches("Catzilla: jemalloc 5\\.3\\.\\d+ served: "
				+ "\\[server, gateway-proxy, websocket-client\\] \\(requested auto\\)");
		assertThat(context.getBean(CatzillaEndpoint.class).catzilla().served()).containsExactly("server",
				"gateway-proxy", "websocket-client");
	}

	@Test
	void aBodyOfSeveralMebibytesIsProxiedWithEveryBufferOnBothLegsFromJemalloc() throws Exception {
		CatzillaAllocator outcome = context.getBean(CatzillaAllocator.class);
		byte[] body = body(31);
		assertThat(echoThroughTheProxy(body)).isEqualTo(sha256(body));
		probes().server.assertServedByJemalloc(outcome.allocator(), BODY / 2);
		probes().proxy.assertServedByJemalloc(outcome.allocator(), BODY / 2);
	}

	@Test
	void webSocketFramesOfSeveralMebibytesAreProxiedWithTheGatewaysWebSocketClientOnJemalloc() throws Exception {
		CatzillaAllocator outcome = context.getBean(CatzillaAllocator.class);
		probes().proxy.reset();
		byte[] body = body(32);
		assertThat(echoThroughTheWebSocketProxy(body)).isEqualTo(sha256(body));
		probes().proxy.assertServedByJemalloc(outcome.allocator(), BODY / 2);
	}

}
