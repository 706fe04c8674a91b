package dev.catzilla.autoconfigure;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import org.junit.jupiter.api.Test;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one function that hands the allocator to a Reactor Netty client or server, and what
 * it records.
 */
class ReactorNettyAllocatorsTests {

	private final CatzillaAllocator outcome = new CatzillaAllocator(AllocatorMode.AUTO, ActiveAllocator.NETTY,
			new UnpooledByteBufAllocator(true), "test", null);

	private final CatzillaWiring wiring = new CatzillaWiring();

	@Test
	void aClientWithoutAnAllocatorGetsOursAndIsRecordedAsServed() {
		HttpClient client = ReactorNettyAllocators.apply(HttpClient.create(), this.outcome, this.wiring,
				CatzillaTarget.WEBCLIENT);
		assertThat((Object) client.configuration().options().get(ChannelOption.ALLOCATOR))
			.isSameAs(this.outcome.allocator());
		assertThat(ReactorNettyAllocators.usesCatzilla(client, this.outcome)).isTrue();
		assertThat(this.wiring.served()).containsExactly("webclient");
		assertThat(this.wiring.keptOwnAllocator()).isEmpty();
	}

	@Test
	void aClientWithItsOwnAllocatorKeepsItAndIsRecordedAsKept() {
		HttpClient own = HttpClient.create().option(ChannelOption.ALLOCATOR, ByteBufAllocator.DEFAULT);
		HttpClient client = ReactorNettyAllocators.apply(own, this.outcome, this.wiring, CatzillaTarget.GATEWAY_PROXY);
		assertThat(client).isSameAs(own);
		assertThat(this.wiring.served()).isEmpty();
		assertThat(this.wiring.keptOwnAllocator()).containsExactly("gateway-proxy");
	}

	@Test
	void aClientAlreadyOnOurAllocatorIsUnchangedAndRecordedAsServed() {
		HttpClient ours = HttpClient.create().option(ChannelOption.ALLOCATOR, this.outcome.allocator());
		assertThat(ReactorNettyAllocators.apply(ours, this.outcome, this.wiring, CatzillaTarget.WEBSOCKET_CLIENT))
			.isSameAs(ours);
		assertThat(this.wiring.served()).containsExactly("websocket-client");
	}

	@Test
	void aServerGetsOurAllocatorOnTheServerChannelAndOnAcceptedConnectionsAndIsRecordedWhenItBinds() {
		HttpServer server = ReactorNettyAllocators.apply(HttpServer.create(), this.outcome, this.wiring);
		assertThat((Object) server.configuration().options().get(ChannelOption.ALLOCATOR))
			.isSameAs(this.outcome.allocator());
		assertThat((Object) server.configuration().childOptions().get(ChannelOption.ALLOCATOR))
			.isSameAs(this.outcome.allocator());
		assertThat(this.wiring.served()).isEmpty();
		bindAndDispose(server);
		assertThat(this.wiring.served()).containsExactly("server");
	}

	@Test
	void aServerWhoseConnectionsHaveTheirOwnAllocatorKeepsItAndIsRecordedAsKept() {
		HttpServer own = HttpServer.create().childOption(ChannelOption.ALLOCATOR, ByteBufAllocator.DEFAULT);
		HttpServer server = ReactorNettyAllocators.apply(own, this.outcome, this.wiring);
		assertThat((Object) server.configuration().childOptions().get(ChannelOption.ALLOCATOR))
			.isSameAs(ByteBufAllocator.DEFAULT);
		bindAndDispose(server);
		assertThat(this.wiring.served()).isEmpty();
		assertThat(this.wiring.keptOwnAllocator()).containsExactly("server");
	}

	@Test
	void aCustomizerRunningAfterOursThatSetsItsOwnAllocatorIsWhatTheRecordSays() {
		HttpServer server = ReactorNettyAllocators.apply(HttpServer.create(), this.outcome, this.wiring)
			.childOption(ChannelOption.ALLOCATOR, ByteBufAllocator.DEFAULT);
		bindAndDispose(server);
		assertThat(this.wiring.served()).isEmpty();
		assertThat(this.wiring.keptOwnAllocator()).containsExactly("server");
	}

	static void bindAndDispose(HttpServer server) {
		server.host("127.0.0.1").port(0).bindNow().disposeNow();
	}

}
