package dev.catzilla.autoconfigure;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The application's own {@code HttpClientCustomizer} sets an allocator on the proxy
 * client: it is kept, for HTTP and for the WebSocket client the gateway builds from that
 * client.
 */
class GatewayOwnAllocatorRealServerTests extends AbstractGatewayRealServerTests {

	@BeforeAll
	static void start() {
		start("gateway.own-allocator=true");
	}

	@Test
	void theStartupLineSaysTheProxysOwnAllocatorWasKept() {
		assertThat(CatzillaLog.startupLine()).matches("Catzilla: jemalloc 5\\.3\\.\\d+ served: \\[server\\], "
				+ "own allocator kept: \\[gateway-proxy, websocket-client\\] \\(requested auto\\)");
	}

	@Test
	void theProxyClientKeepsTheApplicationsAllocator() throws Exception {
		byte[] body = body(51);
		assertThat(echoThroughTheProxy(body)).isEqualTo(sha256(body));
		probes().proxy.assertServedBy(ClientsApplication.OWN, BODY / 2);
	}

}
