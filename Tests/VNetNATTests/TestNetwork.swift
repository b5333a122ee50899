import Foundation
import Glibc
import VNetTestSupport
import XCTest

extension Shell {
    /// `nft` inside a namespace, as a human tampering with the table would run it.
    @discardableResult
    static func nft(_ namespace: String, _ arguments: String...) throws -> String {
        try run(["ip", "netns", "exec", namespace, "nft"] + arguments)
    }
}

struct NamespaceError: Error, CustomStringConvertible {
    var description: String
}

/// glibc's setns(2). Swift's Glibc module is built without _GNU_SOURCE, which hides it; the test target
/// has no C shim of its own, so it is looked up at run time. nstype 0 means "whatever namespace the file
/// is", which spares us the CLONE_NEWNET macro; `inNamespace` checks the result itself.
private let setnsFunction: (@convention(c) (Int32, Int32) -> Int32)? = {
    guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "setns") else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
}()

private func enterNamespace(_ fd: Int32) -> Bool {
    guard let setns = setnsFunction else { return false }
    return setns(fd, 0) == 0
}

/// Runs `body` with the calling thread inside network namespace `name` (made by `ip netns add`), then
/// puts the thread back. Refuses to run `body` unless the thread is verifiably inside `name`, so a failed
/// setns can never let the code under test touch the machine's own namespace. The main thread keeps
/// its namespace per thread (setns), so other threads of the test process are unaffected.
func inNamespace<T>(_ name: String, _ body: () throws -> T) throws -> T {
    let home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
    guard home >= 0 else { throw NamespaceError(description: "cannot open own netns: errno \(errno)") }
    defer { close(home) }
    let target = open("/var/run/netns/\(name)", O_RDONLY | O_CLOEXEC)
    guard target >= 0 else { throw NamespaceError(description: "cannot open netns \(name): errno \(errno)") }
    defer { close(target) }
    guard enterNamespace(target) else {
        throw NamespaceError(description: "setns \(name): errno \(errno)")
    }
    defer {
        if !enterNamespace(home) { fatalError("cannot return to the test's own network namespace") }
    }
    var want = stat(), now = stat()
    guard fstat(target, &want) == 0, stat("/proc/thread-self/ns/net", &now) == 0,
          want.st_ino == now.st_ino, want.st_dev == now.st_dev else {
        throw NamespaceError(description: "thread is not in netns \(name) after setns")
    }
    return try body()
}
