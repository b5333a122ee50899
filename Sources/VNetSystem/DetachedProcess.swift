#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CVNetSystem
import Synchronization

/// Hands the tail of a system call to a short-lived process that nobody waits for.
///
/// Some kernel work finishes, as far as anyone can observe, long before the system call returns: deleting
/// a veth unlists it, removes its addresses, routes and bridge port and announces it gone, then waits for
/// an RCU barrier (~20 ms) before freeing memory; the last close of an nf_tables socket after an element
/// delete waits for a grace period (~10 ms) while the kernel frees the deleted elements. A CNI runtime
/// waits for the plugin to exit, so these waits would be the pod's. Here they happen in a forked child
/// that holds no descriptor but the ones named (no pipe to the runtime, no lock), after the caller has
/// seen the observable result.
///
/// Children are not waited for (a child of a big process takes about a millisecond to exit): when this
/// process exits first they go to init, and a long-running process reaps the finished ones at its next
/// call here, so no zombie piles up.
public enum DetachedProcess {
    private static let children = Mutex<[pid_t]>([])

    /// Sends `bytes` on socket `fd` from a detached process and returns once that process exists; the
    /// send happens there. The process shares the socket, so the kernel's answers arrive on `fd` here.
    public static func send(on fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(SystemError) {
        try started { vnet_send_from_detached_process(fd, bytes.baseAddress, bytes.count) }
    }

    /// Has a detached process hold `fd` open until this process has exited, so that neither this process's
    /// close of `fd` nor its exit is the last close, which for some sockets waits on the kernel.
    public static func holdUntilExit(_ fd: Int32) throws(SystemError) {
        try started { vnet_hold_until_exit(fd) }
    }

    /// Reaps the children that have finished, then records the one `start` makes.
    private static func started(_ start: () -> pid_t) throws(SystemError) {
        try children.withLock { (pids: inout [pid_t]) throws(SystemError) in
            pids.removeAll { vnet_reap_if_exited($0) != 0 }
            let pid = start()
            guard pid > 0 else { throw SystemError("start a detached process", errno: errno) }
            pids.append(pid)
        }
    }
}
