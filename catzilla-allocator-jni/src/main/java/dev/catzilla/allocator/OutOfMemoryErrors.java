package dev.catzilla.allocator;

import java.lang.reflect.Constructor;

/**
 * Makes the {@link OutOfMemoryError}s the allocator throws: Netty's
 * {@code OutOfDirectMemoryError} (what Netty's own allocators throw, so code that handles
 * it keeps working) when its package-private constructor can be reached, looked up once;
 * else {@link JemallocOutOfMemoryError}.
 */
final class OutOfMemoryErrors {

	static final String NETTY_ERROR = "io.netty.util.internal.OutOfDirectMemoryError";

	private static final Constructor<? extends OutOfMemoryError> NETTY_CONSTRUCTOR = lookup(NETTY_ERROR);

	private OutOfMemoryErrors() {
	}

	static OutOfMemoryError outOfDirectMemory(String message) {
		return create(NETTY_CONSTRUCTOR, message);
	}

	static OutOfMemoryError create(Constructor<? extends OutOfMemoryError> constructor, String message) {
		if (constructor != null) {
			try {
				return constructor.newInstance(message);
			}
			catch (ReflectiveOperationException | RuntimeException ex) {
				// fall back below
			}
		}
		return new JemallocOutOfMemoryError(message);
	}

	/**
	 * The accessible {@code (String)} constructor of an {@link OutOfMemoryError} class,
	 * or {@code null}.
	 */
	static Constructor<? extends OutOfMemoryError> lookup(String className) {
		try {
			Class<? extends OutOfMemoryError> type = Class
				.forName(className, false, OutOfMemoryErrors.class.getClassLoader())
				.asSubclass(OutOfMemoryError.class);
			Constructor<? extends OutOfMemoryError> constructor = type.getDeclaredConstructor(String.class);
			constructor.setAccessible(true);
			return constructor;
		}
		catch (ReflectiveOperationException | RuntimeException | LinkageError ex) {
			// not found, or not accessible (InaccessibleObjectException on the module
			// path)
			return null;
		}
	}

}
