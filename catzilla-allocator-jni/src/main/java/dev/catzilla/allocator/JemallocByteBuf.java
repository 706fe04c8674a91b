package dev.catzilla.allocator;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ScatteringByteChannel;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.IllegalReferenceCountException;
import io.netty.util.internal.ObjectUtil;
import io.netty.util.internal.PlatformDependent;

/**
 * A direct {@link ByteBuf} over one jemalloc allocation. One Java object per buffer: the
 * address, the capacity, the allocated size and the reference count are fields; no
 * {@code DirectByteBuffer}, no {@code Cleaner}, and no separate reference-count object
 * (Netty 4.2's {@code AbstractReferenceCountedByteBuf} allocates one per buffer, which
 * its pooled buffers amortise by recycling; this class is never recycled, so a stale
 * reference to a released buffer always fails instead of reaching another buffer's
 * memory). Memory is freed by the final {@link #release()}, never by the garbage
 * collector (Netty's leak detector reports buffers that were not released).
 * <p>
 * Memory access: when Netty may use {@code sun.misc.Unsafe}
 * ({@link PlatformDependent#hasUnsafe()}, the default on JDK 17) through
 * {@link PlatformDependent}'s address-based methods; otherwise (JDK 25, where Netty turns
 * its {@code Unsafe} use off) through a {@link ByteBuffer} view made by JNI's
 * {@code NewDirectByteBuffer} on first use, once per cached block (it goes with the block
 * through the caches to the next buffer of its size class). The choice is a static final
 * constant the JIT folds.
 * <p>
 * Like every Netty buffer this class is not thread-safe; it may be released on any
 * thread. Access after the final release throws {@link IllegalReferenceCountException}
 * because Netty checks accessibility on every access
 * ({@code io.netty.buffer.checkAccessible}, on by default; turning it off turns that
 * protection off too).
 */
final class JemallocByteBuf extends AbstractByteBuf {

	/**
	 * Address-based access through Netty's Unsafe (x86 and every platform Netty calls
	 * unaligned-safe).
	 */
	static final boolean UNSAFE = PlatformDependent.hasUnsafe() && PlatformDependent.isUnaligned();

	private static final boolean NATIVE_BIG_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN;

	private static final int STREAM_CHUNK = 64 * 1024;

	private static final VarHandle REF_CNT;

	static {
		try {
			REF_CNT = MethodHandles.lookup().findVarHandle(JemallocByteBuf.class, "refCnt", int.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	/**
	 * References held; 0 once released (then the memory is freed). Written only by
	 * compare-and-set after construction, so racing releases free the memory exactly
	 * once.
	 */
	private int refCnt;

	private final JemallocByteBufAllocator alloc;

	/**
	 * The allocation's address; never 0 and never reset on release. A read that raced the
	 * final release (its accessibility check passed just before another thread released
	 * the buffer) then reads memory that jemalloc keeps mapped (stale bytes, as with
	 * Netty's own buffers) instead of dereferencing address 0.
	 */
	private long address;

	private int capacity;

	/**
	 * Bytes requested from jemalloc for this allocation (>= 1, >= capacity, <= max
	 * capacity); what {@code sdallocx} is given. An int, like the capacity, so that the
	 * object fits in 64 bytes.
	 */
	private int allocatedSize;

	/**
	 * Big-endian view from the address, of the block's size class (cached sizes) or of
	 * the capacity; never handed out, so position and limit never change. Reset on a
	 * capacity change.
	 */
	private ByteBuffer view;

	/**
	 * A duplicate of {@link #view} handed out by {@link #internalNioBuffer(int, int)}.
	 */
	private ByteBuffer tmpNioBuf;

	/** This buffer's profile sample when it was sampled, else {@code null}. */
	AllocationSample sample;

	/**
	 * The {@link HandOffCache} stripe of the thread that allocated it when that was not
	 * an event loop, where a release on a thread that is not an event loop puts the block
	 * back; else {@link HandOffCache#NO_HOME}. (Fits in the object's alignment padding:
	 * the object stays 72 bytes.)
	 */
	private final byte home;

	/**
	 * A buffer without memory yet: {@link #memory} gives it its block before it is used
	 * or published.
	 */
	JemallocByteBuf(JemallocByteBufAllocator alloc, int allocatedSize, int capacity, int maxCapacity, byte home) {
		super(maxCapacity);
		this.alloc = alloc;
		this.home = home;
		this.allocatedSize = allocatedSize;
		this.capacity = capacity;
		REF_CNT.set(this, 1);
	}

	/**
	 * Gives this new buffer its block, and the view a released buffer made of the same
	 * block (a cache hit), or {@code null}. Called once, before the buffer is handed out.
	 */
	void memory(long address, ByteBuffer view) {
		this.address = address;
		this.view = view;
		// Like Netty's buffers: the initial count and the memory are visible before any
		// racy publication.
		VarHandle.storeStoreFence();
	}

	/**
	 * The view to keep with the block when it goes to a cache: made for this block's
	 * whole size class ({@link #newView}), so any later buffer of the class may use it;
	 * {@code null} if none was made.
	 */
	ByteBuffer reusableView() {
		return this.view;
	}

	// ---------------------------------------------------------------- reference counting

	@Override
	public int refCnt() {
		return (int) REF_CNT.getVolatile(this);
	}

	@Override
	public ByteBuf retain() {
		return retain0(1);
	}

	@Override
	public ByteBuf retain(int increment) {
		return retain0(ObjectUtil.checkPositive(increment, "increment"));
	}

	private ByteBuf retain0(int increment) {
		for (;;) {
			int count = (int) REF_CNT.getVolatile(this);
			int next = count + increment;
			if (count <= 0 || next <= 0) {
				// Released already, or the count would overflow.
				throw new IllegalReferenceCountException(count, increment);
			}
			if (REF_CNT.compareAndSet(this, count, next)) {
				return this;
			}
		}
	}

	@Override
	public boolean release() {
		// The common case, the final release of a buffer nobody retained: one
		// compare-and-set.
		if (REF_CNT.compareAndSet(this, 1, 0)) {
			deallocate();
			return true;
		}
		return release0(1);
	}

	@Override
	public boolean release(int decrement) {
		return release0(ObjectUtil.checkPositive(decrement, "decrement"));
	}

	private boolean release0(int decrement) {
		for (;;) {
			int count = (int) REF_CNT.getVolatile(this);
			if (count < decrement) {
				// Double release, or more releases than references: nothing changes,
				// nothing is freed twice.
				throw new IllegalReferenceCountException(count, -decrement);
			}
			if (REF_CNT.compareAndSet(this, count, count - decrement)) {
				if (count == decrement) {
					deallocate();
					return true;
				}
				return false;
			}
		}
	}

	@Override
	public ByteBuf touch() {
		return this;
	}

	@Override
	public ByteBuf touch(Object hint) {
		return this;
	}

	// ---------------------------------------------------------------- identity

	@Override
	public ByteBufAllocator alloc() {
		return this.alloc;
	}

	@Override
	@Deprecated
	public ByteOrder order() {
		return ByteOrder.BIG_ENDIAN;
	}

	@Override
	public ByteBuf unwrap() {
		return null;
	}

	@Override
	public boolean isDirect() {
		return true;
	}

	@Override
	public boolean isContiguous() {
		return true;
	}

	@Override
	public boolean hasArray() {
		return false;
	}

	@Override
	public byte[] array() {
		throw new UnsupportedOperationException("direct buffer");
	}

	@Override
	public int arrayOffset() {
		throw new UnsupportedOperationException("direct buffer");
	}

	@Override
	public boolean hasMemoryAddress() {
		return true;
	}

	@Override
	public long memoryAddress() {
		ensureAccessible();
		return this.address;
	}

	/**
	 * Bytes this buffer holds in jemalloc (what the allocator's counter counts for it).
	 */
	long allocatedSize() {
		return this.allocatedSize;
	}

	// ---------------------------------------------------------------- capacity

	@Override
	public int capacity() {
		return this.capacity;
	}

	@Override
	public ByteBuf capacity(int newCapacity) {
		checkNewCapacity(newCapacity);
		int oldCapacity = this.capacity;
		if (newCapacity == oldCapacity) {
			return this;
		}
		int newSize = Math.max(1, newCapacity);
		if (newSize > this.allocatedSize) {
			grow(newSize);
		}
		else if (newCapacity < oldCapacity) {
			shrink(newSize);
		}
		if (newCapacity < oldCapacity) {
			trimIndicesToCapacity(newCapacity);
		}
		this.capacity = newCapacity;
		this.view = null;
		this.tmpNioBuf = null;
		return this;
	}

	/**
	 * Gives back what a smaller capacity no longer needs, as Netty's own buffers do: in
	 * place where jemalloc can (within the large size classes), else by moving the first
	 * {@code newSize} bytes to a smaller allocation when jemalloc would keep the new size
	 * in a class at least a quarter smaller (a large allocation shrunk to a small class,
	 * or a small class halved). If jemalloc cannot make the smaller allocation, the
	 * buffer keeps its memory.
	 */
	private void shrink(int newSize) {
		long usable = JemallocNative.resizeInPlace(this.address, newSize);
		if (usable > newSize + Math.max(16, newSize >> 2)) {
			long moved = JemallocNative.reallocate(this.address, newSize);
			if (moved != 0) {
				this.address = moved;
				usable = newSize;
			}
		}
		if (usable < this.allocatedSize) {
			// usable >= newSize here, and newSize is an int
			this.alloc.releaseDirect(this.allocatedSize - usable);
			this.allocatedSize = (int) usable;
			if (this.sample != null) {
				AllocationProfiler.shrunk(this.sample, usable);
			}
		}
	}

	private void grow(int newSize) {
		long counted = (long) newSize - this.allocatedSize;
		this.alloc.reserveDirect(counted);
		try {
			long usable = JemallocNative.resizeInPlace(this.address, newSize);
			if (usable < newSize) {
				long moved = JemallocNative.reallocate(this.address, newSize);
				if (moved == 0) {
					// Uncounted before the error is made: its "used" is what live buffers
					// hold.
					this.alloc.releaseDirect(counted);
					counted = 0;
					throw this.alloc.nativeAllocationFailed(newSize);
				}
				this.address = moved;
			}
			this.allocatedSize = newSize;
			AllocationProfiler sampler = this.alloc.sampler();
			if (sampler != null) {
				Object event = sampler.grown(this, counted, newSize);
				if (event != null) {
					// on the growing thread, as for allocations
					((jdk.jfr.Event) event).commit();
				}
			}
			counted = 0;
		}
		finally {
			if (counted != 0) {
				this.alloc.releaseDirect(counted);
			}
		}
	}

	/**
	 * Frees the memory; called once, by the release that took the count to 0. Nothing of
	 * this object is reset: a racing reader keeps a valid (freed, still mapped) address,
	 * and later accesses fail their accessibility check because this object is never
	 * reused for another allocation.
	 */
	private void deallocate() {
		AllocationSample sample = this.sample;
		if (sample != null) {
			// Dropped (and its phantom reference cleared) while this buffer is still
			// reachable: never a leak.
			this.alloc.profiler().released(sample);
		}
		this.alloc.free(this.address, this.allocatedSize, this.home, this.view);
		java.lang.ref.Reference.reachabilityFence(this);
	}

	// ---------------------------------------------------------------- views

	private ByteBuffer view() {
		ByteBuffer view = this.view;
		if (view == null) {
			view = newView();
		}
		return view;
	}

	/**
	 * A view of the whole size class for sizes the caches keep (the block's usable size:
	 * jemalloc's class size, see {@link SizeClasses}), so that the view can go with the
	 * block to the next buffer of that class and JDK 25 pays its JNI
	 * {@code NewDirectByteBuffer} once per block instead of once per buffer; of the
	 * capacity above. Never handed out (slices and duplicates are, bounded by the
	 * buffer's index checks), so the bytes between the capacity and the class size, which
	 * belong to the same allocation, are never reached through it.
	 */
	private ByteBuffer newView() {
		int size = this.allocatedSize;
		long span = (size <= SizeClasses.MAX_CACHED) ? SizeClasses.size(SizeClasses.index(size)) : this.capacity;
		ByteBuffer view = JemallocNative.directBuffer(this.address, span).order(ByteOrder.BIG_ENDIAN);
		this.view = view;
		return view;
	}

	private ByteBuffer tmpNioBuf() {
		ByteBuffer tmp = this.tmpNioBuf;
		if (tmp == null) {
			tmp = view().duplicate();
			this.tmpNioBuf = tmp;
		}
		return tmp;
	}

	@Override
	public int nioBufferCount() {
		return 1;
	}

	@Override
	public ByteBuffer nioBuffer(int index, int length) {
		checkIndex(index, length);
		return view().slice(index, length);
	}

	@Override
	public ByteBuffer[] nioBuffers(int index, int length) {
		return new ByteBuffer[] { nioBuffer(index, length) };
	}

	@Override
	public ByteBuffer internalNioBuffer(int index, int length) {
		checkIndex(index, length);
		return tmpNioBuf().clear().position(index).limit(index + length);
	}

	// ---------------------------------------------------------------- primitive access

	@Override
	protected byte _getByte(int index) {
		return UNSAFE ? PlatformDependent.getByte(this.address + index) : view().get(index);
	}

	@Override
	protected short _getShort(int index) {
		if (UNSAFE) {
			short v = PlatformDependent.getShort(this.address + index);
			return NATIVE_BIG_ENDIAN ? v : Short.reverseBytes(v);
		}
		return view().getShort(index);
	}

	@Override
	protected short _getShortLE(int index) {
		if (UNSAFE) {
			short v = PlatformDependent.getShort(this.address + index);
			return NATIVE_BIG_ENDIAN ? Short.reverseBytes(v) : v;
		}
		return Short.reverseBytes(view().getShort(index));
	}

	@Override
	protected int _getUnsignedMedium(int index) {
		return (_getByte(index) & 0xff) << 16 | (_getShort(index + 1) & 0xffff);
	}

	@Override
	protected int _getUnsignedMediumLE(int index) {
		return (_getByte(index) & 0xff) | (_getShortLE(index + 1) & 0xffff) << 8;
	}

	@Override
	protected int _getInt(int index) {
		if (UNSAFE) {
			int v = PlatformDependent.getInt(this.address + index);
			return NATIVE_BIG_ENDIAN ? v : Integer.reverseBytes(v);
		}
		return view().getInt(index);
	}

	@Override
	protected int _getIntLE(int index) {
		if (UNSAFE) {
			int v = PlatformDependent.getInt(this.address + index);
			return NATIVE_BIG_ENDIAN ? Integer.reverseBytes(v) : v;
		}
		return Integer.reverseBytes(view().getInt(index));
	}

	@Override
	protected long _getLong(int index) {
		if (UNSAFE) {
			long v = PlatformDependent.getLong(this.address + index);
			return NATIVE_BIG_ENDIAN ? v : Long.reverseBytes(v);
		}
		return view().getLong(index);
	}

	@Override
	protected long _getLongLE(int index) {
		if (UNSAFE) {
			long v = PlatformDependent.getLong(this.address + index);
			return NATIVE_BIG_ENDIAN ? Long.reverseBytes(v) : v;
		}
		return Long.reverseBytes(view().getLong(index));
	}

	@Override
	protected void _setByte(int index, int value) {
		if (UNSAFE) {
			PlatformDependent.putByte(this.address + index, (byte) value);
		}
		else {
			view().put(index, (byte) value);
		}
	}

	@Override
	protected void _setShort(int index, int value) {
		if (UNSAFE) {
			short v = (short) value;
			PlatformDependent.putShort(this.address + index, NATIVE_BIG_ENDIAN ? v : Short.reverseBytes(v));
		}
		else {
			view().putShort(index, (short) value);
		}
	}

	@Override
	protected void _setShortLE(int index, int value) {
		if (UNSAFE) {
			short v = (short) value;
			PlatformDependent.putShort(this.address + index, NATIVE_BIG_ENDIAN ? Short.reverseBytes(v) : v);
		}
		else {
			view().putShort(index, Short.reverseBytes((short) value));
		}
	}

	@Override
	protected void _setMedium(int index, int value) {
		_setByte(index, value >>> 16);
		_setShort(index + 1, value);
	}

	@Override
	protected void _setMediumLE(int index, int value) {
		_setByte(index, value);
		_setShortLE(index + 1, value >>> 8);
	}

	@Override
	protected void _setInt(int index, int value) {
		if (UNSAFE) {
			PlatformDependent.putInt(this.address + index, NATIVE_BIG_ENDIAN ? value : Integer.reverseBytes(value));
		}
		else {
			view().putInt(index, value);
		}
	}

	@Override
	protected void _setIntLE(int index, int value) {
		if (UNSAFE) {
			PlatformDependent.putInt(this.address + index, NATIVE_BIG_ENDIAN ? Integer.reverseBytes(value) : value);
		}
		else {
			view().putInt(index, Integer.reverseBytes(value));
		}
	}

	@Override
	protected void _setLong(int index, long value) {
		if (UNSAFE) {
			PlatformDependent.putLong(this.address + index, NATIVE_BIG_ENDIAN ? value : Long.reverseBytes(value));
		}
		else {
			view().putLong(index, value);
		}
	}

	@Override
	protected void _setLongLE(int index, long value) {
		if (UNSAFE) {
			PlatformDependent.putLong(this.address + index, NATIVE_BIG_ENDIAN ? Long.reverseBytes(value) : value);
		}
		else {
			view().putLong(index, Long.reverseBytes(value));
		}
	}

	@Override
	public ByteBuf setZero(int index, int length) {
		checkIndex(index, length);
		if (length == 0) {
			return this;
		}
		if (UNSAFE) {
			PlatformDependent.setMemory(this.address + index, length, (byte) 0);
			return this;
		}
		return super.setZero(index, length);
	}

	// ---------------------------------------------------------------- bulk: other
	// buffers

	@Override
	public ByteBuf getBytes(int index, ByteBuf dst, int dstIndex, int length) {
		checkDstIndex(index, length, dstIndex, dst.capacity());
		if (length == 0) {
			return this;
		}
		if (UNSAFE && dst.hasMemoryAddress()) {
			PlatformDependent.copyMemory(this.address + index, dst.memoryAddress() + dstIndex, length);
		}
		else if (dst.hasArray()) {
			getBytes(index, dst.array(), dst.arrayOffset() + dstIndex, length);
		}
		else if (dst instanceof JemallocByteBuf other) {
			other.ensureAccessible();
			other.checkIndex(dstIndex, length);
			other.view().put(dstIndex, view(), index, length);
		}
		else {
			dst.setBytes(dstIndex, privateNioBuffer(index, length));
		}
		return this;
	}

	@Override
	public ByteBuf setBytes(int index, ByteBuf src, int srcIndex, int length) {
		checkSrcIndex(index, length, srcIndex, src.capacity());
		if (length == 0) {
			return this;
		}
		if (UNSAFE && src.hasMemoryAddress()) {
			PlatformDependent.copyMemory(src.memoryAddress() + srcIndex, this.address + index, length);
		}
		else if (src.hasArray()) {
			setBytes(index, src.array(), src.arrayOffset() + srcIndex, length);
		}
		else if (src instanceof JemallocByteBuf other) {
			other.ensureAccessible();
			other.checkIndex(srcIndex, length);
			view().put(index, other.view(), srcIndex, length);
		}
		else if (src.nioBufferCount() > 0) {
			int at = index;
			for (ByteBuffer bb : src.nioBuffers(srcIndex, length)) {
				int n = bb.remaining();
				setBytes(at, bb);
				at += n;
			}
		}
		else {
			src.getBytes(srcIndex, this, index, length);
		}
		return this;
	}

	@Override
	public ByteBuf copy(int index, int length) {
		checkIndex(index, length);
		ByteBuf copy = this.alloc.directBuffer(length, maxCapacity());
		return copy.writeBytes(this, index, length);
	}

	// ---------------------------------------------------------------- bulk: arrays and
	// NIO buffers

	@Override
	public ByteBuf getBytes(int index, byte[] dst, int dstIndex, int length) {
		checkDstIndex(index, length, dstIndex, dst.length);
		if (length == 0) {
			return this;
		}
		if (UNSAFE) {
			PlatformDependent.copyMemory(this.address + index, dst, dstIndex, length);
		}
		else {
			view().get(index, dst, dstIndex, length);
		}
		return this;
	}

	@Override
	public ByteBuf setBytes(int index, byte[] src, int srcIndex, int length) {
		checkSrcIndex(index, length, srcIndex, src.length);
		if (length == 0) {
			return this;
		}
		if (UNSAFE) {
			PlatformDependent.copyMemory(src, srcIndex, this.address + index, length);
		}
		else {
			view().put(index, src, srcIndex, length);
		}
		return this;
	}

	@Override
	public ByteBuf getBytes(int index, ByteBuffer dst) {
		int length = dst.remaining();
		checkIndex(index, length);
		if (length == 0) {
			return this;
		}
		if (dst.isReadOnly()) {
			throw new ReadOnlyBufferException();
		}
		int position = dst.position();
		if (UNSAFE && dst.isDirect()) {
			PlatformDependent.copyMemory(this.address + index, PlatformDependent.directBufferAddress(dst) + position,
					length);
		}
		else if (UNSAFE && dst.hasArray()) {
			PlatformDependent.copyMemory(this.address + index, dst.array(), dst.arrayOffset() + position, length);
		}
		else {
			dst.put(position, view(), index, length);
		}
		dst.position(position + length);
		return this;
	}

	@Override
	public ByteBuf setBytes(int index, ByteBuffer src) {
		int length = src.remaining();
		checkIndex(index, length);
		if (length == 0) {
			return this;
		}
		int position = src.position();
		if (UNSAFE && src.isDirect()) {
			PlatformDependent.copyMemory(PlatformDependent.directBufferAddress(src) + position, this.address + index,
					length);
		}
		else if (UNSAFE && src.hasArray()) {
			PlatformDependent.copyMemory(src.array(), src.arrayOffset() + position, this.address + index, length);
		}
		else {
			view().put(index, src, position, length);
		}
		src.position(position + length);
		return this;
	}

	// ---------------------------------------------------------------- bulk: streams and
	// channels

	@Override
	public ByteBuf getBytes(int index, OutputStream out, int length) throws IOException {
		checkIndex(index, length);
		if (length == 0) {
			return this;
		}
		byte[] chunk = new byte[Math.min(length, STREAM_CHUNK)];
		int at = index;
		int left = length;
		while (left > 0) {
			int n = Math.min(left, chunk.length);
			getBytes(at, chunk, 0, n);
			out.write(chunk, 0, n);
			at += n;
			left -= n;
		}
		return this;
	}

	@Override
	public int setBytes(int index, InputStream in, int length) throws IOException {
		checkIndex(index, length);
		// Even for length 0 the stream answers: -1 at its end, as with Netty's own
		// buffers.
		byte[] chunk = new byte[Math.min(length, STREAM_CHUNK)];
		int read = in.read(chunk, 0, chunk.length);
		if (read > 0) {
			setBytes(index, chunk, 0, read);
		}
		return read;
	}

	/*
	 * The channel methods below take indices from the caller, and derived buffers
	 * (slices, duplicates) of one buffer call them on it from several threads at once (a
	 * broadcast writes retained duplicates to many channels): each call uses a ByteBuffer
	 * of its own, never the shared one of internalNioBuffer(), as Netty's own buffers do
	 * in their get and set methods. The read and write variants (the caller owns this
	 * buffer's indices) go through the same methods: a channel call costs more than the
	 * small object.
	 */

	@Override
	public int getBytes(int index, GatheringByteChannel out, int length) throws IOException {
		checkIndex(index, length);
		if (length == 0) {
			return 0;
		}
		return out.write(privateNioBuffer(index, length));
	}

	@Override
	public int getBytes(int index, FileChannel out, long position, int length) throws IOException {
		checkIndex(index, length);
		if (length == 0) {
			return 0;
		}
		return out.write(privateNioBuffer(index, length), position);
	}

	@Override
	public int setBytes(int index, ScatteringByteChannel in, int length) throws IOException {
		checkIndex(index, length);
		try {
			return in.read(privateNioBuffer(index, length));
		}
		catch (ClosedChannelException ex) {
			return -1;
		}
	}

	@Override
	public int setBytes(int index, FileChannel in, long position, int length) throws IOException {
		checkIndex(index, length);
		try {
			return in.read(privateNioBuffer(index, length), position);
		}
		catch (ClosedChannelException ex) {
			return -1;
		}
	}

	/**
	 * A ByteBuffer over [index, index + length) that no other caller shares (indices
	 * already checked).
	 */
	private ByteBuffer privateNioBuffer(int index, int length) {
		return view().duplicate().limit(index + length).position(index);
	}

}
