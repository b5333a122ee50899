import XCTest
import Glibc
@testable import VNetState
import VNetModel
import VNetSystem

/// The event log stays bounded, survives a torn line, and a follower sees what is appended across a rotation.
final class EventLogTests: XCTestCase {
    private var directory: TemporaryDataDirectory!

    override func setUpWithError() throws { directory = try TemporaryDataDirectory() }

    override func tearDown() { directory.remove() }

    func event(_ n: Int, failed: Bool = false) -> NodeEvent {
        NodeEvent(at: Date(timeIntervalSince1970: 1_800_000_000 + Double(n)), verb: "ADD", caller: "vnet", network: "n",
                  container: "c\(n)", ifname: "eth0", pod: "team/web-\(n)", failed: failed, code: failed ? 102 : nil,
                  message: failed ? "pool exhausted" : nil, seconds: 0.012)
    }

    func testRoundTripAndBoundOnDisk() throws {
        let log = EventLog(directory: directory.path, maxBytes: 4_096)
        for n in 0..<200 { log.append(event(n, failed: n % 10 == 0)) }
        let read = log.read(limit: 2_000)
        XCTAssertEqual(read.skippedLines, 0)
        XCTAssertEqual(read.events.last, event(199))
        XCTAssertEqual(read.events.first { $0.failed }?.code, 102)
        // Two files of at most ~maxBytes each: old events went, the newest stayed, in order.
        let sizes = [log.path, log.previousPath].map { (try? Files.status($0))??.st_size ?? 0 }
        XCTAssertTrue(sizes.allSatisfy { $0 <= 4_096 + 512 }, "\(sizes)")
        XCTAssertLessThan(read.events.count, 200)
        XCTAssertEqual(read.events.map(\.container), read.events.map(\.container).sorted { Int($0!.dropFirst())! < Int($1!.dropFirst())! })
        XCTAssertEqual(log.read(limit: 3).events.map(\.container), ["c197", "c198", "c199"])
    }

    func testATornLineIsSkippedAndTheNextEventStartsClean() throws {
        let log = EventLog(directory: directory.path)
        log.append(event(1))
        let fd = open(log.path, O_WRONLY | O_APPEND)
        _ = "{\"at\": 1, \"ver".withCString { write(fd, $0, strlen($0)) }
        close(fd)
        log.append(event(2))
        let read = log.read()
        XCTAssertEqual(read.events, [event(1), event(2)])
        XCTAssertEqual(read.skippedLines, 1)
    }

    func testAFollowerSeesAppendsAcrossARotation() throws {
        let log = EventLog(directory: directory.path, maxBytes: 1_024)
        log.append(event(0))
        var position = log.follow(from: nil).position
        var seen: [NodeEvent] = []
        for n in 1...30 {
            log.append(event(n))
            if n % 7 == 0 {
                let next = log.follow(from: position)
                seen += next.events
                position = next.position
            }
        }
        seen += log.follow(from: position).events
        XCTAssertEqual(seen.map(\.container), (1...30).map { "c\($0)" })
    }
}
