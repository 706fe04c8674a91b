package dev.catzilla.autoconfigure;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

import org.jspecify.annotations.Nullable;

/**
 * What Catzilla actually wired: a target is recorded when the allocator is applied to a
 * real server or client (not when a customizer bean exists), or when the application's
 * own allocator was found there and kept. Thread-safe; read by the startup line and
 * {@code /actuator/catzilla}.
 */
public final class CatzillaWiring {

	private final Set<CatzillaTarget> served = EnumSet.noneOf(CatzillaTarget.class);

	private final Set<CatzillaTarget> kept = EnumSet.noneOf(CatzillaTarget.class);

	private @Nullable BiConsumer<CatzillaTarget, Boolean> listener;

	/** Records that Catzilla's allocator now serves a server or client of this kind. */
	public void served(CatzillaTarget target) {
		record(this.served, target, true);
	}

	/**
	 * Records that a server or client of this kind already had the application's own
	 * allocator, which was kept.
	 */
	public void keptOwnAllocator(CatzillaTarget target) {
		record(this.kept, target, false);
	}

	private void record(Set<CatzillaTarget> set, CatzillaTarget target, boolean served) {
		BiConsumer<CatzillaTarget, Boolean> listener;
		synchronized (this) {
			if (!set.add(target)) {
				return;
			}
			listener = this.listener;
		}
		if (listener != null) {
			listener.accept(target, served);
		}
	}

	/**
	 * The kinds of servers and clients Catzilla's allocator serves, in
	 * {@link CatzillaTarget} order.
	 */
	public synchronized List<String> served() {
		return this.served.stream().map(CatzillaTarget::id).toList();
	}

	/**
	 * The kinds of servers and clients where the application's own allocator was kept.
	 */
	public synchronized List<String> keptOwnAllocator() {
		return this.kept.stream().map(CatzillaTarget::id).toList();
	}

	/** Called for every kind recorded from now on (the startup line has been logged). */
	synchronized void onLateWiring(BiConsumer<CatzillaTarget, Boolean> listener) {
		this.listener = listener;
	}

}
