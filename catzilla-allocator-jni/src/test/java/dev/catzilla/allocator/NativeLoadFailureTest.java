package dev.catzilla.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The one wording of why the library cannot load and what to do. */
class NativeLoadFailureTest {

	@Test
	void anUnknownCLibraryAndAGlibcOlderThanTheFloorAreRefusedBeforeLoadingAndMuslIsNot() {
		assertThat(NativeLoadFailure.libcRefusal("musl")).as("musl gets its own library").isNull();
		assertThat(NativeLoadFailure.libcRefusal("unknown")).contains("glibc libraries only", "musl libraries only");
		assertThat(NativeLoadFailure.libcRefusal("unknown")).contains("could not be determined");
		assertThat(NativeLoadFailure.libcRefusal("glibc 2.16")).contains("glibc 2.16", "need glibc 2.17 or newer");
		assertThat(NativeLoadFailure.libcRefusal("glibc 2.17")).isNull();
		assertThat(NativeLoadFailure.libcRefusal("glibc 2.31")).isNull();
		assertThat(NativeLoadFailure.libcRefusal("glibc")).as("a glibc whose banner was not found").isNull();
	}

	@Test
	void aRefusalOfNativeAccessIsRecognisedAnywhereInTheCauseChainAndNamesItsFix() {
		IllegalCallerException refusal = new IllegalCallerException("Illegal native access from an unnamed module");
		UnsatisfiedLinkError error = NativeLoadFailure.nativeAccessRefused(refusal);
		assertThat(error.getCause()).isSameAs(refusal);
		assertThat(error.getMessage()).contains("--illegal-native-access=deny", "--enable-native-access=ALL-UNNAMED",
				"Enable-Native-Access: ALL-UNNAMED");
		assertThat(NativeLoadFailure.isNativeAccessRefusal(new IllegalStateException("wrapped", error))).isTrue();
		assertThat(NativeLoadFailure.isNativeAccessRefusal(new IllegalCallerException("something else"))).isFalse();
		assertThat(NativeLoadFailure.isNativeAccessRefusal(new UnsatisfiedLinkError("noexec"))).isFalse();
		assertThat(NativeLoadFailure.action(error)).contains("--enable-native-access=ALL-UNNAMED")
			.doesNotContain("noexec");
		assertThat(NativeLoadFailure.fix(error)).contains("catzilla.allocator=auto");
	}

}
