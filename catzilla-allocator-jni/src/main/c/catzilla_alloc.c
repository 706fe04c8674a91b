/*
 * The hot path: allocation entry points called once per buffer. Kept minimal on purpose: no mallctl, no
 * exceptions, no JNI local references (except the ByteBuffer that directBuffer returns). Failures come back as 0;
 * the Java side turns them into OutOfMemoryErrors with the numbers.
 */
#include "catzilla_internal.h"

/* mallocx(size, 0). Returns 0 for size <= 0 or when jemalloc has no memory. */
static jlong JNICALL catzilla_allocate(JNIEnv *env, jclass clazz, jlong size) {
	(void) env;
	(void) clazz;
	if (size <= 0) {
		return 0;
	}
	return catzilla_address(catzilla_je_mallocx((size_t) size, 0));
}

/*
 * sdallocx(address, size, 0). size must be the size that was requested (or anything up to the usable size);
 * address 0 is ignored.
 */
static void JNICALL catzilla_free(JNIEnv *env, jclass clazz, jlong address, jlong size) {
	(void) env;
	(void) clazz;
	if (address == 0) {
		return;
	}
	if (size > 0) {
		catzilla_je_sdallocx(catzilla_ptr(address), (size_t) size, 0);
	} else {
		catzilla_je_dallocx(catzilla_ptr(address), 0);
	}
}

/* rallocx(address, newSize, 0): the new address, or 0 (then the old allocation is untouched). */
static jlong JNICALL catzilla_reallocate(JNIEnv *env, jclass clazz, jlong address, jlong newSize) {
	(void) env;
	(void) clazz;
	if (address == 0 || newSize <= 0) {
		return 0;
	}
	return catzilla_address(catzilla_je_rallocx(catzilla_ptr(address), (size_t) newSize, 0));
}

/* xallocx(address, size, 0, 0): resizes in place if it can; returns the usable size afterwards. */
static jlong JNICALL catzilla_resize_in_place(JNIEnv *env, jclass clazz, jlong address, jlong size) {
	(void) env;
	(void) clazz;
	if (address == 0) {
		return 0;
	}
	if (size <= 0) {
		return (jlong) catzilla_je_sallocx(catzilla_ptr(address), 0);
	}
	return (jlong) catzilla_je_xallocx(catzilla_ptr(address), (size_t) size, 0, 0);
}

/* sallocx(address, 0): the usable size of an allocation (0 for address 0). */
static jlong JNICALL catzilla_usable_size(JNIEnv *env, jclass clazz, jlong address) {
	(void) env;
	(void) clazz;
	if (address == 0) {
		return 0;
	}
	return (jlong) catzilla_je_sallocx(catzilla_ptr(address), 0);
}

/* A direct ByteBuffer view of capacity bytes at address (NULL with a pending exception on failure). */
static jobject JNICALL catzilla_direct_buffer(JNIEnv *env, jclass clazz, jlong address, jlong capacity) {
	(void) clazz;
	if (address == 0 || capacity < 0 || capacity > INT32_MAX) {
		catzilla_throw(env, "java/lang/IllegalArgumentException",
				"directBuffer needs a non-zero address and a capacity between 0 and Integer.MAX_VALUE");
		return NULL;
	}
	return (*env)->NewDirectByteBuffer(env, catzilla_ptr(address), capacity);
}

CATZILLA_CHECK_SIGNATURE(catzilla_allocate, allocate);
CATZILLA_CHECK_SIGNATURE(catzilla_free, free);
CATZILLA_CHECK_SIGNATURE(catzilla_reallocate, reallocate);
CATZILLA_CHECK_SIGNATURE(catzilla_resize_in_place, resizeInPlace);
CATZILLA_CHECK_SIGNATURE(catzilla_usable_size, usableSize);
CATZILLA_CHECK_SIGNATURE(catzilla_direct_buffer, directBuffer);

const JNINativeMethod catzilla_alloc_methods[] = {
	{ "allocate", "(J)J", (void *) catzilla_allocate },
	{ "free", "(JJ)V", (void *) catzilla_free },
	{ "reallocate", "(JJ)J", (void *) catzilla_reallocate },
	{ "resizeInPlace", "(JJ)J", (void *) catzilla_resize_in_place },
	{ "usableSize", "(J)J", (void *) catzilla_usable_size },
	{ "directBuffer", "(JJ)Ljava/nio/ByteBuffer;", (void *) catzilla_direct_buffer },
};
const size_t catzilla_alloc_methods_count = sizeof(catzilla_alloc_methods) / sizeof(catzilla_alloc_methods[0]);
