package dev.catzilla.allocator;

import java.lang.ref.WeakReference;
import java.security.AccessController;
import java.security.PrivilegedAction;

import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;

/**
 * A periodic JFR hook that holds its target weakly and removes itself once the target is gone.
 * <p>
 * {@link FlightRecorder#addPeriodicEvent} keeps its hook for ever (until removed), and on JDK 17 also the access
 * control context of the caller's stack, whose protection domains name their class loaders. A hook of Catzilla's
 * own would so keep the class loader that loaded Catzilla reachable for the JVM's lifetime. This class is therefore
 * <b>not loaded by Catzilla's class loader</b>: {@link FlightRecorderEvents} copies its class file into a class
 * loader of its own whose parent is the platform class loader, so it references only JDK types and the target
 * (weakly), and it registers from inside {@code doPrivileged} so that the captured context holds only its own
 * domain. Once Catzilla's class loader is collected, the target is cleared and the next call removes the hook.
 */
final class WeakPeriodicHook implements Runnable {

	private final WeakReference<Runnable> target;

	private WeakPeriodicHook(Runnable target) {
		this.target = new WeakReference<>(target);
	}

	@Override
	public void run() {
		Runnable target = this.target.get();
		if (target == null) {
			FlightRecorder.removePeriodicEvent(this);
			return;
		}
		target.run();
	}

	/** Registers a hook for {@code eventClass} that calls {@code target} while it is reachable; returns the hook. */
	@SuppressWarnings("removal") // AccessController: the captured context matters on JDK 17 only
	public static Runnable register(Class<? extends Event> eventClass, Runnable target) {
		WeakPeriodicHook hook = new WeakPeriodicHook(target);
		AccessController.doPrivileged((PrivilegedAction<Void>) () -> {
			FlightRecorder.addPeriodicEvent(eventClass, hook);
			return null;
		});
		return hook;
	}

	/** Removes a hook {@link #register} returned. */
	public static boolean remove(Runnable hook) {
		return FlightRecorder.removePeriodicEvent(hook);
	}

}
