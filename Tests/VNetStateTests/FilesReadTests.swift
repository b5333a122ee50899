import XCTest
import Glibc
import VNetSystem

/// `Files.read` sizes its buffer from the file: every size around the edges must come back whole, files
/// that report no size (/proc) too, and the limit must hold.
final class FilesReadTests: XCTestCase {
    private var directory: TemporaryDataDirectory!

    override func setUpWithError() throws { directory = try TemporaryDataDirectory() }
    override func tearDown() { directory.remove() }

    func testEverySizeComesBackWhole() throws {
        for size in [0, 1, 4095, 4096, 4097, 65_536, 200_000] {
            let path = directory.path + "/f\(size)"
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            try Files.replaceAtomically(path, with: bytes, sync: false)
            XCTAssertEqual(try Files.read(path), bytes, "\(size) bytes")
        }
        XCTAssertNil(try Files.read(directory.path + "/missing"))
    }

    func testFilesWithoutASizeAreReadToTheirEnd() throws {
        // /proc files report size 0; /proc/self/maps of this test process is well over 4 KiB.
        let maps = try XCTUnwrap(try Files.read("/proc/self/maps"))
        XCTAssertGreaterThan(maps.count, 4096)
        XCTAssertEqual(maps.last, UInt8(ascii: "\n"))
    }

    func testTheLimitHolds() throws {
        let path = directory.path + "/big"
        try Files.replaceAtomically(path, with: [UInt8](repeating: 1, count: 10_000), sync: false)
        XCTAssertThrowsError(try Files.read(path, limit: 9_000)) { XCTAssertEqual(($0 as? SystemError)?.errno, EFBIG) }
        XCTAssertThrowsError(try Files.read(path, limit: 1_000)) { XCTAssertEqual(($0 as? SystemError)?.errno, EFBIG) }
        XCTAssertEqual(try Files.read(path, limit: 10_000)?.count, 10_000)
    }
}
