#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CVNetSystem

/// Small, explicit file operations on top of POSIX, for the state store and pool cache. Explicit because
/// crash safety depends on the exact order of write, fsync, rename and directory fsync.
public enum Files {
    /// The whole content of a file, or nil when it does not exist.
    public static func read(_ path: String, limit: Int = 64 << 20) throws(SystemError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw SystemError("open", path: path)
        }
        defer { close(fd) }
        // Read straight into an array sized from the file (plus room to notice the end), instead of through a
        // zero-filled 64 KiB chunk: the state document is read this way on every CNI call.
        var info = stat()
        let expected = fstat(fd, &info) == 0 && info.st_size > 0 ? min(Int(info.st_size), limit) : 0
        var failure: Int32 = 0
        var bytes = [UInt8](unsafeUninitializedCapacity: expected + 4096) { buffer, count in
            count = 0
            guard let base = buffer.baseAddress else { return }
            prefault(UnsafeMutableRawBufferPointer(buffer))
            while count < buffer.count {
                let n = retryingOnEINTR { Glibc.read(fd, base + count, buffer.count - count) }
                if n < 0 { failure = errno; return }
                if n == 0 { return }
                count += n
            }
        }
        if failure != 0 { throw SystemError("read", path: path, errno: failure) }
        if bytes.count > limit { throw SystemError("read", path: path, errno: EFBIG) }
        guard bytes.count == expected + 4096 else { return bytes }
        // The file grew while it was read: the rest in chunks.
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { buffer in retryingOnEINTR { Glibc.read(fd, buffer.baseAddress, buffer.count) } }
            if n < 0 { throw SystemError("read", path: path) }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
            if bytes.count > limit { throw SystemError("read", path: path, errno: EFBIG) }
        }
        return bytes
    }

    /// Backs a fresh buffer's whole pages with memory in one system call rather than a page fault per page
    /// on first touch. Why: a fault costs ~3 us here (a VM's exception path), and a CNI call reads and writes
    /// the state document into two fresh buffers that grow with the pods on the node (~90 pages at 250).
    /// Only worth it for buffers of many pages; best effort (kernels before 5.14 just fault as usual).
    public static func prefault(_ buffer: UnsafeMutableRawBufferPointer) {
        guard buffer.count >= 4 * 4096, let base = buffer.baseAddress else { return }
        _ = vnet_prefault(base, buffer.count)
    }

    /// An empty array with room for `capacity` elements, that room backed at once (`prefault`): for arrays
    /// that will be filled to about that size right away.
    public static func prefaultedArray<Element>(capacity: Int) -> [Element] {
        [Element](unsafeUninitializedCapacity: capacity) { buffer, count in
            prefault(UnsafeMutableRawBufferPointer(buffer))
            count = 0
        }
    }

    /// Writes every byte to `fd`.
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { buffer in
                retryingOnEINTR { Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset) }
            }
            if n < 0 { throw SystemError("write", path: path) }
            offset += n
        }
    }

    /// Replaces `path` so that after a crash at any instant it holds either the old or the new content:
    /// write a temporary file, fsync it (so the rename can never expose a file whose data is not on disk),
    /// rename it over the target. With `durable`, the directory is fsynced too, so the new content also
    /// survives a power cut; without it a power cut may bring back the old content, which is still whole.
    /// With `keepPrevious`, the old content stays available as `keepPrevious` (a hard link, so it costs no copy).
    ///
    /// The file of the copy before that is unlinked, not recycled as the next temporary file, although freeing
    /// its blocks costs ~0.5 ms on ext4: a reader without the lock may still have it open from when it was
    /// `path`, and writing over it would tear what that reader reads (`make stress` caught exactly that).
    public static func replaceAtomically(_ path: String, with bytes: [UInt8], mode: mode_t = 0o600,
                                         keepPrevious: String? = nil, sync: Bool = true,
                                         durable: Bool = true) throws(SystemError) {
        let directory = Self.directory(of: path)
        let temporary = "\(path).tmp.\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode)
        if fd < 0 { throw SystemError("create", path: temporary) }
        do throws(SystemError) {
            try writeAll(fd, bytes, path: temporary)
            if sync && fsync(fd) != 0 { throw SystemError("fsync", path: temporary) }
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        try? FaultPoint.hit("commit:after-temp-write")
        if let keepPrevious {
            // The copy before is dropped here, name and all. It is held open first, so unlinking its name
            // frees nothing yet; its blocks are freed when that descriptor closes, on a thread while the call
            // goes on (freeing them is the slowest part of a commit, ~0.5 ms on ext4). Should the process
            // exit first, kill -9 included, the kernel closes it on the way out: no name of the dropped copy
            // outlives the commit, let alone the process. (A name that a thread was to unlink did outlive
            // every process that exited before its thread ran.)
            let dropped = open(keepPrevious, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
            unlink(keepPrevious)
            if dropped >= 0 { closeInBackground(dropped) }
            if link(path, keepPrevious) != 0 && errno != ENOENT {
                let failure = SystemError("link", path: keepPrevious)
                unlink(temporary)
                throw failure
            }
        }
        try? FaultPoint.hit("commit:before-rename")
        if rename(temporary, path) != 0 {
            let failure = SystemError("rename", path: path)
            unlink(temporary)
            throw failure
        }
        if sync && durable { try syncDirectory(directory) }
    }

    /// Whether `name` (in `fileName`'s directory) is a temporary file that `replaceAtomically` left for
    /// `fileName` in a process that died before its rename: `<fileName>.tmp.<pid>` of a pid that no longer
    /// exists. A living process's is its own, mid-write.
    public static func isAbandonedTemporary(_ name: String, of fileName: String) -> Bool {
        let prefix = fileName + ".tmp."
        guard name.hasPrefix(prefix), let pid = Int32(name.dropFirst(prefix.count)), pid > 0, pid != getpid() else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }

    /// Closes `fd` on a detached thread (here, if none can be started): for the last descriptor of an
    /// unlinked file, whose blocks are freed as it closes.
    public static func closeInBackground(_ fd: Int32) {
        if vnet_close_in_background(fd) != 0 { close(fd) }
    }

    public static func syncDirectory(_ directory: String) throws(SystemError) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw SystemError("open", path: directory) }
        defer { close(fd) }
        if fsync(fd) != 0 { throw SystemError("fsync", path: directory) }
    }

    /// Creates `path` and its parents with `mode` where missing.
    public static func makeDirectories(_ path: String, mode: mode_t = 0o700) throws(SystemError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, mode) != 0 && errno != EEXIST { throw SystemError("mkdir", path: current) }
        }
    }

    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Hard-links `path` to the first free name of `stem` + `suffix`, `stem-1` + `suffix`, `stem-2` + `suffix`
    /// ... (up to 1,000), atomically (link fails on a taken name), and returns the name. For keeping a bad
    /// file beside a good one without ever replacing an earlier kept copy.
    public static func linkToFreeName(_ path: String, stem: String, suffix: String = "") throws(SystemError) -> String {
        var name = stem + suffix
        var taken = 0
        while link(path, name) != 0 {
            guard errno == EEXIST, taken < 1000 else { throw SystemError("link", path: name) }
            taken += 1
            name = stem + "-\(taken)" + suffix
        }
        return name
    }

    /// lstat's view of a path: nil when it does not exist.
    public static func status(_ path: String) throws(SystemError) -> stat? {
        var info = stat()
        if lstat(path, &info) != 0 {
            if errno == ENOENT { return nil }
            throw SystemError("lstat", path: path)
        }
        return info
    }

    public static func remove(_ path: String) { unlink(path) }

    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Names in a directory (without "." and ".."), or [] when it does not exist.
    public static func list(_ directory: String) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }
}
