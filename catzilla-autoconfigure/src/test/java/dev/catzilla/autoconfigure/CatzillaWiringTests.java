package dev.catzilla.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The record of what was wired: in a fixed order, each kind once, and told to a
 * late-wiring listener.
 */
class CatzillaWiringTests {

	@Test
	void servedKindsAreListedOnceInTargetOrderWhateverOrderTheyWereWiredIn() {
		CatzillaWiring wiring = new CatzillaWiring();
		wiring.served(CatzillaTarget.HTTP_CLIENT_BEAN);
		wiring.served(CatzillaTarget.SERVER);
		wiring.served(CatzillaTarget.GATEWAY_PROXY);
		wiring.served(CatzillaTarget.SERVER);
		assertThat(wiring.served()).containsExactly("server", "gateway-proxy", "httpclient-bean");
		assertThat(wiring.keptOwnAllocator()).isEmpty();
	}

	@Test
	void aListenerHearsOfEachKindFirstRecordedAfterItWasSet() {
		CatzillaWiring wiring = new CatzillaWiring();
		wiring.served(CatzillaTarget.SERVER);
		List<String> heard = new ArrayList<>();
		wiring.onLateWiring((target, served) -> heard.add(target.id() + (served ? " served" : " kept")));
		wiring.served(CatzillaTarget.SERVER);
		wiring.served(CatzillaTarget.RESTCLIENT);
		wiring.keptOwnAllocator(CatzillaTarget.WEBCLIENT);
		wiring.served(CatzillaTarget.RESTCLIENT);
		assertThat(heard).containsExactly("restclient served", "webclient kept");
	}

}
