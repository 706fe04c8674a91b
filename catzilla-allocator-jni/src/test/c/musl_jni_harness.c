/*
 * Test harness for the musl libraries, which no JVM on the build machine can load (no musl JVM is available there):
 * a musl program that plays the JVM's part. It dlopen()s the library with musl's dynamic loader, calls JNI_OnLoad
 * with a minimal hand-built JavaVM/JNIEnv whose RegisterNatives records the registered functions BY NAME (and JNI
 * signature), then runs them: version, initialize (Catzilla's default options, background threads on), options,
 * sizeClasses, allocation, reallocation, directBuffer and release on several threads, statistics back to their
 * baseline, purge giving pages back, and the error paths that throw. Each thread has its own JNIEnv (pending
 * exception, local references); objects are reference counted, so a native that deletes a local reference twice or
 * leaks one is caught.
 *
 * Usage: musl_jni_harness <library.so> load                  dlopen only; exit 3 with dlerror() if it fails
 *        musl_jni_harness <library.so> run <malloc_conf>    everything; exit 0 when every check passed
 * Prints key=value lines (read by MuslHarnessTest) and "FAIL: ..." lines; the last line is result=ok or result=FAIL.
 * Built by src/main/native/musl-harness.sh with the musl toolchain and run by MuslHarnessTest.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <jni.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The header javac -h generates from JemallocNative: each native below is checked against its prototype. */
#include "dev_catzilla_allocator_JemallocNative.h"

/*
 * The natives this harness calls, one line each: Java name, JNI signature, C return type, C parameters. Adding or
 * renaming one is a change of its line here (and of the code that calls it). Each is checked at compile time against
 * the prototype javac generated, and at run time against what JNI_OnLoad registered under that name.
 */
#define HARNESS_NATIVES(X)                                                                  \
	X(initialize, "(Ljava/lang/String;)V", void, (JNIEnv *, jclass, jstring))               \
	X(version, "()Ljava/lang/String;", jstring, (JNIEnv *, jclass))                         \
	X(allocate, "(J)J", jlong, (JNIEnv *, jclass, jlong))                                   \
	X(free, "(JJ)V", void, (JNIEnv *, jclass, jlong, jlong))                                \
	X(reallocate, "(JJ)J", jlong, (JNIEnv *, jclass, jlong, jlong))                         \
	X(resizeInPlace, "(JJ)J", jlong, (JNIEnv *, jclass, jlong, jlong))                      \
	X(usableSize, "(J)J", jlong, (JNIEnv *, jclass, jlong))                                 \
	X(directBuffer, "(JJ)Ljava/nio/ByteBuffer;", jobject, (JNIEnv *, jclass, jlong, jlong)) \
	X(statistics, "(Z[Ljava/lang/String;[I[J)V", void, (JNIEnv *, jclass, jboolean, jobjectArray, jintArray, jlongArray)) \
	X(purge, "()V", void, (JNIEnv *, jclass))                                               \
	X(options, "()[Ljava/lang/String;", jobjectArray, (JNIEnv *, jclass))                   \
	X(sizeClasses, "(J)[J", jlongArray, (JNIEnv *, jclass, jlong))

#define NATIVE_CLASS "dev/catzilla/allocator/JemallocNative"

#define DECLARE_TYPE(name, sig, ret, params) typedef ret(JNICALL *native_##name##_fn) params;
HARNESS_NATIVES(DECLARE_TYPE)
#define CHECK_PROTOTYPE(name, sig, ret, params)                                                                  \
	_Static_assert(__builtin_types_compatible_p(native_##name##_fn,                                              \
			__typeof__(&Java_dev_catzilla_allocator_JemallocNative_##name)),                                  \
		"the harness's line for " #name " does not match JemallocNative." #name);
HARNESS_NATIVES(CHECK_PROTOTYPE)
#define DECLARE_FIELD(name, sig, ret, params) native_##name##_fn name;
static struct {
	HARNESS_NATIVES(DECLARE_FIELD)
} natives;
#define DESCRIBE(name, sig, ret, params) { #name, sig, (void **) &natives.name },
static const struct {
	const char *name;
	const char *signature;
	void **slot;
} wanted[] = { HARNESS_NATIVES(DESCRIBE) };
#define WANTED_COUNT (sizeof(wanted) / sizeof(wanted[0]))

/* ---------------------------------------------------------------------------------------------------------------
 * Failure reporting
 */
static atomic_int failures;

static void fail(const char *format, ...) {
	va_list args;
	va_start(args, format);
	flockfile(stdout);
	fputs("FAIL: ", stdout);
	vprintf(format, args);
	fputc('\n', stdout);
	fflush(stdout);
	funlockfile(stdout);
	va_end(args);
	atomic_fetch_add(&failures, 1);
}

static void fact(const char *key, const char *format, ...) {
	va_list args;
	va_start(args, format);
	flockfile(stdout);
	printf("%s=", key);
	vprintf(format, args);
	fputc('\n', stdout);
	fflush(stdout);
	funlockfile(stdout);
	va_end(args);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Objects: reference counted; a local reference holds one count, an object array element another.
 */
typedef enum { OBJ_CLASS, OBJ_STRING, OBJ_INT_ARRAY, OBJ_LONG_ARRAY, OBJ_OBJECT_ARRAY, OBJ_DIRECT_BUFFER } obj_kind;

typedef struct obj {
	obj_kind kind;
	atomic_int references;
	jsize length;      /* arrays; strings: bytes */
	char *text;        /* class name or string (ASCII) */
	jint *ints;        /* OBJ_INT_ARRAY */
	jlong *longs;      /* OBJ_LONG_ARRAY */
	struct obj **objs; /* OBJ_OBJECT_ARRAY */
	void *address;     /* OBJ_DIRECT_BUFFER */
	jlong capacity;
} obj;

static atomic_long live_objects;

static obj *obj_new(obj_kind kind) {
	obj *o = calloc(1, sizeof(obj));
	if (o == NULL) {
		fprintf(stderr, "harness: out of memory\n");
		abort();
	}
	o->kind = kind;
	atomic_store(&o->references, 1);
	atomic_fetch_add(&live_objects, 1);
	return o;
}

static void obj_release(obj *o) {
	if (o == NULL) {
		return;
	}
	int left = atomic_fetch_sub(&o->references, 1) - 1;
	if (left < 0) {
		fail("a reference was deleted more often than it was created (kind %d)", (int) o->kind);
		return;
	}
	if (left > 0) {
		return;
	}
	if (o->kind == OBJ_OBJECT_ARRAY) {
		for (jsize i = 0; i < o->length; i++) {
			obj_release(o->objs[i]);
		}
	}
	free(o->text);
	free(o->ints);
	free(o->longs);
	free(o->objs);
	free(o);
	atomic_fetch_sub(&live_objects, 1);
}

static obj *obj_text(obj_kind kind, const char *text) {
	obj *o = obj_new(kind);
	o->text = strdup(text);
	o->length = (jsize) strlen(text);
	return o;
}

/* ---------------------------------------------------------------------------------------------------------------
 * JNIEnv: one per thread, its first member the function table (as JNIEnv is), then the thread's pending exception.
 */
typedef struct {
	const struct JNINativeInterface_ *functions;
	char *pending_class;
	char *pending_message;
} harness_env;

static struct JNINativeInterface_ function_table;

static harness_env *self(JNIEnv *env) {
	return (harness_env *) env;
}

static void throw_new(JNIEnv *env, const char *className, const char *message) {
	harness_env *h = self(env);
	free(h->pending_class);
	free(h->pending_message);
	h->pending_class = strdup(className);
	h->pending_message = strdup(message != NULL ? message : "");
}

/* Takes the pending exception (or NULL): the caller frees what it returns through *message. */
static char *take_exception(JNIEnv *env, char **message) {
	harness_env *h = self(env);
	char *pending = h->pending_class;
	*message = h->pending_message;
	h->pending_class = NULL;
	h->pending_message = NULL;
	return pending;
}

static void unimplemented(void) {
	fprintf(stdout, "FAIL: the library called a JNI function this harness does not implement\nresult=FAIL\n");
	fflush(stdout);
	abort();
}

static jclass JNICALL find_class(JNIEnv *env, const char *name) {
	(void) env;
	return (jclass) obj_text(OBJ_CLASS, name);
}

static jint JNICALL throw_new_jni(JNIEnv *env, jclass clazz, const char *message) {
	throw_new(env, ((obj *) clazz)->text, message);
	return 0;
}

static jboolean JNICALL exception_check(JNIEnv *env) {
	return self(env)->pending_class != NULL ? JNI_TRUE : JNI_FALSE;
}

static void JNICALL delete_local_ref(JNIEnv *env, jobject ref) {
	(void) env;
	obj_release((obj *) ref);
}

static jstring JNICALL new_string_utf(JNIEnv *env, const char *utf) {
	(void) env;
	return (jstring) obj_text(OBJ_STRING, utf);
}

static jsize JNICALL get_string_length(JNIEnv *env, jstring string) {
	(void) env;
	return ((obj *) string)->length; /* the harness passes ASCII only: chars == bytes */
}

static jsize JNICALL get_string_utf_length(JNIEnv *env, jstring string) {
	(void) env;
	return ((obj *) string)->length;
}

static void JNICALL get_string_utf_region(JNIEnv *env, jstring string, jsize start, jsize length, char *buffer) {
	obj *o = (obj *) string;
	if (start < 0 || length < 0 || start + length > o->length) {
		throw_new(env, "java/lang/StringIndexOutOfBoundsException", "GetStringUTFRegion");
		return;
	}
	memcpy(buffer, o->text + start, (size_t) length);
	buffer[length] = '\0';
}

static jsize JNICALL get_array_length(JNIEnv *env, jarray array) {
	(void) env;
	return ((obj *) array)->length;
}

static const char *JNICALL get_string_utf_chars(JNIEnv *env, jstring string, jboolean *isCopy) {
	(void) env;
	if (isCopy != NULL) {
		*isCopy = JNI_TRUE;
	}
	char *copy = strdup(((obj *) string)->text);
	if (copy == NULL) {
		throw_new(env, "java/lang/OutOfMemoryError", "GetStringUTFChars");
		return NULL;
	}
	atomic_fetch_add(&live_objects, 1); /* released by ReleaseStringUTFChars */
	return copy;
}

static void JNICALL release_string_utf_chars(JNIEnv *env, jstring string, const char *chars) {
	(void) env;
	(void) string;
	free((void *) chars);
	atomic_fetch_sub(&live_objects, 1);
}

static jintArray JNICALL new_int_array(JNIEnv *env, jsize length) {
	(void) env;
	obj *o = obj_new(OBJ_INT_ARRAY);
	o->length = length;
	o->ints = calloc((size_t) length + 1, sizeof(jint));
	return (jintArray) o;
}

static void JNICALL get_int_array_region(JNIEnv *env, jintArray array, jsize start, jsize length, jint *buffer) {
	obj *o = (obj *) array;
	if (start < 0 || length < 0 || start + length > o->length) {
		throw_new(env, "java/lang/ArrayIndexOutOfBoundsException", "GetIntArrayRegion");
		return;
	}
	memcpy(buffer, o->ints + start, (size_t) length * sizeof(jint));
}

static jobject JNICALL get_object_array_element(JNIEnv *env, jobjectArray array, jsize index) {
	obj *o = (obj *) array;
	if (index < 0 || index >= o->length) {
		throw_new(env, "java/lang/ArrayIndexOutOfBoundsException", "GetObjectArrayElement");
		return NULL;
	}
	obj *element = o->objs[index];
	if (element != NULL) {
		atomic_fetch_add(&element->references, 1); /* a local reference */
	}
	return (jobject) element;
}

static jlongArray JNICALL new_long_array(JNIEnv *env, jsize length) {
	(void) env;
	obj *o = obj_new(OBJ_LONG_ARRAY);
	o->length = length;
	o->longs = calloc((size_t) length + 1, sizeof(jlong));
	return (jlongArray) o;
}

static void JNICALL set_long_array_region(JNIEnv *env, jlongArray array, jsize start, jsize length,
		const jlong *values) {
	obj *o = (obj *) array;
	if (start < 0 || length < 0 || start + length > o->length) {
		throw_new(env, "java/lang/ArrayIndexOutOfBoundsException", "SetLongArrayRegion");
		return;
	}
	memcpy(o->longs + start, values, (size_t) length * sizeof(jlong));
}

static jobjectArray JNICALL new_object_array(JNIEnv *env, jsize length, jclass elementClass, jobject initial) {
	(void) env;
	(void) elementClass;
	obj *o = obj_new(OBJ_OBJECT_ARRAY);
	o->length = length;
	o->objs = calloc((size_t) length + 1, sizeof(obj *));
	for (jsize i = 0; initial != NULL && i < length; i++) {
		atomic_fetch_add(&((obj *) initial)->references, 1);
		o->objs[i] = (obj *) initial;
	}
	return (jobjectArray) o;
}

static void JNICALL set_object_array_element(JNIEnv *env, jobjectArray array, jsize index, jobject value) {
	obj *o = (obj *) array;
	if (index < 0 || index >= o->length) {
		throw_new(env, "java/lang/ArrayIndexOutOfBoundsException", "SetObjectArrayElement");
		return;
	}
	if (value != NULL) {
		atomic_fetch_add(&((obj *) value)->references, 1);
	}
	obj_release(o->objs[index]);
	o->objs[index] = (obj *) value;
}

static jobject JNICALL new_direct_byte_buffer(JNIEnv *env, void *address, jlong capacity) {
	(void) env;
	obj *o = obj_new(OBJ_DIRECT_BUFFER);
	o->address = address;
	o->capacity = capacity;
	return (jobject) o;
}

/* What JNI_OnLoad registered, by name. */
#define MAX_REGISTERED 64
static struct {
	char *name;
	char *signature;
	void *function;
} registered[MAX_REGISTERED];
static int registered_count;

static jint JNICALL register_natives(JNIEnv *env, jclass clazz, const JNINativeMethod *methods, jint count) {
	(void) env;
	if (strcmp(((obj *) clazz)->text, NATIVE_CLASS) != 0) {
		fail("RegisterNatives on %s, not %s", ((obj *) clazz)->text, NATIVE_CLASS);
		return JNI_ERR;
	}
	for (jint i = 0; i < count; i++) {
		for (int j = 0; j < registered_count; j++) {
			if (strcmp(registered[j].name, methods[i].name) == 0) {
				fail("native %s registered twice", methods[i].name);
			}
		}
		if (registered_count == MAX_REGISTERED || methods[i].fnPtr == NULL) {
			fail("RegisterNatives: too many natives or a NULL function (%s)", methods[i].name);
			return JNI_ERR;
		}
		registered[registered_count].name = strdup(methods[i].name);
		registered[registered_count].signature = strdup(methods[i].signature);
		registered[registered_count].function = methods[i].fnPtr;
		registered_count++;
	}
	return JNI_OK;
}

static void init_function_table(void) {
	void **slots = (void **) &function_table;
	for (size_t i = 0; i < sizeof(function_table) / sizeof(void *); i++) {
		slots[i] = (void *) unimplemented;
	}
	function_table.reserved0 = function_table.reserved1 = function_table.reserved2 = function_table.reserved3 = NULL;
	function_table.FindClass = find_class;
	function_table.ThrowNew = throw_new_jni;
	function_table.ExceptionCheck = exception_check;
	function_table.DeleteLocalRef = delete_local_ref;
	function_table.NewStringUTF = new_string_utf;
	function_table.GetStringLength = get_string_length;
	function_table.GetStringUTFLength = get_string_utf_length;
	function_table.GetStringUTFRegion = get_string_utf_region;
	function_table.GetArrayLength = get_array_length;
	function_table.GetStringUTFChars = get_string_utf_chars;
	function_table.ReleaseStringUTFChars = release_string_utf_chars;
	function_table.NewIntArray = new_int_array;
	function_table.GetIntArrayRegion = get_int_array_region;
	function_table.GetObjectArrayElement = get_object_array_element;
	function_table.NewLongArray = new_long_array;
	function_table.SetLongArrayRegion = set_long_array_region;
	function_table.NewObjectArray = new_object_array;
	function_table.SetObjectArrayElement = set_object_array_element;
	function_table.NewDirectByteBuffer = new_direct_byte_buffer;
	function_table.RegisterNatives = register_natives;
}

/* JavaVM: only GetEnv, answering the calling thread's env. */
static _Thread_local harness_env *thread_env;
static struct JNIInvokeInterface_ vm_table;
static JavaVM vm = &vm_table;

static jint JNICALL get_env(JavaVM *javaVm, void **env, jint version) {
	(void) javaVm;
	if (version != JNI_VERSION_1_8 || thread_env == NULL) {
		*env = NULL;
		return JNI_EVERSION;
	}
	*env = thread_env;
	return JNI_OK;
}

static JNIEnv *attach(void) {
	harness_env *h = calloc(1, sizeof(harness_env));
	if (h == NULL) {
		fprintf(stderr, "harness: out of memory\n");
		abort();
	}
	h->functions = &function_table;
	thread_env = h;
	return (JNIEnv *) h;
}

static void detach(JNIEnv *env) {
	harness_env *h = self(env);
	if (h->pending_class != NULL) {
		fail("a thread ended with a pending %s", h->pending_class);
	}
	free(h->pending_class);
	free(h->pending_message);
	free(h);
	thread_env = NULL;
}

/* After a native returned: no exception may be pending unless one is expected (its class name, else NULL). */
static void expect_exception(JNIEnv *env, const char *call, const char *expectedClass) {
	char *message = NULL;
	char *pending = take_exception(env, &message);
	if (expectedClass == NULL && pending != NULL) {
		fail("%s threw %s: %s", call, pending, message);
	}
	else if (expectedClass != NULL && (pending == NULL || strcmp(pending, expectedClass) != 0)) {
		fail("%s threw %s, expected %s", call, pending != NULL ? pending : "nothing", expectedClass);
	}
	free(pending);
	free(message);
}

/* ---------------------------------------------------------------------------------------------------------------
 * The checks
 */
static jclass native_class;

/* The statistics native's arguments for the given mallctl names, all size_t (JemallocStatistic.CType.SIZE_T = 0). */
static void statistics_arguments(JNIEnv *env, const char *const *names, jsize count, obj **nameArray, obj **types,
		obj **values) {
	*nameArray = (obj *) new_object_array(env, count, NULL, NULL);
	for (jsize i = 0; i < count; i++) {
		obj *name = (obj *) new_string_utf(env, names[i]);
		set_object_array_element(env, (jobjectArray) *nameArray, i, (jobject) name);
		obj_release(name);
	}
	*types = (obj *) new_int_array(env, count);
	*values = (obj *) new_long_array(env, count);
}

/* stats.* through the statistics native, by name: one place to change when its shape changes. 0 on failure. */
static int read_stats(JNIEnv *env, jlong *allocated, jlong *resident) {
	static const char *const names[] = { "stats.allocated", "stats.resident" };
	obj *nameArray, *types, *values;
	statistics_arguments(env, names, 2, &nameArray, &types, &values);
	natives.statistics(env, native_class, JNI_TRUE, (jobjectArray) nameArray, (jintArray) types,
			(jlongArray) values);
	char *message = NULL;
	char *pending = take_exception(env, &message);
	int ok = pending == NULL;
	if (!ok) {
		fail("statistics threw %s: %s", pending, message);
	}
	*allocated = values->longs[0];
	*resident = values->longs[1];
	free(pending);
	free(message);
	obj_release(nameArray);
	obj_release(types);
	obj_release(values);
	return ok;
}

static const jlong sizes[] = { 64, 1024, 16384, 65536, 1 << 20 };
#define SIZES (sizeof(sizes) / sizeof(sizes[0]))
#define THREADS 4
#define ROUNDS 200

static void exercise_on(JNIEnv *env, unsigned seed);

static void *exercise(void *arg) {
	JNIEnv *env = attach();
	exercise_on(env, (unsigned) (uintptr_t) arg);
	detach(env);
	return NULL;
}

static void exercise_on(JNIEnv *env, unsigned seed) {
	for (int round = 0; round < ROUNDS && atomic_load(&failures) == 0; round++) {
		for (size_t s = 0; s < SIZES; s++) {
			jlong size = sizes[s];
			unsigned char mark = (unsigned char) (seed * 31 + (unsigned) round + (unsigned) s);
			jlong address = natives.allocate(env, native_class, size);
			expect_exception(env, "allocate", NULL);
			if (address == 0) {
				fail("allocate(%lld) returned 0", (long long) size);
				return;
			}
			jlong usable = natives.usableSize(env, native_class, address);
			if (usable < size) {
				fail("usableSize %lld < %lld", (long long) usable, (long long) size);
			}
			unsigned char *bytes = (unsigned char *) (uintptr_t) address;
			memset(bytes, mark, (size_t) size);
			obj *view = (obj *) natives.directBuffer(env, native_class, address, size);
			expect_exception(env, "directBuffer", NULL);
			if (view == NULL || view->kind != OBJ_DIRECT_BUFFER || view->address != bytes || view->capacity != size) {
				fail("directBuffer(%p, %lld) is not a view of that memory", (void *) bytes, (long long) size);
			}
			obj_release(view);
			jlong grown = natives.reallocate(env, native_class, address, 2 * size);
			expect_exception(env, "reallocate", NULL);
			if (grown == 0) {
				fail("reallocate to %lld returned 0", (long long) (2 * size));
				natives.free(env, native_class, address, size);
				return;
			}
			bytes = (unsigned char *) (uintptr_t) grown;
			if (bytes[0] != mark || bytes[size - 1] != mark) {
				fail("reallocate lost the content of %lld bytes", (long long) size);
			}
			natives.free(env, native_class, grown, 2 * size);
			expect_exception(env, "free", NULL);
		}
	}
}

static int count_background_threads(void) {
	DIR *tasks = opendir("/proc/self/task");
	if (tasks == NULL) {
		return -1;
	}
	int count = 0;
	struct dirent *entry;
	while ((entry = readdir(tasks)) != NULL) {
		char path[300];
		char name[64] = { 0 };
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", entry->d_name);
		FILE *comm = fopen(path, "r");
		if (comm == NULL) {
			continue;
		}
		if (fgets(name, sizeof(name), comm) != NULL && strncmp(name, "jemalloc_bg_thd", 15) == 0) {
			count++;
		}
		fclose(comm);
	}
	closedir(tasks);
	return count;
}

static void sleep_millis(long millis) {
	struct timespec pause = { millis / 1000, (millis % 1000) * 1000000L };
	nanosleep(&pause, NULL);
}

static int run(void *library, const char *conf) {
	init_function_table();
	JNIEnv *env = attach();
	vm_table.GetEnv = get_env;

	jint (*on_load)(JavaVM *, void *) = (jint(*)(JavaVM *, void *)) dlsym(library, "JNI_OnLoad");
	void *on_unload = dlsym(library, "JNI_OnUnload");
	if (on_load == NULL || on_unload == NULL) {
		fail("JNI_OnLoad or JNI_OnUnload not exported");
		return 1;
	}
	jint version = on_load(&vm, NULL);
	expect_exception(env, "JNI_OnLoad", NULL);
	if (version != JNI_VERSION_1_8) {
		fail("JNI_OnLoad returned %d", (int) version);
		return 1;
	}
	fact("registered", "%d", registered_count);
	for (size_t i = 0; i < WANTED_COUNT; i++) {
		int found = 0;
		for (int j = 0; j < registered_count; j++) {
			if (strcmp(registered[j].name, wanted[i].name) == 0) {
				found = 1;
				if (strcmp(registered[j].signature, wanted[i].signature) != 0) {
					fail("native %s registered as %s, the harness calls it as %s", wanted[i].name,
							registered[j].signature, wanted[i].signature);
				}
				*wanted[i].slot = registered[j].function;
			}
		}
		if (!found) {
			fail("native %s was not registered", wanted[i].name);
		}
	}
	if (atomic_load(&failures) != 0) {
		return 1;
	}
	native_class = find_class(env, NATIVE_CLASS);

	obj *version_string = (obj *) natives.version(env, native_class);
	expect_exception(env, "version", NULL);
	fact("version", "%s", version_string != NULL ? version_string->text : "(null)");
	obj_release(version_string);

	obj *conf_string = obj_text(OBJ_STRING, conf);
	natives.initialize(env, native_class, (jstring) conf_string);
	expect_exception(env, "initialize", NULL);
	natives.initialize(env, native_class, (jstring) conf_string);
	expect_exception(env, "a second initialize", "java/lang/IllegalStateException");
	obj_release(conf_string);

	obj *options = (obj *) natives.options(env, native_class);
	expect_exception(env, "options", NULL);
	for (jsize i = 0; options != NULL && i + 1 < options->length; i += 2) {
		if (strcmp(options->objs[i]->text, "background_thread") == 0
				|| strcmp(options->objs[i]->text, "dirty_decay_ms") == 0
				|| strcmp(options->objs[i]->text, "tcache_max") == 0) {
			fact(options->objs[i]->text, "%s", options->objs[i + 1]->text);
		}
	}
	fact("options", "%d", options != NULL ? (int) options->length / 2 : -1);
	obj_release(options);

	obj *classes = (obj *) natives.sizeClasses(env, native_class, 1 << 20);
	expect_exception(env, "sizeClasses", NULL);
	if (classes == NULL || classes->length < 10 || classes->longs[0] != 8) {
		fail("sizeClasses(1 MiB) is not jemalloc's size classes");
	}
	for (jsize i = 1; classes != NULL && i < classes->length; i++) {
		if (classes->longs[i] <= classes->longs[i - 1] || classes->longs[i] > (1 << 20)) {
			fail("sizeClasses not ascending up to 1 MiB at %d", (int) i);
		}
	}
	fact("sizeClasses", "%d", classes != NULL ? (int) classes->length : -1);
	obj_release(classes);

	if (natives.allocate(env, native_class, 0) != 0) {
		fail("allocate(0) did not return 0");
	}
	natives.free(env, native_class, 0, 0);
	expect_exception(env, "free(0)", NULL);
	{
		static const char *const names[] = { "stats.allocated", "stats.active" };
		obj *nameArray, *types, *values;
		statistics_arguments(env, names, 2, &nameArray, &types, &values);
		obj *small = (obj *) new_long_array(env, 1);
		natives.statistics(env, native_class, JNI_TRUE, (jobjectArray) nameArray, (jintArray) types,
				(jlongArray) small);
		expect_exception(env, "statistics with arrays of different lengths", "java/lang/IllegalArgumentException");
		static const char *const unknown[] = { "stats.no_such_statistic" };
		obj *unknownNames, *unknownTypes, *unknownValues;
		statistics_arguments(env, unknown, 1, &unknownNames, &unknownTypes, &unknownValues);
		natives.statistics(env, native_class, JNI_FALSE, (jobjectArray) unknownNames, (jintArray) unknownTypes,
				(jlongArray) unknownValues);
		expect_exception(env, "statistics of an unknown mallctl name", "java/lang/IllegalStateException");
		obj_release(small);
		obj_release(nameArray);
		obj_release(types);
		obj_release(values);
		obj_release(unknownNames);
		obj_release(unknownTypes);
		obj_release(unknownValues);
	}
	natives.directBuffer(env, native_class, 0, 16);
	expect_exception(env, "directBuffer(0)", "java/lang/IllegalArgumentException");

	jlong before = 0;
	jlong resident = 0;
	if (!read_stats(env, &before, &resident)) {
		return 1;
	}
	fact("allocatedBefore", "%lld", (long long) before);

	pthread_t threads[THREADS];
	for (uintptr_t t = 0; t < THREADS; t++) {
		if (pthread_create(&threads[t], NULL, exercise, (void *) t) != 0) {
			fail("pthread_create failed");
			return 1;
		}
	}
	for (int t = 0; t < THREADS; t++) {
		pthread_join(threads[t], NULL);
	}
	fact("buffers", "%d", THREADS * ROUNDS * (int) SIZES);
	/* Ended threads flush their thread caches from a TSD destructor, a moment after pthread_join returns. */
	jlong after = -1;
	for (int i = 0; i < 200; i++) {
		if (!read_stats(env, &after, &resident)) {
			return 1;
		}
		if (after == before) {
			break;
		}
		sleep_millis(25);
	}
	fact("allocatedAfter", "%lld", (long long) after);
	if (after != before) {
		fail("stats.allocated did not return to %lld (is %lld)", (long long) before, (long long) after);
	}

	int background = count_background_threads();
	fact("backgroundThreads", "%d", background);

	/* Purge: 64 MiB touched and freed stay resident (dirty) until purged. */
	enum { BLOCKS = 64 };
	jlong blocks[BLOCKS];
	for (int i = 0; i < BLOCKS; i++) {
		blocks[i] = natives.allocate(env, native_class, 1 << 20);
		if (blocks[i] == 0) {
			fail("allocate(1 MiB) returned 0");
			return 1;
		}
		memset((void *) (uintptr_t) blocks[i], 0x5a, 1 << 20);
	}
	for (int i = 0; i < BLOCKS; i++) {
		natives.free(env, native_class, blocks[i], 1 << 20);
	}
	jlong residentBefore = 0;
	jlong residentAfter = 0;
	read_stats(env, &after, &residentBefore);
	natives.purge(env, native_class);
	expect_exception(env, "purge", NULL);
	read_stats(env, &after, &residentAfter);
	fact("residentBeforePurge", "%lld", (long long) residentBefore);
	fact("residentAfterPurge", "%lld", (long long) residentAfter);
	if (residentAfter > residentBefore - 56LL * 1024 * 1024) {
		fail("purge gave back less than 56 MiB of the 64 MiB freed (resident %lld -> %lld)",
				(long long) residentBefore, (long long) residentAfter);
	}
	if (after != before) {
		fail("stats.allocated is %lld after the purge test, not %lld", (long long) after, (long long) before);
	}
	obj_release((obj *) native_class);
	fact("liveObjects", "%ld", atomic_load(&live_objects));
	if (atomic_load(&live_objects) != 0) {
		fail("%ld JNI objects were never released (a local reference leak)", atomic_load(&live_objects));
	}
	return atomic_load(&failures) == 0 ? 0 : 1;
}

int main(int argc, char **argv) {
	if (argc < 3 || (strcmp(argv[2], "load") != 0 && !(strcmp(argv[2], "run") == 0 && argc == 4))) {
		fprintf(stderr, "usage: %s <library.so> load | run <malloc_conf>\n", argv[0]);
		return 64;
	}
	void *library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (library == NULL) {
		const char *error = dlerror();
		fact("dlopen", "failed");
		fact("dlerror", "%s", error != NULL ? error : "(none)");
		return 3;
	}
	fact("dlopen", "ok");
	int status = strcmp(argv[2], "load") == 0 ? 0 : run(library, argv[3]);
	fact("result", "%s", status == 0 && atomic_load(&failures) == 0 ? "ok" : "FAIL");
	return status == 0 && atomic_load(&failures) == 0 ? 0 : 1;
}
